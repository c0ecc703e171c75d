import { setTimeout as sleep } from 'node:timers/promises';
import { IdempotencyStore, type Claim, type ClaimOutcome, type Logger } from '@odx/runtime';
import type { Db } from 'mongodb';
import type { DeliveryDoc, DeliveryStore } from './delivery-store.js';

/**
 * Group commit of the delivery queue, in the consumer runner's idempotency slot
 * (the shape of analytics-sink's IndexCommit). The dispatcher's only effect on
 * consuming an event is queueing one delivery per matching subscription, whose
 * `_id` is `<subscription>:<event id>`: idempotent by itself, and the reason the
 * same event twice on a topic is delivered once per subscription. So claims are
 * granted without I/O, the handler stages the deliveries, and `completeMany`
 * (once per claim window in `completion: 'batch'`, before the runner resolves the
 * window's offsets) inserts them with one unordered insertMany. A crash before
 * the insert leaves the offsets uncommitted, so the events come again; one after
 * it finds them queued (duplicates dropped, the lanes read them back from MongoDB).
 *
 * The lanes get each staged delivery at once, before the insert (`onStaged`),
 * and again after it (`onQueued`, new ones only; a lane ignores ids it holds):
 * the latency of a delivery is then Kafka plus HTTP, not a FerretDB write. That
 * keeps at-least-once (the offset waits for the insert; a lane's watermark stays
 * below every staged position, `stagedMin`), and a repeated event id is still
 * dropped: by the lane's memory of recent ids, and by the insert's `_id` after that.
 *
 * The runner ignores errors of `completeMany` and resolves the offsets anyway, so
 * a failing insert is retried here until it succeeds: a stuck MongoDB stalls
 * consumption instead of losing deliveries.
 */
export class DeliveryCommit extends IdempotencyStore {
  private readonly staged = new Map<string, DeliveryDoc[]>();

  constructor(
    db: Db,
    private readonly store: DeliveryStore,
    private readonly logger: Logger,
    private readonly onStaged: (docs: DeliveryDoc[]) => void,
    private readonly onQueued: (fresh: DeliveryDoc[], duplicates: number) => void,
  ) {
    super({ db, owner: 'webhook-dispatcher' });
  }

  /** Called by the handler: the deliveries are queued when the event's claim window completes. */
  stage(eventId: string, docs: DeliveryDoc[]): void {
    this.staged.set(eventId, docs);
    this.onStaged(docs);
  }

  /** The lowest queue position staged and not yet queued (lanes keep their watermark below it). */
  stagedMin(): number | undefined {
    let low: number | undefined;
    for (const docs of this.staged.values()) for (const d of docs) if (low === undefined || d.seq < low) low = d.seq;
    return low;
  }

  override init(): Promise<void> {
    return this.store.init();
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
    const docs = claims.flatMap((c) => this.staged.get(c.eventId) ?? []);
    let delay = 200;
    for (;;) {
      try {
        const fresh = await this.store.queue(docs);
        for (const c of claims) this.staged.delete(c.eventId);
        if (docs.length > 0) this.onQueued(fresh, docs.length - fresh.length);
        return claims.length;
      } catch (err) {
        this.logger.warn('queueing webhook deliveries failed; retrying (offsets stay uncommitted)', {
          err,
          deliveries: docs.length,
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
    // Deliveries expire through DeliveryStore.sweep.
  }
}
