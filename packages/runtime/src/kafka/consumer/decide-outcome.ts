// What becomes of a message at each step, decided from the facts alone: the
// runner does the I/O, these functions say what it means.
import type { Claim, ClaimOutcome } from '../../idempotency/idempotency-store.js';
import type { FailureClassification } from '../../resilience/errors.js';

/** How a message ended (as the `odx_messages_consumed_total` outcome label and outcome events name it). */
export type MessageOutcome = 'ok' | 'duplicate' | 'retry' | 'dlq' | 'skipped';

/**
 * The partition stops at this message and the message comes again: after a
 * delay, when the circuit is no longer open, or (stopping) with the partition's
 * next owner.
 */
export interface Hold {
  readonly type: 'hold';
  readonly reason: 'circuit' | 'delay' | 'stopping';
  /** For 'delay': epoch ms at which to resume. */
  readonly untilMs?: number;
}

/** The message is finished: its offset may be committed. */
export interface Done {
  readonly type: 'done';
  readonly outcome: MessageOutcome;
}

/** The failure goes to a retry topic or the DLQ; once Kafka has it, the message is finished. */
export interface Route {
  readonly type: 'route';
  readonly to: 'retry' | 'dlq';
  readonly failure: FailureClassification;
}

/** How long a partition backs off when a dependency (registry, Mongo, Kafka) fails under it. */
export const BACKOFF_MS = 2_000;

/** How long to wait before asking again for a claim another member holds. */
export const MAX_CLAIM_WAIT_MS = 1_000;

/** A message whose value could not be read: poison goes to the DLQ, but an unreachable registry only delays the partition. */
export function decideUndecodable(failure: FailureClassification, now: number): Hold | Route {
  if (failure.errorClass === 'serde.registry-unavailable') return { type: 'hold', reason: 'delay', untilMs: now + BACKOFF_MS };
  return { type: 'route', to: 'dlq', failure };
}

/**
 * What a claim outcome lets the runner do: run the handler under the claim,
 * skip a duplicate, or wait out another holder's lease (unless stopping).
 */
export function decideClaim(
  claim: ClaimOutcome,
  aborted: boolean,
):
  | Hold
  | Done
  | { readonly type: 'handle'; readonly claim: Claim; readonly takenOverFrom?: string }
  | { readonly type: 'wait'; readonly ms: number } {
  switch (claim.status) {
    case 'acquired':
      return { type: 'handle', claim: claim.claim };
    case 'taken-over':
      return { type: 'handle', claim: claim.claim, takenOverFrom: claim.previousOwner };
    case 'duplicate':
      return { type: 'done', outcome: 'duplicate' };
    case 'busy':
      // Another member (or a crashed one) holds it: wait out its lease, a second at a time to keep heartbeating.
      return aborted ? { type: 'hold', reason: 'stopping' } : { type: 'wait', ms: Math.min(claim.retryAfterMs + 50, MAX_CLAIM_WAIT_MS) };
  }
}

export interface HandledFacts {
  /** The handler's error, classified; undefined when it succeeded. */
  readonly failure: FailureClassification | undefined;
  /** The attempt that ran (1 = first delivery). */
  readonly attempt: number;
  /** Retries configured before the DLQ (the number of retry delays). */
  readonly retries: number;
  /** The runner is shutting down. */
  readonly aborted: boolean;
}

/**
 * After the handler ran: done, or where its failure goes. A failure while
 * shutting down is left to the partition's next owner; an open circuit pauses
 * the partition instead of burning retries; transient failures retry until the
 * retries run out; the rest go to the DLQ.
 */
export function decideHandled(facts: HandledFacts): Hold | Done | Route {
  const { failure } = facts;
  if (!failure) return { type: 'done', outcome: 'ok' };
  if (facts.aborted) return { type: 'hold', reason: 'stopping' };
  if (failure.circuitOpen) return { type: 'hold', reason: 'circuit' };
  if (failure.kind === 'transient' && facts.attempt <= facts.retries) return { type: 'route', to: 'retry', failure };
  return { type: 'route', to: 'dlq', failure };
}
