import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from 'mongodb';
import type { Logger } from '../logging/index.js';
import { IdempotencyStore, type Claim, type ClaimOutcome } from './idempotency-store.js';

/**
 * Group commit in the consumer runner's idempotency slot, for handlers whose only
 * effect is an insert keyed by the event id (analytics-sink's index entries,
 * webhook-dispatcher's deliveries): idempotent by itself, so a separate claim and
 * done key per event would only double the writes.
 *
 * Claims are granted without I/O, the handler stages what its event produced, and
 * `completeMany` (which the runner calls in `completion: 'batch'` once per claim
 * window, after the handlers and before it resolves the window's offsets) hands
 * the window's staged items to `commit` in one go. A crash before the commit
 * leaves the offsets uncommitted, so the window comes again; duplicates are
 * dropped by `_id`.
 *
 * The runner ignores errors of `completeMany` and resolves the offsets anyway, so
 * a failing commit is retried here until it succeeds: a stuck MongoDB stalls
 * consumption instead of losing effects (shutdown's timeout ends the wait).
 */
export abstract class GroupCommitStore<T> extends IdempotencyStore {
  /** Staged items by event id, until their window completes or is released. */
  protected readonly staged = new Map<string, T>();

  /** @param what the commit in log lines, e.g. "event index insert" */
  constructor(
    db: Db,
    owner: string,
    protected readonly logger: Logger,
    private readonly what: string,
  ) {
    super({ db, owner });
  }

  /** Writes the items of one completed window; throws to have them retried. */
  protected abstract commit(items: T[]): Promise<void>;

  /** Items waiting for their window to complete. */
  get stagedCount(): number {
    return this.staged.size;
  }

  private grant(scope: string, eventId: string): ClaimOutcome {
    return { status: 'acquired', claim: { key: IdempotencyStore.key(scope, eventId), scope, eventId, owner: this.owner, generation: 0 } };
  }

  override claim(scope: string, eventId: string): Promise<ClaimOutcome> {
    return Promise.resolve(this.grant(scope, eventId));
  }

  override claimMany(scope: string, eventIds: string[]): Promise<Map<string, ClaimOutcome>> {
    return Promise.resolve(new Map(eventIds.map((id) => [id, this.grant(scope, id)])));
  }

  override async completeMany(claims: Claim[]): Promise<number> {
    const items = claims.flatMap((c) => (this.staged.has(c.eventId) ? [this.staged.get(c.eventId) as T] : []));
    let delay = 200;
    for (;;) {
      try {
        await this.commit(items);
        for (const c of claims) this.staged.delete(c.eventId);
        return claims.length;
      } catch (err) {
        this.logger.warn(`${this.what} failed; retrying (offsets stay uncommitted)`, { err, items: items.length, retry_in_ms: delay });
        await sleep(delay);
        delay = Math.min(delay * 2, 5_000);
      }
    }
  }

  override async complete(claim: Claim): Promise<boolean> {
    return (await this.completeMany([claim])) > 0;
  }

  override release(claim: Claim): Promise<void> {
    this.staged.delete(claim.eventId);
    return Promise.resolve();
  }

  override releaseMany(claims: Claim[]): Promise<void> {
    for (const c of claims) this.staged.delete(c.eventId);
    return Promise.resolve();
  }

  override renew(): Promise<void> {
    return Promise.resolve();
  }

  override sweepExpired(): Promise<number> {
    return Promise.resolve(0);
  }

  override startSweeper(): void {
    // Nothing of this store expires: what it commits is the record.
  }
}
