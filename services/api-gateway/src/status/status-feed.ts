// The per-order timeline of orders created through this API, kept from the
// order, shipment and invoice topics: one small insert-only document per
// (order, event), `_id` `<orderId>|<eventId>`, so a redelivery is a duplicate
// insert and nothing is ever read-modified-written (FerretDB has no atomic
// update). Events of other orders are skipped without a write.
import {
  RawConsumer,
  canonicalEventOf,
  classifyError,
  insertManyInChunks,
  type ClusterAdmin,
  type EventSerde,
  type RawBatch,
} from '@odx/runtime';
import type { Collection, Db } from 'mongodb';
import { TIMELINE_EVENT_TYPES, timelineEntryOf, type TimelineEntry } from './order-status.js';

export const TIMELINE_COLLECTION = 'api_gateway_order_timeline';
/** Most entries one order's timeline shows. */
const MAX_ENTRIES = 500;

type TimelineDoc = TimelineEntry & { _id: string };

export interface StatusFeedOptions {
  cluster: ClusterAdmin;
  serde: EventSerde;
  db: Db;
  groupId: string;
  topics: string[];
  onFatal?: (err: Error) => void;
}

const WANTED = new Set<string>(TIMELINE_EVENT_TYPES.map((t) => `.${t}`));

export class StatusFeed {
  private readonly consumer: RawConsumer;
  readonly collection: Collection<TimelineDoc>;

  constructor(private readonly options: StatusFeedOptions) {
    this.collection = options.db.collection<TimelineDoc>(TIMELINE_COLLECTION);
    this.consumer = new RawConsumer(options.cluster, {
      groupId: options.groupId,
      topics: options.topics,
      onBatch: (batch) => this.onBatch(batch),
      ...(options.onFatal ? { onFatal: options.onFatal } : {}),
    });
  }

  async start(): Promise<void> {
    // On a real MongoDB this serves the timeline query; FerretDB scans either way (docs/known-issues.md).
    await this.collection.createIndex({ orderId: 1, at: 1 }).catch(() => undefined);
    await this.consumer.start();
  }

  close(): Promise<void> {
    return this.consumer.close();
  }

  /** An order's timeline, oldest first. */
  async timeline(orderId: string): Promise<TimelineEntry[]> {
    const docs = await this.collection.find({ orderId }).sort({ at: 1, _id: 1 }).limit(MAX_ENTRIES).toArray();
    return docs.map(({ _id, ...entry }) => entry);
  }

  private async onBatch(batch: RawBatch): Promise<void> {
    const docs: TimelineDoc[] = [];
    for (const m of batch.messages) {
      const type = m.headers['ce_type'];
      if (!m.value || (type && !WANTED.has(type.slice(type.lastIndexOf('.'))))) continue;
      try {
        const event = canonicalEventOf(await this.options.serde.decode(m.value));
        const entry = event ? timelineEntryOf(event) : undefined;
        if (entry) docs.push({ _id: `${entry.orderId}|${entry.eventId}`, ...entry });
      } catch (err) {
        // An undecodable record is not an API order's step; a store or registry outage is retried.
        if (classifyError(err).kind === 'transient') throw err;
      }
    }
    if (docs.length > 0) await insertManyInChunks(this.collection, docs);
  }
}
