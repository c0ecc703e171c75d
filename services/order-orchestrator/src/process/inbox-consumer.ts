// The inbox consumer: the one writer of the processes whose order ids hash to
// its partitions. Per batch of one partition: decode the signals, load the
// orders' processes (cache, else point reads), read what deciding steps needs
// (credit position), fold each signal, write the processes and due-index
// entries (bounded commands), carry out the effects, and only then let the
// offsets be committed. A crash anywhere repeats the batch: repeated signals
// change nothing (their ids are in the process), and effects a written process
// still lists in its outbox are carried out again (idempotent).
import { RawConsumer, canonicalEventOf, classifyError, type ClusterAdmin, type EventSerde, type Logger, type RawBatch } from '@odx/runtime';
import type { OrchestratorSignal } from '@odx/schemas';
import type { DueChange, DueIndex } from '../timers/due-index.js';
import type { EffectExecutor, OrderEffects } from './effect-executor.js';
import type { Effect } from './effects.js';
import { foldSignal, type FoldSettings } from './fold.js';
import type { CreditFacts, ProcessPolicy } from './process-policy.js';
import type { IndexedDue, ProcessState } from './process-state.js';
import type { ProcessStore } from './process-store.js';
import { isStepName } from './steps.js';

/** A customer's credit position (Odoo: credit_limit and unpaid posted invoices). */
export interface CreditReader {
  read(customer: { partyId: string; customerId: string }): Promise<CreditFacts>;
}

/** Without a reader: nothing owed, no limit of its own (the policy's withoutLimit decides). */
export const NO_CREDIT_FACTS: CreditReader = { read: () => Promise.resolve({ openReceivables: '0', creditLimit: null }) };

export interface InboxMetrics {
  signals(kind: string, outcome: 'applied' | 'duplicate', n: number): void;
  batch(ms: number, orders: number): void;
}

export interface InboxConsumerOptions {
  cluster: ClusterAdmin;
  serde: EventSerde;
  store: ProcessStore;
  index: DueIndex;
  executor: EffectExecutor;
  policy: ProcessPolicy;
  settings: FoldSettings;
  credit: CreditReader;
  stock: (skus: readonly string[]) => ReadonlyMap<string, string>;
  logger: Logger;
  groupId: string;
  topic: string;
  partitionConcurrency: number;
  metrics?: InboxMetrics;
  onFatal?: (err: Error) => void;
}

interface Delivered {
  signal: OrchestratorSignal;
  at: number;
}

export class InboxConsumer {
  private readonly consumer: RawConsumer;
  /** Per partition, the offset this instance expects next: another start means someone else wrote meanwhile. */
  private readonly expected = new Map<number, bigint>();

  constructor(private readonly options: InboxConsumerOptions) {
    this.consumer = new RawConsumer(options.cluster, {
      groupId: options.groupId,
      topics: [options.topic],
      partitionConcurrency: options.partitionConcurrency,
      onBatch: (batch) => this.onBatch(batch),
      ...(options.onFatal ? { onFatal: options.onFatal } : {}),
    });
  }

  start(): Promise<void> {
    return this.consumer.start();
  }

  close(): Promise<void> {
    return this.consumer.close();
  }

  async onBatch(batch: RawBatch): Promise<void> {
    const first = batch.messages[0];
    const last = batch.messages[batch.messages.length - 1];
    if (!first || !last) return;
    const expected = this.expected.get(batch.partition);
    if (expected !== undefined && BigInt(first.offset) !== expected) {
      // Someone else owned the partition meanwhile (or this batch is repeated): the cache may be behind the store.
      this.options.store.dropPartition(batch.partition);
    }
    this.expected.delete(batch.partition);
    const delivered: Delivered[] = [];
    for (const m of batch.messages) {
      try {
        const event = canonicalEventOf(await this.options.serde.decode(m.value));
        if (event?.eventType === 'OrchestratorSignal') delivered.push({ signal: event.payload, at: m.timestamp });
        else this.options.logger.warn('inbox record is not a signal; skipped', { partition: m.partition, offset: m.offset });
      } catch (err) {
        if (classifyError(err).kind === 'transient') throw err;
        this.options.logger.error('undecodable inbox record skipped', { partition: m.partition, offset: m.offset, err });
      }
    }
    await this.process(delivered, batch.partition);
    this.expected.set(batch.partition, BigInt(last.offset) + 1n);
  }

  /** Folds and stores one partition's signals (exported for benchmarks and tests through `onBatch`). */
  async process(delivered: readonly Delivered[], partition: number): Promise<void> {
    const started = performance.now();
    const { store, index, executor, metrics } = this.options;
    const byOrder = new Map<string, Delivered[]>();
    for (const d of delivered) {
      let list = byOrder.get(d.signal.orderId);
      if (!list) byOrder.set(d.signal.orderId, (list = []));
      list.push(d);
    }
    const loaded = await store.load([...byOrder.keys()], partition);
    const credit = await this.creditFacts(byOrder, loaded);

    const changed: ProcessState[] = [];
    const dueChanges: DueChange[] = [];
    const effects: OrderEffects[] = [];
    for (const [orderId, list] of byOrder) {
      const before = loaded.get(orderId) ?? null;
      let state = before;
      const fresh: Effect[] = [];
      const staleTimers: IndexedDue[] = [];
      let applied = 0;
      for (const d of list) {
        const r = foldSignal(state, d.signal, {
          now: d.at,
          policy: this.options.policy,
          settings: this.options.settings,
          stock: this.options.stock,
          ...(credit.has(orderId) ? { credit: credit.get(orderId)! } : {}),
        });
        if (!r.changed) {
          metrics?.signals(d.signal.kind, 'duplicate', 1);
          continue;
        }
        applied++;
        metrics?.signals(d.signal.kind, 'applied', 1);
        state = r.state;
        fresh.push(...r.effects);
        const t = d.signal.timer;
        if (t && isStepName(t.step)) staleTimers.push({ step: t.step, attempt: t.attempt, at: t.dueAt.getTime(), partition });
      }
      if (!state) continue;
      // Effects a stored process still lists were decided before a crash (or a failed batch): carry them out again.
      const pending = [...(before?.outbox ?? []), ...fresh];
      if (applied === 0) {
        if (pending.length > 0) effects.push({ orderId, effects: pending });
        continue;
      }
      const next: ProcessState = { ...state, outbox: pending };
      const due: IndexedDue | null = next.due ? { ...next.due, partition } : null;
      const had = before?.dueIndexed ?? null;
      // The same due time keeps its entry (and the slot it was filed under); a new one is filed now (a due time
      // already past goes to a slot the scanner has not passed).
      const wanted = had && sameDue(had, due) ? had : due && index.file(due);
      const remove = [...(had && wanted !== had ? [had] : []), ...staleTimers.filter((t) => !wanted || !index.sameEntry(t, wanted))];
      const add = wanted && wanted !== had ? wanted : null;
      next.dueIndexed = wanted;
      if (add || remove.length > 0) dueChanges.push({ orderId, add, remove });
      changed.push(next);
      if (pending.length > 0) effects.push({ orderId, effects: pending });
    }

    // Index additions first, the processes, then removals: a crash in between leaves an extra entry (a timer the
    // fold ignores), never a process whose due time no index entry knows.
    await index.add(dueChanges);
    await store.save(changed, partition, new Set(changed.filter((c) => loaded.get(c.orderId) === null).map((c) => c.orderId)));
    await index.remove(dueChanges);
    await executor.run(effects);
    // Done: the cached copies need not carry their effects any more (the next write stores that).
    for (const s of changed) store.remember({ ...s, outbox: [] }, partition);
    for (const { orderId } of effects) {
      const s = loaded.get(orderId);
      if (s && !changed.some((c) => c.orderId === orderId)) store.remember({ ...s, outbox: [] }, partition);
    }
    metrics?.batch(performance.now() - started, byOrder.size);
  }

  /**
   * Credit positions of the customers whose orders await a credit decision in this batch (confirmed now, or a
   * credit timer or retry of an order that could not be decided before), read once per customer. A position
   * that cannot be read is `unavailable`: the decision then waits for the credit step's timer, and the batch
   * goes on (Odoo down must not stop the processes).
   */
  private async creditFacts(
    byOrder: Map<string, Delivered[]>,
    loaded: Map<string, ProcessState | null>,
  ): Promise<Map<string, CreditFacts | 'unavailable'>> {
    const wanted = new Map<string, { partyId: string; customerId: string; orders: string[] }>();
    for (const [orderId, list] of byOrder) {
      const state = loaded.get(orderId) ?? null;
      if (state?.credit) continue;
      const confirmed = list.find((d) => d.signal.order)?.signal.order;
      const retried = list.some(
        (d) =>
          d.signal.timer?.step === 'credit' ||
          (d.signal.command?.command === 'retry-step' && (d.signal.command.step ?? 'credit') === 'credit'),
      );
      const order = confirmed
        ? {
            customerId: confirmed.customer.ref ?? confirmed.customer.partyId,
            partyId: confirmed.customer.partyId,
            orderTotal: confirmed.amountTotal,
            currency: confirmed.currency,
          }
        : state?.order && retried
          ? {
              customerId: state.order.customerId,
              partyId: state.order.partyId,
              orderTotal: state.order.amountTotal,
              currency: state.order.currency,
            }
          : null;
      if (!order) continue;
      const needed = this.options.policy.creditFactsNeeded?.(order) ?? true;
      if (!needed) continue;
      let w = wanted.get(order.customerId);
      if (!w) wanted.set(order.customerId, (w = { partyId: order.partyId, customerId: order.customerId, orders: [] }));
      w.orders.push(orderId);
    }
    const out = new Map<string, CreditFacts | 'unavailable'>();
    for (const w of wanted.values()) {
      let facts: CreditFacts | 'unavailable';
      try {
        facts = await this.options.credit.read({ partyId: w.partyId, customerId: w.customerId });
      } catch (err) {
        this.options.logger.warn('credit position could not be read; the credit check waits for its timer', {
          customer: w.customerId,
          orders: w.orders.length,
          err,
        });
        facts = 'unavailable';
      }
      for (const o of w.orders) out.set(o, facts);
    }
    return out;
  }
}

/** The same due timer (the slot it is filed under aside). */
function sameDue(a: IndexedDue | null, b: IndexedDue | null): boolean {
  if (a === null || b === null) return a === b;
  return a.step === b.step && a.attempt === b.attempt && a.at === b.at && a.partition === b.partition;
}
