import { GroupCommitStore, type Logger } from '@odx/runtime';
import type { Db } from 'mongodb';
import type { DeliveryDoc, DeliveryStore } from './delivery-store.js';

/**
 * Group commit of the delivery queue, in the consumer runner's idempotency slot
 * (the runtime's GroupCommitStore, as analytics-sink's IndexCommit). The dispatcher's only effect on
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
 */
export class DeliveryCommit extends GroupCommitStore<DeliveryDoc[]> {
  constructor(
    db: Db,
    private readonly store: DeliveryStore,
    logger: Logger,
    private readonly onStaged: (docs: DeliveryDoc[]) => void,
    private readonly onQueued: (fresh: DeliveryDoc[], duplicates: number) => void,
  ) {
    super(db, 'webhook-dispatcher', logger, 'queueing webhook deliveries');
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

  protected override async commit(perEvent: DeliveryDoc[][]): Promise<void> {
    const docs = perEvent.flat();
    const fresh = await this.store.queue(docs);
    if (docs.length > 0) this.onQueued(fresh, docs.length - fresh.length);
  }
}
