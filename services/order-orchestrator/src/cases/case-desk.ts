// The exception desk: opens cases (idempotently, one open case per order
// step), applies operators' actions, escalates what nobody acted on, and
// reports every change on odx.cases.v1. Actions that change an order's process
// (retry a step, approve a credit hold) go to the process as commands; the
// case then waits for the process to move on (resolveForOrderStep).
import { deterministicEventId, type EventProducer, type Logger } from '@odx/runtime';
import type { CaseMetrics } from './case-metrics.js';
import {
  applyCaseAction,
  isOpenStatus,
  openCase,
  type CaseAction,
  type CaseOpening,
  type CaseRecord,
  type EscalationPolicy,
  type HistoryEntry,
  type Owner,
  type Resolution,
  type Transition,
} from './case-model.js';
import { caseEvent } from './case-events.js';
import { CaseBusy, CaseNotFound } from './case-errors.js';
import type { CaseQuery, CaseStore, StoredCase } from './case-store.js';

/** A command for an order's process, sent from a case (H1's ProcessCommands has this shape). */
export interface ProcessCommandRequest {
  orderId: string;
  command: 'retry-step' | 'approve-credit' | 'cancel-hold';
  step?: string;
  caseId: string;
  actor: string;
  note?: string | null;
  /** The same request twice is one command: (case, version the action makes, command). */
  requestId?: string;
}

/** Where process commands go (the orchestrator's inbox, keyed by order). */
export interface ProcessCommandSender {
  send(command: ProcessCommandRequest): Promise<void>;
}

/** What the rest of the orchestrator sees of the desk. */
export interface CaseDeskPort {
  /** Opens a case, or attaches to the order step's open one; idempotent on `dedupeKey`. */
  open(opening: CaseOpening): Promise<CaseRecord>;
  /** Resolves the order step's open case, if any, because the process moved on by itself. */
  resolveForOrderStep(orderId: string, step: string, note: string, actor: string): Promise<void>;
}

export interface CaseDeskOptions {
  store: CaseStore;
  producer: EventProducer;
  commands: ProcessCommandSender;
  metrics: CaseMetrics;
  logger: Logger;
  policy: EscalationPolicy;
  /** Default owner by step; `*` for any other step. */
  owners: Record<string, Owner>;
  /** The odx.cases.v1 topic as deployed (with ODX_TOPIC_PREFIX). */
  topic: string;
  company: string;
  /** Actor named in automatic changes. @default 'order-orchestrator' */
  actor?: string;
  now?: () => Date;
}

/** Where an opening came from (a label of the metrics). */
export type OpeningSource = 'process' | 'dlq';

const MAX_ATTEMPTS = 20;

/** A short random pause after losing a race, so the writers of one case spread out. */
const backOff = (attempt: number): Promise<void> => new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 ** attempt)));

export class CaseDesk implements CaseDeskPort {
  private readonly now: () => Date;
  private readonly actor: string;

  constructor(private readonly options: CaseDeskOptions) {
    this.now = options.now ?? (() => new Date());
    this.actor = options.actor ?? 'order-orchestrator';
  }

  open(opening: CaseOpening): Promise<CaseRecord> {
    return this.openFrom(opening, 'process', false);
  }

  /**
   * A dead letter's opening: it joins any unresolved case of the order (the
   * same step's first), else opens one, so every poison message has an owner.
   */
  intakeDeadLetter(opening: CaseOpening): Promise<CaseRecord> {
    return this.openFrom(opening, 'dlq', true);
  }

  private async openFrom(opening: CaseOpening, source: OpeningSource, anyOpenCase: boolean): Promise<CaseRecord> {
    const { store } = this.options;
    const known = await store.caseForKey(opening.dedupeKey);
    if (known) {
      const c = await store.get(known);
      if (c) return c.record;
    }
    if (anyOpenCase) {
      const unresolved = await store.unresolvedOf(opening.orderId);
      const target = unresolved.find((c) => c.record.step === opening.step) ?? unresolved.sort(byOpenedAt)[0];
      if (target) {
        const attached = await this.attach(target.record.caseId, opening, source);
        if (attached) return attached;
      }
    }
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const now = this.now();
      const newId = deterministicEventId('odx-case', opening.orderId, opening.step, opening.dedupeKey);
      const held = await store.claimOpenSlot(opening.orderId, opening.step, newId, now);
      const existing = await store.get(held);
      if (!existing) {
        // Ours, or claimed by an opener that stopped before writing the case: this opening writes it.
        return this.create(held, opening, source, now);
      }
      if (!isOpenStatus(existing.record.status)) {
        await store.releaseOpenSlot(opening.orderId, opening.step, held);
        continue;
      }
      const attached = await this.attach(held, opening, source);
      if (attached) return attached;
    }
    throw new CaseBusy(`order ${opening.orderId} step ${opening.step}`);
  }

  private async create(caseId: string, opening: CaseOpening, source: OpeningSource, now: Date): Promise<CaseRecord> {
    const { store, metrics, policy } = this.options;
    const defaultOwner = this.options.owners[opening.step] ?? this.options.owners['*'] ?? null;
    const { record, entry } = openCase(opening, { caseId, now, actor: this.actor, defaultOwner, policy });
    const created = await store.create(record, entry, record.evidence);
    if (!created) {
      // Written meanwhile by a concurrent opener of the same slot: join it.
      return (await this.attach(caseId, opening, source)) ?? (await this.require(caseId)).record;
    }
    metrics.opened.inc({ step: record.step, severity: record.severity, source });
    await store.rememberKey(opening.dedupeKey, caseId, now);
    await this.publish(record, entry);
    this.options.logger.info('case opened', { caseId, orderId: record.orderId, step: record.step, errorClass: record.errorClass, source });
    return record;
  }

  /** Attaches an opening to an unresolved case; undefined when the case turned out resolved. */
  private async attach(caseId: string, opening: CaseOpening, source: OpeningSource): Promise<CaseRecord | undefined> {
    const result = await this.change(caseId, { kind: 'attach', opening }, this.actor, { tolerateResolved: true });
    if (!result) return undefined;
    if (result.changed) this.options.metrics.attached.inc({ source });
    await this.options.store.rememberKey(opening.dedupeKey, caseId, this.now());
    return result.record;
  }

  async resolveForOrderStep(orderId: string, step: string, note: string, actor: string): Promise<void> {
    const caseId = await this.options.store.openSlot(orderId, step);
    if (!caseId) return;
    const c = await this.options.store.get(caseId);
    if (!c || !isOpenStatus(c.record.status)) {
      await this.options.store.releaseOpenSlot(orderId, step, caseId);
      return;
    }
    await this.change(caseId, { kind: 'resolve', resolution: 'process-moved-on', note }, actor, { tolerateResolved: true });
  }

  /** The case an opening with this dedupe key went to, if any. */
  knownKey(dedupeKey: string): Promise<string | null> {
    return this.options.store.caseForKey(dedupeKey);
  }

  async get(caseId: string): Promise<StoredCase> {
    return this.require(caseId);
  }

  list(q: CaseQuery): Promise<CaseRecord[]> {
    return this.options.store.list(q);
  }

  history(c: StoredCase, limit?: number): ReturnType<CaseStore['historyOf']> {
    return this.options.store.historyOf(c, limit);
  }

  assign(caseId: string, owner: Owner, actor: string, note?: string | null): Promise<Transition> {
    return this.act(caseId, { kind: 'assign', owner, note }, actor);
  }

  acknowledge(caseId: string, actor: string, note?: string | null): Promise<Transition> {
    return this.act(caseId, { kind: 'ack', note }, actor);
  }

  escalate(caseId: string, actor: string, note?: string | null): Promise<Transition> {
    return this.act(caseId, { kind: 'escalate', note }, actor);
  }

  /** Asks the process to retry the case's step, then records it on the case. */
  retry(caseId: string, actor: string, note?: string | null): Promise<Transition> {
    return this.act(caseId, { kind: 'retry', note }, actor, (r) => ({ command: 'retry-step', step: r.step }));
  }

  /**
   * Resolves the case. Approving a credit hold (`approved` on a credit case)
   * sends approve-credit, cancelling one sends cancel-hold; the process acts on them.
   */
  resolve(caseId: string, resolution: Resolution, actor: string, note?: string | null): Promise<Transition> {
    return this.act(caseId, { kind: 'resolve', resolution, note }, actor, (r) => {
      const creditHold = r.step === 'credit' || r.proposedAction === 'approve-credit';
      if (creditHold && resolution === 'approved') return { command: 'approve-credit', step: r.step };
      if (creditHold && resolution === 'cancelled') return { command: 'cancel-hold', step: r.step };
      return undefined;
    });
  }

  /** The escalation scan's action on a case whose due time passed. */
  async escalateOverdue(caseId: string, now: Date = this.now()): Promise<boolean> {
    const t = await this.change(caseId, { kind: 'overdue' }, this.actor, { tolerateResolved: true, now });
    return t?.changed === true;
  }

  /** Sends the event of a stored change again (it was stored, but Kafka did not acknowledge its event). */
  async republish(caseId: string, version: number): Promise<void> {
    const change = await this.options.store.changeAt(caseId, version);
    if (change) await this.publish(change.record, change.entry);
    else await this.options.store.markPublished(caseId, version); // nothing left to say
  }

  private async act(
    caseId: string,
    action: CaseAction,
    actor: string,
    command?: (r: CaseRecord) => Pick<ProcessCommandRequest, 'command' | 'step'> | undefined,
  ): Promise<Transition> {
    const t = await this.change(caseId, action, actor, { command });
    if (!t) throw new CaseNotFound(caseId);
    return t;
  }

  /**
   * Load, decide, write if still at the version read (else again), then the
   * side effects: the process command before the write (a refused or failed
   * send leaves the case as it was), the event after it.
   */
  private async change(
    caseId: string,
    action: CaseAction,
    actor: string,
    o: {
      tolerateResolved?: boolean;
      command?: (r: CaseRecord) => Pick<ProcessCommandRequest, 'command' | 'step'> | undefined;
      /** The time the change happens at (the escalation scan's). @default now */
      now?: Date;
    },
  ): Promise<Transition | undefined> {
    const { store, metrics } = this.options;
    let commandSent = false;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await store.get(caseId);
      if (!current) {
        if (o.tolerateResolved) return undefined;
        throw new CaseNotFound(caseId);
      }
      if (o.tolerateResolved && !isOpenStatus(current.record.status)) return undefined;
      const t = applyCaseAction(current.record, action, { now: o.now ?? this.now(), actor, policy: this.options.policy });
      if (!t.changed) return t;
      const cmd = o.command?.(current.record);
      if (cmd && !commandSent) {
        await this.options.commands.send({
          orderId: current.record.orderId,
          caseId,
          actor,
          note: noteOf(action),
          requestId: `${caseId}:${t.record.version}:${cmd.command}`,
          ...cmd,
        });
        commandSent = true;
      }
      if (!(await store.update(t.record, t.entry, t.evidence))) {
        await backOff(attempt);
        continue;
      }
      if (t.record.status === 'resolved') {
        await store.releaseOpenSlot(t.record.orderId, t.record.step, caseId);
        metrics.resolved.inc({ resolution: t.record.resolution ?? 'other' });
      }
      if (t.entry.action === 'escalated')
        metrics.escalations.inc({ severity: t.record.severity, trigger: action.kind === 'overdue' ? 'overdue' : 'operator' });
      await this.publish(t.record, t.entry);
      return t;
    }
    throw new CaseBusy(caseId);
  }

  private async require(caseId: string): Promise<StoredCase> {
    const c = await this.options.store.get(caseId);
    if (!c) throw new CaseNotFound(caseId);
    return c;
  }

  /** Publishes the change's event; on failure the case stays pending and the escalation scan sends it again. */
  private async publish(record: CaseRecord, change: HistoryEntry): Promise<void> {
    try {
      await this.options.producer.publish([caseEvent(record, change, { company: this.options.company, topic: this.options.topic })]);
      await this.options.store.markPublished(record.caseId, record.version);
    } catch (err) {
      this.options.logger.warn('case event not published; the escalation scan sends it again', { caseId: record.caseId, err });
    }
  }
}

function noteOf(a: CaseAction): string | null {
  return 'note' in a ? (a.note ?? null) : null;
}

function byOpenedAt(a: StoredCase, b: StoredCase): number {
  return a.record.openedAt.getTime() - b.record.openedAt.getTime();
}
