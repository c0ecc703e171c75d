// The availability view kept from the inventory topic: one consumer group,
// shared by the instances, stores the latest level per key in MongoDB (one
// small document each); every instance applies what it consumes at once and
// re-reads the stored levels on a schedule, so each answers for every SKU
// whichever partitions it consumes (the orchestrator's stock feed does the same).
import {
  RawConsumer,
  bulkWriteInChunks,
  canonicalEventOf,
  classifyError,
  type ClusterAdmin,
  type EventSerde,
  type Logger,
  type RawBatch,
} from '@odx/runtime';
import type { Collection, Db } from 'mongodb';
import type { AvailabilityView, LevelFact } from './availability-view.js';

export const LEVELS_COLLECTION = 'api_gateway_stock_levels';

type LevelDoc = LevelFact & { _id: string };

export interface AvailabilityFeedOptions {
  cluster: ClusterAdmin;
  serde: EventSerde;
  db: Db;
  logger: Logger;
  view: AvailabilityView;
  groupId: string;
  topic: string;
  refreshMs: number;
  onFatal?: (err: Error) => void;
}

export class AvailabilityFeed {
  private readonly consumer: RawConsumer;
  private readonly collection: Collection<LevelDoc>;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: AvailabilityFeedOptions) {
    this.collection = options.db.collection<LevelDoc>(LEVELS_COLLECTION);
    this.consumer = new RawConsumer(options.cluster, {
      groupId: options.groupId,
      topics: [options.topic],
      onBatch: (batch) => this.onBatch(batch),
      ...(options.onFatal ? { onFatal: options.onFatal } : {}),
    });
  }

  async start(): Promise<void> {
    await this.refresh();
    await this.consumer.start();
    const tick = (): void => {
      this.timer = setTimeout(() => {
        this.refresh()
          .catch((err: unknown) => this.options.logger.warn('stock levels could not be read', { err }))
          .finally(() => {
            if (this.timer) tick();
          });
      }, this.options.refreshMs);
      this.timer.unref();
    };
    tick();
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.consumer.close();
  }

  /** Reads every stored level into the view; returns how many are stored. */
  async refresh(): Promise<number> {
    const docs = await this.collection.find({}).toArray();
    for (const d of docs) this.options.view.apply(d);
    return docs.length;
  }

  private async onBatch(batch: RawBatch): Promise<void> {
    const latest = new Map<string, LevelDoc>();
    for (const m of batch.messages) {
      const type = m.headers['ce_type'];
      if ((type && !type.endsWith('.InventoryLevelChanged')) || !m.value) continue;
      try {
        const event = canonicalEventOf(await this.options.serde.decode(m.value));
        if (event?.eventType !== 'InventoryLevelChanged') continue;
        const l = event.payload.level;
        const doc: LevelDoc = {
          _id: [l.sku, l.warehouseCode, l.locationCode ?? '', l.lotNumber ?? ''].join('|'),
          sku: l.sku,
          warehouseCode: l.warehouseCode,
          locationCode: l.locationCode,
          lotNumber: l.lotNumber,
          available: l.available,
          asOf: l.asOf,
          eventId: event.payload.meta.eventId,
        };
        if (this.options.view.apply(doc)) latest.set(doc._id, doc);
      } catch (err) {
        // An undecodable record is skipped (the next level for its key replaces it); a store or registry outage is retried.
        if (classifyError(err).kind === 'transient') throw err;
      }
    }
    await bulkWriteInChunks(
      this.collection,
      [...latest.values()].map((d) => ({ replaceOne: { filter: { _id: d._id }, replacement: d, upsert: true } })),
    );
  }
}
