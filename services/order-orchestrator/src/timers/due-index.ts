// Durable due times, cheap to scan. Each process document holds its `due`
// timer; this index repeats it in small bucket documents, one per (time slot,
// inbox partition): `_id` `<slot>|<partition>`, entries keyed by order. A scan
// reads the buckets from its cursor to now by `_id` (the only reads FerretDB
// keeps cheap, and on a collection that stays small), however many orders are
// open. FerretDB has no TTL index and no atomic read-modify-write across
// writers, so a bucket has one writer: the owner of its inbox partition.
import { findByIds, mapLimited, storeLimits, chunked, bulkWriteInChunks } from '@odx/runtime';
import type { AnyBulkWriteOperation, Collection, Db } from 'mongodb';
import type { IndexedDue } from '../process/process-state.js';

export const DUE_COLLECTION = 'orchestrator_due';
/** Where the scanners keep how far they have read (one document), so a start needs no listing of the index. */
export const DUE_CURSOR_COLLECTION = 'orchestrator_due_cursor';

export interface DueEntry {
  /** Order id. */
  o: string;
  /** Step. */
  s: string;
  /** Attempt the timer guards. */
  a: number;
  /** Due time, epoch ms. */
  t: number;
}

export interface DueBucket {
  _id: string;
  slot: number;
  partition: number;
  /** Entries by encoded order id. */
  e: Record<string, DueEntry>;
}

export interface DueChange {
  orderId: string;
  /** The entry to add (null: none). */
  add: IndexedDue | null;
  /** Entries to remove (the replaced one, or a stale one a timer came from). */
  remove: IndexedDue[];
}

/** Order ids become field names: `.` and `$` may not appear in them, `%` escapes. */
export function fieldOf(orderId: string): string {
  return orderId.replace(/%/g, '%25').replace(/\./g, '%2E').replace(/\$/g, '%24');
}

export class DueIndex {
  readonly collection: Collection<DueBucket>;
  private readonly cursors: Collection<{ _id: string; slot: number; at: Date }>;

  constructor(
    db: Db,
    /** Width of a bucket's time slot. */
    readonly slotMs: number,
  ) {
    this.collection = db.collection<DueBucket>(DUE_COLLECTION);
    this.cursors = db.collection(DUE_CURSOR_COLLECTION);
  }

  /** The first slot that may still hold due entries, as the last scan (of any instance) left it. */
  async readCursor(): Promise<number | undefined> {
    return (await this.cursors.findOne({ _id: 'scan' }))?.slot;
  }

  async writeCursor(slot: number): Promise<void> {
    await this.cursors.replaceOne({ _id: 'scan' }, { slot, at: new Date() }, { upsert: true });
  }

  slotOf(at: number): number {
    return Math.floor(at / this.slotMs);
  }

  bucketId(slot: number, partition: number): string {
    return `${slot}|${partition}`;
  }

  /** Writes the additions (call before the process documents are written). */
  async add(changes: readonly DueChange[]): Promise<void> {
    const byBucket = new Map<string, { slot: number; partition: number; set: Record<string, DueEntry> }>();
    for (const c of changes) {
      if (!c.add) continue;
      const slot = this.slotOf(c.add.at);
      const id = this.bucketId(slot, c.add.partition);
      let b = byBucket.get(id);
      if (!b) byBucket.set(id, (b = { slot, partition: c.add.partition, set: {} }));
      b.set[`e.${fieldOf(c.orderId)}`] = { o: c.orderId, s: c.add.step, a: c.add.attempt, t: c.add.at };
    }
    await this.write(
      [...byBucket].map(([id, b]) => ({
        updateOne: { filter: { _id: id }, update: { $set: { slot: b.slot, partition: b.partition, ...b.set } }, upsert: true },
      })),
    );
  }

  /** Removes replaced entries (call after the process documents are written); an entry that is also re-added stays. */
  async remove(changes: readonly DueChange[]): Promise<void> {
    const byBucket = new Map<string, Record<string, ''>>();
    for (const c of changes) {
      const keep = c.add ? this.bucketId(this.slotOf(c.add.at), c.add.partition) : null;
      for (const r of c.remove) {
        const id = this.bucketId(this.slotOf(r.at), r.partition);
        if (id === keep) continue;
        let unset = byBucket.get(id);
        if (!unset) byBucket.set(id, (unset = {}));
        unset[`e.${fieldOf(c.orderId)}`] = '';
      }
    }
    await this.write([...byBucket].map(([id, unset]) => ({ updateOne: { filter: { _id: id }, update: { $unset: unset } } })));
  }

  /** The buckets of these slots and partitions that exist. */
  async read(slots: readonly number[], partitions: readonly number[]): Promise<DueBucket[]> {
    const ids = slots.flatMap((s) => partitions.map((p) => this.bucketId(s, p)));
    return findByIds(this.collection, ids, { concurrency: 8 });
  }

  /** Every bucket's slot (the scanner's starting point after a start). Reads the whole index once. */
  async slots(): Promise<number[]> {
    const docs = await this.collection.find({}, { projection: { slot: 1 } }).toArray();
    return [...new Set(docs.map((d) => d.slot))].sort((a, b) => a - b);
  }

  /** Deletes buckets found empty (past slots only: nothing is added to them any more). */
  async deleteEmpty(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.write(ids.map((id) => ({ deleteOne: { filter: { _id: id, e: {} } } })));
  }

  private async write(ops: AnyBulkWriteOperation<DueBucket>[]): Promise<void> {
    if (ops.length === 0) return;
    const size = storeLimits().maxStatements;
    await mapLimited(chunked(ops, size), 3, (chunk) => bulkWriteInChunks(this.collection, chunk, { chunkSize: size }));
  }
}
