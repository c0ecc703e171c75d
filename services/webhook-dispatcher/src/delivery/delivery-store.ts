// The durable per-subscription queue and the delivery log, shaped for FerretDB:
// on its SQLite backend every filter other than an exact `_id` scans the
// collection while inserts stay fast, and updates run under 100/s
// (docs/benchmarks.md). So the hot path only inserts: a delivery document when
// an event is queued, an attempt document when it was tried. Nothing is updated
// per delivery; what is still pending follows from the lane's watermark (one
// small document per subscription, saved about once a second) and the
// `<delivery>!delivered` attempt ids, read by `_id`.
import { randomUUID } from 'node:crypto';
import { deleteManyInBatches, findByIds, insertManyInChunks } from '@odx/runtime';
import type { Collection, Db } from 'mongodb';

export type DeliveryOrigin = 'event' | 'redelivery' | 'recovery';

/** One event queued for one subscription. */
export interface DeliveryDoc {
  /** `<subscription>:<event id>`; copies (redelivery, recovery) add `~<suffix>`. */
  _id: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  key: string | null;
  /** The order lane within the subscription: the message key, or the event id for events without one. */
  orderKey: string;
  /** Queue position within the subscription (see Sequence). */
  seq: number;
  topic: string;
  partition: number;
  offset: string;
  /** The CloudEvents JSON body, signed as it is. */
  body: string;
  origin: DeliveryOrigin;
  createdAt: Date;
  expiresAt: Date;
}

export type AttemptOutcome = 'delivered' | 'failed' | 'gone';

/** One try to deliver (the log the API shows). */
export interface AttemptDoc {
  /** `<delivery>!delivered` for the success, so "was it delivered?" is a lookup by `_id`; `<delivery>@<n>:<random>` otherwise. */
  _id: string;
  deliveryId: string;
  subscriptionId: string;
  /** 1 for the first attempt of this delivery in this lane. */
  n: number;
  at: Date;
  outcome: AttemptOutcome;
  status: number | null;
  error: string | null;
  durationMs: number;
  expiresAt: Date;
}

/** Per subscription: who delivers it (lease) and the watermark below which everything is finished. */
export interface LaneDoc {
  _id: string;
  owner: string;
  leaseUntil: Date;
  watermark: number;
  savedAt: Date;
}

export function attemptId(deliveryId: string, n: number, outcome: AttemptOutcome): string {
  return outcome === 'delivered' ? `${deliveryId}!delivered` : `${deliveryId}@${n}:${randomUUID().slice(0, 8)}`;
}

/**
 * Queue positions: microseconds since the epoch, strictly increasing in this
 * process. One key's events pass through one partition, hence one process at a
 * time, in order, so they get increasing positions.
 */
export class Sequence {
  private last = 0;
  next(now = Date.now()): number {
    this.last = Math.max(this.last + 1, now * 1000);
    return this.last;
  }
}

export class DeliveryStore {
  readonly deliveries: Collection<DeliveryDoc>;
  readonly attempts: Collection<AttemptDoc>;
  readonly lanes: Collection<LaneDoc>;

  constructor(db: Db, prefix = 'webhook') {
    this.deliveries = db.collection<DeliveryDoc>(`${prefix}_deliveries`);
    this.attempts = db.collection<AttemptDoc>(`${prefix}_attempts`);
    this.lanes = db.collection<LaneDoc>(`${prefix}_lanes`);
  }

  /** Indexes for a real MongoDB (FerretDB on SQLite accepts them and scans anyway). */
  async init(): Promise<void> {
    await this.deliveries.createIndex({ subscriptionId: 1, seq: 1 });
    await this.attempts.createIndex({ deliveryId: 1 });
    await this.deliveries.createIndex({ expiresAt: 1 });
    await this.attempts.createIndex({ expiresAt: 1 });
  }

  /** Inserts what is not there yet; answers the documents that were new (a repeated event id is a duplicate). */
  async queue(docs: readonly DeliveryDoc[]): Promise<DeliveryDoc[]> {
    if (docs.length === 0) return [];
    const { duplicates } = await insertManyInChunks(this.deliveries, docs);
    if (duplicates.length === 0) return [...docs];
    const dup = new Set(duplicates);
    return docs.filter((_, i) => !dup.has(i));
  }

  async recordAttempts(docs: readonly AttemptDoc[]): Promise<void> {
    if (docs.length > 0) await insertManyInChunks(this.attempts, docs);
  }

  getDelivery(id: string): Promise<DeliveryDoc | null> {
    return this.deliveries.findOne({ _id: id });
  }

  /** The ids among `ids` that have a delivered attempt. */
  async deliveredAmong(ids: readonly string[]): Promise<Set<string>> {
    const found = await findByIds(
      this.attempts,
      ids.map((id) => `${id}!delivered`),
    );
    return new Set(found.map((a) => a.deliveryId));
  }

  /** Queued deliveries of a subscription from `fromSeq` on, by position. */
  fromSeq(subscriptionId: string, fromSeq: number, limit: number): Promise<DeliveryDoc[]> {
    return this.deliveries
      .find({ subscriptionId, seq: { $gte: fromSeq } })
      .sort({ seq: 1 })
      .limit(limit)
      .toArray();
  }

  /** Newest first; `beforeSeq` pages back. */
  listDeliveries(subscriptionId: string, limit: number, beforeSeq?: number): Promise<DeliveryDoc[]> {
    return this.deliveries
      .find({ subscriptionId, ...(beforeSeq !== undefined ? { seq: { $lt: beforeSeq } } : {}) }, { projection: { body: 0 } })
      .sort({ seq: -1 })
      .limit(limit)
      .toArray();
  }

  /** Attempts of these deliveries, oldest first. */
  attemptsOf(deliveryIds: readonly string[]): Promise<AttemptDoc[]> {
    if (deliveryIds.length === 0) return Promise.resolve([]);
    return this.attempts
      .find({ deliveryId: { $in: [...deliveryIds] } })
      .sort({ at: 1 })
      .toArray();
  }

  getLane(subscriptionId: string): Promise<LaneDoc | null> {
    return this.lanes.findOne({ _id: subscriptionId });
  }

  /**
   * Takes or renews the lease of a subscription's lane. FerretDB has no atomic
   * compare-and-set, so two instances racing for one expired lease can both
   * win for a moment: the result is duplicate deliveries (same webhook-id,
   * which receivers deduplicate), never lost ones.
   */
  async lease(subscriptionId: string, owner: string, leaseMs: number, now = new Date()): Promise<LaneDoc | undefined> {
    const until = new Date(now.getTime() + leaseMs);
    const lane = await this.getLane(subscriptionId);
    if (!lane) {
      const fresh: LaneDoc = { _id: subscriptionId, owner, leaseUntil: until, watermark: 0, savedAt: now };
      try {
        await this.lanes.insertOne(fresh);
        return fresh;
      } catch {
        return undefined; // another instance created it first
      }
    }
    if (lane.owner !== owner && lane.leaseUntil > now) return undefined;
    const r = await this.lanes.updateOne(
      { _id: subscriptionId, owner: lane.owner, leaseUntil: lane.leaseUntil },
      { $set: { owner, leaseUntil: until } },
    );
    return r.modifiedCount > 0 ? { ...lane, owner, leaseUntil: until } : undefined;
  }

  /** Renews the lease and saves the watermark; answers false when another instance holds the lane now. */
  async saveLane(subscriptionId: string, owner: string, watermark: number, leaseMs: number, now = new Date()): Promise<boolean> {
    const r = await this.lanes.updateOne(
      { _id: subscriptionId, owner },
      { $set: { leaseUntil: new Date(now.getTime() + leaseMs), watermark, savedAt: now } },
    );
    return r.matchedCount > 0;
  }

  /** Gives the lane up (shutdown), so another instance takes it at once. */
  async releaseLane(subscriptionId: string, owner: string, watermark: number): Promise<void> {
    await this.lanes.updateOne({ _id: subscriptionId, owner }, { $set: { leaseUntil: new Date(0), watermark, savedAt: new Date() } });
  }

  /** Deletes deliveries and attempts past their retention. */
  async sweep(now = new Date(), signal?: AbortSignal): Promise<number> {
    const a = await deleteManyInBatches(this.deliveries, { expiresAt: { $lt: now } }, { maxBatches: 50, ...(signal ? { signal } : {}) });
    const b = await deleteManyInBatches(this.attempts, { expiresAt: { $lt: now } }, { maxBatches: 50, ...(signal ? { signal } : {}) });
    return a.deleted + b.deleted;
  }
}
