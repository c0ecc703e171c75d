// What the process needs of the exception desk (src/cases implements it).
import type { Logger } from '@odx/runtime';
import type { CaseOpeningRequest } from './effects.js';

export interface CaseDeskPort {
  /** Opens a case, or attaches to the order step's open one; idempotent on `dedupeKey`. */
  open(opening: CaseOpeningRequest): Promise<unknown>;
  /** Resolves the order step's open case, if any, because the process moved on by itself. */
  resolveForOrderStep(orderId: string, step: string, note: string, actor: string): Promise<void>;
}

/** A desk that only logs: for running the process without the exception desk (tests, benchmarks). */
export class LoggingCaseDesk implements CaseDeskPort {
  readonly opened: CaseOpeningRequest[] = [];
  readonly resolved: Array<{ orderId: string; step: string; note: string }> = [];

  constructor(private readonly logger?: Logger) {}

  open(opening: CaseOpeningRequest): Promise<unknown> {
    this.opened.push(opening);
    this.logger?.warn('case to open (no exception desk wired)', {
      order_id: opening.orderId,
      step: opening.step,
      reason: opening.reasonClass,
    });
    return Promise.resolve(undefined);
  }

  resolveForOrderStep(orderId: string, step: string, note: string): Promise<void> {
    this.resolved.push({ orderId, step, note });
    return Promise.resolve();
  }
}
