// A view the process reads (stock levels, product kinds) kept from a topic of
// "latest value per key" events. One consumer group, shared by the
// instances, stores the values in MongoDB (one small document per key); every
// instance applies what it consumes at once and re-reads the whole (small)
// collection on a schedule, so each holds every value whichever partitions it
// consumes. Only values newer than the view holds move it and get stored.
import {
  RawConsumer,
  bulkWriteInChunks,
  canonicalEventOf,
  classifyError,
  type CanonicalEvent,
  type ClusterAdmin,
  type EventSerde,
  type Logger,
  type RawBatch,
} from '@odx/runtime';
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

export interface FeedOptions {
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
    private readonly options: FeedOptions,
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
