import { insertManyInChunks } from '@odx/runtime';
import type { Collection, Db, Filter } from 'mongodb';
import type { EntryKind, IndexedEvent } from './event-record.js';

/**
 * How an entry is stored: the fields queries filter on as fields, the rest as
 * one JSON string. FerretDB's insert and scan costs grow with the number of
 * BSON fields (measured on this machine, insertMany of 500: 17 fields 6,240
 * docs/s, 3 fields 17,100 docs/s; a full scan 4x faster), and the sink must
 * write every event it reads.
 */
export interface StoredEntry {
  _id: string;
  time: Date;
  entry: EntryKind;
  links: string[];
  /** JSON of the IndexedEvent without _id, time, entry and links. */
  e: string;
}

export function toStored(x: IndexedEvent): StoredEntry {
  const { _id, time, entry, links, ...rest } = x;
  return { _id, time, entry, links, e: JSON.stringify(rest) };
}

export function fromStored(d: StoredEntry): IndexedEvent {
  const rest = JSON.parse(d.e) as Omit<IndexedEvent, '_id' | 'time' | 'entry' | 'links'>;
  if (rest.error && typeof rest.error.firstFailureTime === 'string') rest.error.firstFailureTime = new Date(rest.error.firstFailureTime);
  return { _id: d._id, time: d.time, entry: d.entry, links: d.links, ...rest };
}

/**
 * The append-only index of every event (collection `analytics_events`, `_id` =
 * event id). Writing is `insertMany({ ordered: false })` with duplicate-key
 * errors ignored, so redelivered events are dropped by the database itself:
 * the index is the sink's idempotency record. Everything else (lifecycles,
 * KPIs, timelines) is derived from it, never counted separately, so nothing
 * can be counted twice. FerretDB only makes inserts fast; reads are scans
 * that return the fields the caller asks for.
 */
export class EventIndex {
  readonly collection: Collection<StoredEntry>;
  private readonly listeners: Array<(docs: readonly IndexedEvent[]) => void> = [];

  constructor(db: Db, name = 'analytics_events') {
    this.collection = db.collection<StoredEntry>(name);
  }

  /** Secondary indexes help a real MongoDB; FerretDB on SQLite accepts them (and scans anyway). */
  async init(): Promise<void> {
    await this.collection.createIndexes([{ key: { links: 1 } }, { key: { time: 1 } }]).catch(() => undefined);
  }

  /** Called with every batch once it is stored (duplicates included: they are stored already). */
  onInserted(listener: (docs: readonly IndexedEvent[]) => void): void {
    this.listeners.push(listener);
  }

  /** Inserts what is new; returns how many documents were new (duplicates are not errors). */
  async insert(docs: IndexedEvent[]): Promise<number> {
    if (docs.length === 0) return 0;
    const inserted = await this.store(docs);
    for (const l of this.listeners) l(docs);
    return inserted;
  }

  private async store(docs: IndexedEvent[]): Promise<number> {
    // The driver adds nothing to documents that have an _id, so the caller's objects stay as they are.
    return (await insertManyInChunks(this.collection, docs.map(toStored))).inserted;
  }

  /** Entries carrying any of `tokens` in their links (a scan on FerretDB). */
  async byLinks(tokens: string[]): Promise<IndexedEvent[]> {
    if (tokens.length === 0) return [];
    return (await this.collection.find({ links: { $in: tokens } }).toArray()).map(fromStored);
  }

  /** Entries whose business time is in [from, to) (either end open when null). */
  async inRange(from: Date | null, to: Date | null): Promise<IndexedEvent[]> {
    return (await this.collection.find(rangeFilter(from, to)).toArray()).map(fromStored);
  }

  count(filter: Filter<StoredEntry> = {}): Promise<number> {
    return this.collection.countDocuments(filter);
  }
}

function rangeFilter(from: Date | null, to: Date | null): Filter<StoredEntry> {
  if (!from && !to) return {};
  return { time: { ...(from ? { $gte: from } : {}), ...(to ? { $lt: to } : {}) } };
}
