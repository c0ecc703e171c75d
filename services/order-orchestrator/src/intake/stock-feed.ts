// The stock view allocation reads: the latest InventoryLevelChanged per SKU
// and warehouse. One consumer group (shared by the instances) keeps the levels
// in MongoDB (`orchestrator_stock_levels`, one small document per SKU,
// warehouse, location and lot); every instance applies what it consumes at
// once and re-reads the whole (small) collection on a schedule, so each holds
// every level whichever partitions it consumes.
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
import type { LevelFact, StockView } from '../policy/index.js';

export const STOCK_COLLECTION = 'orchestrator_stock_levels';

interface LevelDoc {
  _id: string;
  sku: string;
  warehouseCode: string;
  locationCode: string | null;
  lotNumber: string | null;
  available: string;
  asOf: Date;
  eventId: string;
}

export interface StockFeedOptions {
  cluster: ClusterAdmin;
  serde: EventSerde;
  db: Db;
  view: StockView;
  logger: Logger;
  groupId: string;
  topic: string;
  /** How often the stored levels are read again (levels other instances consumed). */
  refreshMs: number;
  onFatal?: (err: Error) => void;
}

export class StockFeed {
  private readonly consumer: RawConsumer;
  private readonly collection: Collection<LevelDoc>;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: StockFeedOptions) {
    this.collection = options.db.collection<LevelDoc>(STOCK_COLLECTION);
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

  /** Reads every stored level into the view (older ones than it holds are ignored). */
  async refresh(): Promise<number> {
    const docs = await this.collection.find({}).toArray();
    for (const d of docs) this.options.view.apply(factOf(d));
    return docs.length;
  }

  async onBatch(batch: RawBatch): Promise<void> {
    const latest = new Map<string, LevelDoc>();
    for (const m of batch.messages) {
      const ceType = m.headers['ce_type'];
      if (ceType && !ceType.endsWith('.InventoryLevelChanged')) continue;
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
        // Only newer levels move the view (and get stored).
        if (this.options.view.apply(factOf(doc))) latest.set(doc._id, doc);
      } catch (err) {
        if (classifyError(err).kind === 'transient') throw err;
      }
    }
    await bulkWriteInChunks(
      this.collection,
      [...latest.values()].map((d) => ({ replaceOne: { filter: { _id: d._id }, replacement: d, upsert: true } })),
    );
  }
}

function factOf(d: LevelDoc): LevelFact {
  return {
    level: {
      sku: d.sku,
      warehouseCode: d.warehouseCode,
      locationCode: d.locationCode,
      lotNumber: d.lotNumber,
      available: d.available,
      asOf: d.asOf,
    },
    eventId: d.eventId,
  };
}
