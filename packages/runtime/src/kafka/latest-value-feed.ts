// A view a service reads (the orchestrator's stock levels and product kinds,
// api-gateway's availability) kept from a topic of
// "latest value per key" events. One consumer group, shared by the
// instances, stores the values in MongoDB (one small document per key); every
// instance applies what it consumes at once and re-reads the whole (small)
// collection on a schedule, so each holds every value whichever partitions it
// consumes. Only values newer than the view holds move it and get stored.
import { classifyError } from '../resilience/index.js';
import type { Logger } from '../logging/index.js';
import type { EventSerde } from '../serde/index.js';
import { bulkWriteInChunks } from '../store/bounded-writes.js';
import type { ClusterAdmin } from './cluster-admin.js';
import { canonicalEventOf, type CanonicalEvent } from './events.js';
import { RawConsumer, type RawBatch } from './raw-consumer.js';
import type { EventType } from '@odx/schemas';
import type { Collection, Db, Document } from 'mongodb';

type StoredValue = Document & { _id: string };

/** One kind of value: where it comes from, how it is stored and how the view takes it. */
export interface LatestValueKind<D extends StoredValue> {
  /** What the values are, for logs: "stock levels". */
  what: string;
  /** The event type that carries a value; others on the topic are skipped unread. */
  eventType: EventType;
  collection: string;
  /** The document to store for an event, or undefined when the event carries no value. */
  docOf(event: CanonicalEvent): D | undefined;
  /** Applies a stored value to the view; true when it was newer than what the view held. */
  apply(doc: D): boolean;
}

export interface LatestValueFeedOptions {
  cluster: ClusterAdmin;
  serde: EventSerde;
  db: Db;
  logger: Logger;
  groupId: string;
  topic: string;
  /** How often the stored values are read again (values other instances consumed). */
  refreshMs: number;
  onFatal?: (err: Error) => void;
}

export class LatestValueFeed<D extends StoredValue> {
  private readonly consumer: RawConsumer;
  /** Typed by the key alone: the driver's filter types do not follow a generic document type. */
  private readonly collection: Collection<StoredValue>;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly kind: LatestValueKind<D>,
    private readonly options: LatestValueFeedOptions,
  ) {
    this.collection = options.db.collection<StoredValue>(kind.collection);
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
          .catch((err: unknown) => this.options.logger.warn(`${this.kind.what} could not be read`, { err }))
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

  /** Reads every stored value into the view (older ones than it holds are ignored); returns how many are stored. */
  async refresh(): Promise<number> {
    const docs = await this.collection.find({}).toArray();
    // Every stored document was written from a D by onBatch (the collection is this feed's own).
    for (const d of docs) this.kind.apply(d as D);
    return docs.length;
  }

  async onBatch(batch: RawBatch): Promise<void> {
    const latest = new Map<string, D>();
    const ceType = `.${this.kind.eventType}`;
    for (const m of batch.messages) {
      const header = m.headers['ce_type'];
      if (header && !header.endsWith(ceType)) continue;
      if (!m.value) continue; // a tombstone of a compacted topic: the value stays as last seen
      try {
        const event = canonicalEventOf(await this.options.serde.decode(m.value));
        const doc = event ? this.kind.docOf(event) : undefined;
        if (doc && this.kind.apply(doc)) latest.set(doc._id, doc);
      } catch (err) {
        // An undecodable record is skipped (the next value for its key replaces it); a store or registry outage is retried.
        if (classifyError(err).kind === 'transient') throw err;
      }
    }
    await bulkWriteInChunks(
      this.collection,
      [...latest.values()].map((d) => ({ replaceOne: { filter: { _id: d._id }, replacement: d, upsert: true } })),
    );
  }
}

/** The latest stock level of one SKU, warehouse, location and lot, as a LatestValueKind stores it. */
export interface StockLevelDoc {
  /** `sku|warehouse|location|lot` (empty parts for no location or lot). */
  _id: string;
  sku: string;
  warehouseCode: string;
  locationCode: string | null;
  lotNumber: string | null;
  /** Decimal string, as the event carries it. */
  available: string;
  asOf: Date;
  eventId: string;
}

/** `docOf` of a stock-level kind: the level an InventoryLevelChanged carries; undefined for other events. */
export function stockLevelDocOf(event: CanonicalEvent): StockLevelDoc | undefined {
  if (event.eventType !== 'InventoryLevelChanged') return undefined;
  const l = event.payload.level;
  return {
    _id: [l.sku, l.warehouseCode, l.locationCode ?? '', l.lotNumber ?? ''].join('|'),
    sku: l.sku,
    warehouseCode: l.warehouseCode,
    locationCode: l.locationCode,
    lotNumber: l.lotNumber,
    available: l.available,
    asOf: l.asOf,
    eventId: event.payload.meta.eventId,
  };
}

/** The kind of a stock-level view: InventoryLevelChanged stored in `collection`, each level handed to `apply`. */
export function stockLevelKind(collection: string, apply: (doc: StockLevelDoc) => boolean): LatestValueKind<StockLevelDoc> {
  return { what: 'stock levels', eventType: 'InventoryLevelChanged', collection, docOf: stockLevelDocOf, apply };
}
