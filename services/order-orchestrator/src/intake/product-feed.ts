// The product view allocation reads: the kind of each product (storable,
// consumable, service) from ProductUpserted on odx.products.v1 (compacted: a
// full catalog). Consumables and services have no stock levels, so allocation
// must know them to let their lines ship without stock. Like the stock feed:
// one consumer group (shared by the instances) keeps the products in MongoDB
// (`orchestrator_products`, one small document per SKU); every instance
// applies what it consumes at once and re-reads the collection on a schedule.
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
import type { ProductFact, ProductView } from '../policy/index.js';

export const PRODUCT_COLLECTION = 'orchestrator_products';

interface ProductDoc {
  /** The SKU (what order lines carry). */
  _id: string;
  productId: string;
  productType: string;
  updatedAt: Date;
  eventId: string;
}

export interface ProductFeedOptions {
  cluster: ClusterAdmin;
  serde: EventSerde;
  db: Db;
  view: ProductView;
  logger: Logger;
  groupId: string;
  topic: string;
  /** How often the stored products are read again (products other instances consumed). */
  refreshMs: number;
  onFatal?: (err: Error) => void;
}

export class ProductFeed {
  private readonly consumer: RawConsumer;
  private readonly collection: Collection<ProductDoc>;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ProductFeedOptions) {
    this.collection = options.db.collection<ProductDoc>(PRODUCT_COLLECTION);
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
          .catch((err: unknown) => this.options.logger.warn('products could not be read', { err }))
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

  /** Reads every stored product into the view (older ones than it holds are ignored); returns how many are stored. */
  async refresh(): Promise<number> {
    const docs = await this.collection.find({}).toArray();
    for (const d of docs) this.options.view.apply(factOf(d));
    return docs.length;
  }

  async onBatch(batch: RawBatch): Promise<void> {
    const latest = new Map<string, ProductDoc>();
    for (const m of batch.messages) {
      const ceType = m.headers['ce_type'];
      if (ceType && !ceType.endsWith('.ProductUpserted')) continue;
      if (!m.value) continue; // a tombstone of the compacted topic: the product stays as last seen
      try {
        const event = canonicalEventOf(await this.options.serde.decode(m.value));
        if (event?.eventType !== 'ProductUpserted') continue;
        const p = event.payload.product;
        const doc: ProductDoc = {
          _id: p.sku,
          productId: p.productId,
          productType: p.productType,
          updatedAt: p.updatedAt,
          eventId: event.payload.meta.eventId,
        };
        // Only newer versions move the view (and get stored).
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

function factOf(d: ProductDoc): ProductFact {
  return { product: { sku: d._id, productType: d.productType, updatedAt: d.updatedAt }, eventId: d.eventId };
}
