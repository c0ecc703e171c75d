import { setTimeout as sleep } from 'node:timers/promises';
import { IdempotencyStore, type Claim, type ClaimOutcome, type Logger } from '@odx/runtime';
import type { Db } from 'mongodb';
import type { EventIndex } from './event-index.js';
import type { IndexedEvent } from './event-record.js';

/**
 * Group commit of the event index, in the consumer runner's idempotency slot.
 *
 * The sink's only effect is inserting an index entry whose `_id` is the event
 * id, which is idempotent by itself, so a separate claim/done key per event
 * would only double the writes (FerretDB's single writer is the bottleneck).
 * This store therefore grants every claim without I/O, the handler stages the
 * entry, and `completeMany` — which the runner calls in `completion: 'batch'`
 * mode once per claim window, after the handlers and before it resolves the
 * window's offsets — writes the staged entries with one unordered insertMany.
 * A crash before that insert leaves the offsets uncommitted, so the window is
 * redelivered and re-inserted; duplicates are dropped by `_id`.
 *
 * Because the runner swallows errors from `completeMany` and resolves the
 * offsets anyway, a failing insert is retried here until it succeeds (a stuck
 * MongoDB stalls ingest instead of losing events; shutdown's timeout ends it).
 */
export class IndexCommit extends IdempotencyStore {
  private readonly staged = new Map<string, IndexedEvent>();

  constructor(
    db: Db,
    private readonly index: EventIndex,
    private readonly logger: Logger,
    private readonly onCommitted: (inserted: number, staged: number, seconds: number) => void = () => undefined,
  ) {
    super({ db, owner: 'analytics-sink' });
  }

  /** Called by the handler: the entry is written when its claim window completes. */
  stage(entry: IndexedEvent): void {
    this.staged.set(entry._id, entry);
  }

  /** Entries waiting for their window to complete. */
  get stagedCount(): number {
    return this.staged.size;
  }

  override init(): Promise<void> {
    return this.index.init();
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
    const docs = claims.flatMap((c) => {
      const d = this.staged.get(c.eventId);
      return d ? [d] : [];
    });
    let delay = 200;
    for (;;) {
      try {
        const started = process.hrtime.bigint();
        const inserted = await this.index.insert(docs);
        for (const c of claims) this.staged.delete(c.eventId);
        this.onCommitted(inserted, docs.length, Number(process.hrtime.bigint() - started) / 1e9);
        return claims.length;
      } catch (err) {
        this.logger.warn('event index insert failed; retrying (offsets stay uncommitted)', {
          err,
          entries: docs.length,
          retry_in_ms: delay,
        });
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
    // Nothing expires: the index is the record.
  }
}
