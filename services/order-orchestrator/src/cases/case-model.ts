// The exception case and its state machine, pure: the store persists what
// these functions decide, the desk publishes it. Nothing here reads a clock or
// a database, so every transition is unit-tested as a table.
import type { CaseHistoryEntry, CaseOwner, EvidenceLink } from '@odx/schemas';

export const CASE_STATUSES = ['open', 'acknowledged', 'escalated', 'resolved'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** How a case ended (ExceptionCaseResolved.resolution). */
export const RESOLUTIONS = ['approved', 'retried', 'returned', 'cancelled', 'process-moved-on', 'dismissed', 'other'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export type Evidence = EvidenceLink;
export type Owner = CaseOwner;
export type HistoryEntry = CaseHistoryEntry;

/** Longest error text kept (the source may send pages of HTML). */
export const MAX_ERROR_TEXT = 2_000;
/** Evidence links taken from one opening. */
export const MAX_OPENING_EVIDENCE = 20;

/** Evidence links kept on the case itself; every link is also in the history entry that added it. */
export const MAX_CASE_EVIDENCE = 20;
/** Dedupe keys remembered on the case (the newest), so a repeated open() attaches nothing twice. */
export const MAX_CASE_KEYS = 50;

/** A case as the store keeps it and the API returns it (history apart). */
export interface CaseRecord {
  caseId: string;
  orderId: string;
  orderName: string | null;
  step: string;
  severity: Severity;
  status: CaseStatus;
  owner: Owner | null;
  errorClass: string;
  lastError: string;
  /** The first links (at most MAX_CASE_EVIDENCE); `evidenceCount` counts all. */
  evidence: Evidence[];
  evidenceCount: number;
  proposedAction: string | null;
  escalationLevel: number;
  openedAt: Date;
  updatedAt: Date;
  /** When the case escalates unless someone acts; null once resolved or at the last escalation level. */
  dueAt: Date | null;
  resolvedAt: Date | null;
  resolution: Resolution | null;
  /** Version: +1 per change; history entry `version` describes the change that made it. */
  version: number;
  /** Dedupe keys of the openings attached (newest MAX_CASE_KEYS). */
  keys: string[];
}

/** What asks for a case: the process (a step overdue or refused), or the DLQ intake (a poison message). */
export interface CaseOpening {
  orderId: string;
  orderName?: string | null;
  step: string;
  /** Machine-readable class, e.g. step.overdue, credit.hold, dlq.poison. */
  reasonClass: string;
  lastError: string;
  severity: Severity;
  owner?: Owner | null;
  evidence: Evidence[];
  proposedAction?: string | null;
  /** The same key twice is the same opening: the second one changes nothing. */
  dedupeKey: string;
}

/** When cases escalate, and to whom cases go by default. */
export interface EscalationPolicy {
  /** Time from opening (or from the last ack/escalation) to the next escalation, per severity. */
  afterMs: Record<Severity, number>;
  /** Escalations after which a case stays escalated without a due time. */
  maxLevel: number;
  /** Owner an escalated case is handed to; null keeps the owner it has. */
  escalateTo: Owner | null;
}

/** An operator's (or the orchestrator's) action on a case. */
export type CaseAction =
  | { kind: 'assign'; owner: Owner; note?: string | null }
  | { kind: 'ack'; note?: string | null }
  | { kind: 'escalate'; note?: string | null }
  | { kind: 'retry'; note?: string | null }
  | { kind: 'resolve'; resolution: Resolution; note?: string | null }
  | { kind: 'attach'; opening: CaseOpening }
  /** The due time passed (the escalation scan). */
  | { kind: 'overdue' };

/** The result of applying an action: the case after it and the history entry, or nothing to change. */
export type Transition =
  { changed: true; record: CaseRecord; entry: HistoryEntry; evidence: Evidence[] } | { changed: false; record: CaseRecord; why: string };

/** An action the case's status does not allow (the route answers 409). */
export class CaseTransitionRefused extends Error {
  override readonly name = 'CaseTransitionRefused';
  constructor(
    readonly caseId: string,
    readonly action: CaseAction['kind'],
    readonly status: CaseStatus,
  ) {
    super(`case ${caseId} is ${status}: ${action} is not possible`);
  }
}

const ALLOWED: Record<CaseAction['kind'], readonly CaseStatus[]> = {
  assign: ['open', 'acknowledged', 'escalated'],
  ack: ['open', 'acknowledged', 'escalated'],
  escalate: ['open', 'acknowledged', 'escalated'],
  retry: ['open', 'acknowledged', 'escalated'],
  resolve: ['open', 'acknowledged', 'escalated'],
  attach: ['open', 'acknowledged', 'escalated'],
  overdue: ['open', 'acknowledged', 'escalated'],
};

export function isOpenStatus(s: CaseStatus): boolean {
  return s !== 'resolved';
}

function sameOwner(a: Owner | null, b: Owner | null): boolean {
  return a?.kind === b?.kind && a?.id === b?.id;
}

function evidenceKey(e: Evidence): string {
  return `${e.kind}|${e.topic ?? ''}|${e.partition ?? ''}|${e.offset ?? ''}|${e.eventId ?? ''}`;
}

/** The case a new opening creates (version 1) and its history entry. */
export function openCase(
  raw: CaseOpening,
  ctx: { caseId: string; now: Date; actor: string; defaultOwner: Owner | null; policy: EscalationPolicy },
): { record: CaseRecord; entry: HistoryEntry } {
  const opening = bounded(raw);
  const evidence = dedupeEvidence([], opening.evidence);
  const record: CaseRecord = {
    caseId: ctx.caseId,
    orderId: opening.orderId,
    orderName: opening.orderName ?? null,
    step: opening.step,
    severity: opening.severity,
    status: 'open',
    owner: opening.owner ?? ctx.defaultOwner,
    errorClass: opening.reasonClass,
    lastError: opening.lastError,
    evidence: evidence.slice(0, MAX_CASE_EVIDENCE),
    evidenceCount: evidence.length,
    proposedAction: opening.proposedAction ?? null,
    escalationLevel: 0,
    openedAt: ctx.now,
    updatedAt: ctx.now,
    dueAt: new Date(ctx.now.getTime() + ctx.policy.afterMs[opening.severity]),
    resolvedAt: null,
    resolution: null,
    version: 1,
    keys: [opening.dedupeKey],
  };
  const entry: HistoryEntry = {
    at: ctx.now,
    actor: ctx.actor,
    action: 'opened',
    fromStatus: null,
    toStatus: 'open',
    note: `${opening.reasonClass}: ${opening.lastError}`.slice(0, 1_000),
  };
  return { record, entry };
}

/** An opening cut to what a case keeps: whatever the process or a DLQ entry says, the document stays small. */
export function bounded(o: CaseOpening): CaseOpening {
  return {
    ...o,
    reasonClass: o.reasonClass.slice(0, 100),
    lastError: o.lastError.slice(0, MAX_ERROR_TEXT),
    evidence: o.evidence.slice(0, MAX_OPENING_EVIDENCE).map((e) => ({ ...e, note: e.note === null ? null : e.note.slice(0, 300) })),
  };
}

function dedupeEvidence(have: readonly Evidence[], add: readonly Evidence[]): Evidence[] {
  const seen = new Set(have.map(evidenceKey));
  const out: Evidence[] = [];
  for (const e of add) {
    const k = evidenceKey(e);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(e);
  }
  return out;
}

const SEVERITY_RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

/**
 * Applies `action` to `record` at `now`. Refuses (throws CaseTransitionRefused)
 * what the status forbids; returns `changed: false` for actions that would
 * change nothing (ack of an acknowledged case, an opening already attached),
 * so repeated requests are harmless.
 */
export function applyCaseAction(
  record: CaseRecord,
  action: CaseAction,
  ctx: { now: Date; actor: string; policy: EscalationPolicy },
): Transition {
  if (!ALLOWED[action.kind].includes(record.status)) {
    if (action.kind === 'overdue' || (action.kind === 'resolve' && record.status === 'resolved'))
      return { changed: false, record, why: `already ${record.status}` };
    throw new CaseTransitionRefused(record.caseId, action.kind, record.status);
  }
  const { now, actor, policy } = ctx;
  const base = { ...record, updatedAt: now, version: record.version + 1 };
  const entry = (act: string, to: CaseStatus, note: string | null | undefined): HistoryEntry => ({
    at: now,
    actor,
    action: act,
    fromStatus: record.status,
    toStatus: to,
    note: note ?? null,
  });
  const nextDue = (level: number): Date | null =>
    level >= policy.maxLevel ? null : new Date(now.getTime() + policy.afterMs[record.severity]);

  switch (action.kind) {
    case 'assign': {
      if (sameOwner(record.owner, action.owner)) return { changed: false, record, why: `already owned by ${action.owner.id}` };
      const note = `to ${action.owner.kind} ${action.owner.id}${action.note ? `: ${action.note}` : ''}`;
      return { changed: true, record: { ...base, owner: action.owner }, entry: entry('assigned', record.status, note), evidence: [] };
    }
    case 'ack': {
      if (record.status === 'acknowledged') return { changed: false, record, why: 'already acknowledged' };
      // The one who acknowledged has the escalation time again to act.
      const next = { ...base, status: 'acknowledged' as const, dueAt: nextDue(record.escalationLevel) };
      return { changed: true, record: next, entry: entry('acknowledged', 'acknowledged', action.note), evidence: [] };
    }
    case 'escalate':
    case 'overdue': {
      if (action.kind === 'overdue' && (record.dueAt === null || record.dueAt.getTime() > now.getTime()))
        return { changed: false, record, why: 'not due' };
      const level = record.escalationLevel + 1;
      const next: CaseRecord = {
        ...base,
        status: 'escalated',
        escalationLevel: level,
        dueAt: nextDue(level),
        owner: policy.escalateTo ?? record.owner,
      };
      const note =
        action.kind === 'overdue'
          ? `no action for ${Math.round(policy.afterMs[record.severity] / 60_000)} min: escalation level ${level}`
          : `escalation level ${level}${action.note ? `: ${action.note}` : ''}`;
      return { changed: true, record: next, entry: entry('escalated', 'escalated', note), evidence: [] };
    }
    case 'retry': {
      // Retrying is acting on the case: it counts as acknowledged until the process reports back.
      const to = record.status === 'open' ? 'acknowledged' : record.status;
      const next = { ...base, status: to, dueAt: to === record.status ? record.dueAt : nextDue(record.escalationLevel) };
      return { changed: true, record: next, entry: entry('retried', to, action.note), evidence: [] };
    }
    case 'resolve': {
      const next: CaseRecord = { ...base, status: 'resolved', resolvedAt: now, dueAt: null, resolution: action.resolution };
      const note = `${action.resolution}${action.note ? `: ${action.note}` : ''}`;
      return { changed: true, record: next, entry: entry('resolved', 'resolved', note), evidence: [] };
    }
    case 'attach': {
      const o = bounded(action.opening);
      if (record.keys.includes(o.dedupeKey)) return { changed: false, record, why: 'opening already attached' };
      const added = dedupeEvidence(record.evidence, o.evidence);
      const room = Math.max(0, MAX_CASE_EVIDENCE - record.evidence.length);
      const severity = SEVERITY_RANK[o.severity] > SEVERITY_RANK[record.severity] ? o.severity : record.severity;
      const next: CaseRecord = {
        ...base,
        severity,
        errorClass: o.reasonClass,
        lastError: o.lastError,
        orderName: record.orderName ?? o.orderName ?? null,
        evidence: [...record.evidence, ...added.slice(0, room)],
        evidenceCount: record.evidenceCount + added.length,
        keys: [...record.keys, o.dedupeKey].slice(-MAX_CASE_KEYS),
      };
      const note = `${o.reasonClass}: ${o.lastError}`.slice(0, 1_000);
      return { changed: true, record: next, entry: entry('evidence-added', record.status, note), evidence: added };
    }
  }
}
