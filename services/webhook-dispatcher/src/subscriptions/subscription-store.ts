import type { Collection, Db } from 'mongodb';
import type { SubscriptionDoc, SubscriptionStatus } from './subscription.js';

/**
 * Subscriptions in MongoDB (`webhook_subscriptions`). Few documents, changed by
 * people: every lookup is by `_id` or a scan of the whole (small) collection.
 */
export class SubscriptionStore {
  readonly col: Collection<SubscriptionDoc>;

  constructor(db: Db, collection = 'webhook_subscriptions') {
    this.col = db.collection<SubscriptionDoc>(collection);
  }

  async insert(doc: SubscriptionDoc): Promise<void> {
    await this.col.insertOne(doc);
  }

  get(id: string): Promise<SubscriptionDoc | null> {
    return this.col.findOne({ _id: id });
  }

  /** Oldest first. */
  list(status?: SubscriptionStatus): Promise<SubscriptionDoc[]> {
    return this.col
      .find(status ? { status } : {})
      .sort({ createdAt: 1 })
      .limit(10_000)
      .toArray();
  }

  /** Replaces the document (the caller read it just before; people change subscriptions one at a time). */
  async replace(doc: SubscriptionDoc): Promise<void> {
    await this.col.replaceOne({ _id: doc._id }, doc);
  }

  /** Sets the status unless it is that already; answers whether it changed. */
  async setStatus(id: string, status: SubscriptionStatus, reason: string | null, now = new Date()): Promise<boolean> {
    const r = await this.col.updateOne(
      { _id: id, status: { $ne: status } },
      {
        $set: {
          status,
          disabledReason: status === 'disabled' ? reason : null,
          disabledAt: status === 'disabled' ? now : null,
          ...(status === 'active' ? { activeSince: now } : {}),
          updatedAt: now,
        },
      },
    );
    return r.modifiedCount > 0;
  }
}
