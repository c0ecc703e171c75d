// Builders of the inbox's OrchestratorSignal records: every change to a
// process arrives as one of these, keyed by order id. Ids are deterministic,
// so the same fact, timer or command sent twice is one signal.
import { deterministicEventId } from '@odx/runtime';
import type { EvidenceLink, OrchestratorSignal } from '@odx/schemas';
import type { StepName } from './steps.js';

export type SignalKind = 'fact' | 'timer-fired' | 'command' | 'step-failed';

export interface SignalMeta {
  eventId: string;
  occurredAt: Date;
  correlationId: string;
  causationId: string | null;
  company: string;
}

/** A signal with every optional part empty; the caller fills the one its kind needs. */
export function emptySignal(orderId: string, kind: SignalKind, meta: SignalMeta): OrchestratorSignal {
  return {
    meta: { ...meta, source: 'odx' },
    orderId,
    kind,
    factType: null,
    order: null,
    shipment: null,
    invoice: null,
    payment: null,
    cancellation: null,
    timer: null,
    command: null,
    failure: null,
    evidence: [],
  };
}

/** A due time passed: id from (order, step, attempt), so every scanner that sees it sends the same signal. */
export function timerSignal(
  orderId: string,
  step: StepName,
  attempt: number,
  dueAt: number,
  company: string,
  now: Date,
): OrchestratorSignal {
  const signal = emptySignal(orderId, 'timer-fired', {
    eventId: deterministicEventId('order-orchestrator', 'timer', orderId, step, attempt),
    occurredAt: now,
    correlationId: orderId,
    causationId: null,
    company,
  });
  signal.timer = { step, attempt, dueAt: new Date(dueAt) };
  return signal;
}

export type ProcessCommandName = 'retry-step' | 'approve-credit' | 'cancel-hold';

export interface ProcessCommandInput {
  orderId: string;
  command: ProcessCommandName;
  step?: string | null;
  caseId?: string | null;
  actor: string;
  note?: string | null;
  /** Makes the command's id: the same request sent twice is one command. @default a fresh id */
  requestId?: string;
}

export function commandSignal(c: ProcessCommandInput, company: string, now: Date, fresh: () => string): OrchestratorSignal {
  const signal = emptySignal(c.orderId, 'command', {
    eventId: deterministicEventId('order-orchestrator', 'command', c.orderId, c.command, c.requestId ?? fresh()),
    occurredAt: now,
    correlationId: c.orderId,
    causationId: null,
    company,
  });
  signal.command = { command: c.command, step: c.step ?? null, caseId: c.caseId ?? null, actor: c.actor, note: c.note ?? null };
  return signal;
}

export interface StepFailureInput {
  orderId: string;
  step: string | null;
  errorClass: string;
  lastError: string;
  reportedBy: string;
  evidence: EvidenceLink[];
  /** What makes the failure unique (e.g. the DLQ entry's topic/partition/offset). */
  key: string;
}

export function stepFailureSignal(f: StepFailureInput, company: string, now: Date): OrchestratorSignal {
  const signal = emptySignal(f.orderId, 'step-failed', {
    eventId: deterministicEventId('order-orchestrator', 'step-failed', f.orderId, f.key),
    occurredAt: now,
    correlationId: f.orderId,
    causationId: null,
    company,
  });
  signal.failure = { step: f.step, errorClass: f.errorClass, lastError: f.lastError, reportedBy: f.reportedBy };
  signal.evidence = f.evidence;
  return signal;
}
