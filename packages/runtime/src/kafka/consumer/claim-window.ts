// Claim windows: the idempotency keys of up to `claimBatchSize` messages are
// claimed in one round trip, and the window closes at half the lease, so no
// claim of ours expires while its message waits its turn.
import type { Claim, ClaimOutcome } from '../../idempotency/idempotency-store.js';
import type { PreparedMessage } from './prepare-message.js';

/** How long a window's claims may be used: half the lease, or without limit when nothing is claimed. */
export function claimWindowMs(leaseDurationMs: number | undefined): number {
  return leaseDurationMs === undefined ? Number.POSITIVE_INFINITY : leaseDurationMs / 2;
}

/** Whether the message at `index` may still be handled in the window opened at `openedAt` (the first always may). */
export function windowOpen(index: number, openedAt: number, now: number, windowMs: number): boolean {
  return index === 0 || now - openedAt <= windowMs;
}

/**
 * The event ids to claim in one round trip: those before the first retry that
 * is not due yet, since the window ends there (the partition pauses).
 */
export function idsToClaim(window: readonly PreparedMessage[]): string[] {
  const ids: string[] = [];
  for (const p of window) {
    if (p.kind === 'not-due') break;
    if (p.kind === 'event') ids.push(p.eventId);
  }
  return ids;
}

/**
 * The claim outcome each message of the window is handled under, by index: the
 * window's claim for the first message of an event id, 'duplicate' for a repeat
 * (the first one has the effect), undefined where nothing was claimed.
 */
export function claimsByIndex(
  window: readonly PreparedMessage[],
  claims: ReadonlyMap<string, ClaimOutcome>,
): Array<ClaimOutcome | undefined> {
  const seen = new Set<string>();
  return window.map((p) => {
    if (p.kind !== 'event') return undefined;
    if (seen.has(p.eventId)) return { status: 'duplicate', completedAt: new Date() };
    seen.add(p.eventId);
    return claims.get(p.eventId);
  });
}

/**
 * The claims to give back when a window ends at `reached`: those of event ids
 * the window did not get to. An id first seen before `reached` had its turn
 * (its claim is completed or already released), even when a repeat of it was
 * not reached.
 */
export function unreachedClaims(window: readonly PreparedMessage[], reached: number, claims: ReadonlyMap<string, ClaimOutcome>): Claim[] {
  const handled = new Set<string>();
  const out: Claim[] = [];
  window.forEach((p, i) => {
    if (p.kind !== 'event') return;
    if (i < reached) {
      handled.add(p.eventId);
      return;
    }
    if (handled.has(p.eventId)) return;
    handled.add(p.eventId);
    const c = claims.get(p.eventId);
    if (c && 'claim' in c) out.push(c.claim);
  });
  return out;
}
