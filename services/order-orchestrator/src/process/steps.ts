// The steps of order to cash, in the order an order goes through them.

export const STEPS = [
  'credit',
  'allocation',
  'release',
  'pick-pack',
  'carrier-booking',
  'dispatch',
  'delivery',
  'invoice',
  'payment',
] as const;
export type StepName = (typeof STEPS)[number];

/** A process's stage: the first step not done yet, or where it ended. */
export type Stage = StepName | 'awaiting-order' | 'completed' | 'cancelled';

/**
 * How the stage stands: `active` (waiting for the outside world within its
 * SLA), `held` (waiting for a person: credit hold), `overdue` (past its SLA,
 * being caught up and retried), `failed` (retries exhausted or failed for
 * good: a case names it), `done` (terminal stages).
 */
export type StageStatus = 'active' | 'held' | 'overdue' | 'failed' | 'done';

/**
 * One step: `pending` (not reached), `active`, `held`, `waiting` (allocation
 * short of stock, retried), `done`, `failed`, `cancelled` (the order was
 * cancelled before it), `compensated` (undone by a cancellation).
 */
export type StepStatus = 'pending' | 'active' | 'held' | 'waiting' | 'done' | 'failed' | 'cancelled' | 'compensated';

export function isStepName(value: unknown): value is StepName {
  return typeof value === 'string' && (STEPS as readonly string[]).includes(value);
}

/** Which bridge reconciles a late step (POST <bridge>/v1/catch-up {orderRef}); null when none can. */
export function bridgeOfStep(step: StepName): 'wms' | 'tms' | null {
  switch (step) {
    case 'release':
    case 'pick-pack':
    case 'dispatch':
      return 'wms';
    case 'carrier-booking':
    case 'delivery':
      return 'tms';
    default:
      return null;
  }
}
