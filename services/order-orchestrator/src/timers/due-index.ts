// Durable due times, cheap to scan. Each process document holds its `due`
// timer; this index repeats it in small bucket documents, one per (time slot,
// inbox partition): `_id` `<slot>|<partition>`, entries keyed by order, in one
// collection per partition (`orchestrator_due_p<n>`). A scan reads the buckets
// from its cursor to now by `_id`, so it reads the due entries only, however
// many orders are open; FerretDB scans a collection for every statement, and a
// collection per partition keeps each one a sixth of the index. FerretDB has no
// TTL index and no atomic read-modify-write across writers, so a bucket has one
// writer: the owner of its inbox partition.
import { findByIds, mapLimited, storeLimits, chunked, bulkWriteInChunks } from '@odx/runtime';
import type { AnyBulkWriteOperation, Collection, Db } from 'mongodb';
import type { IndexedDue } from '../process/process-state.js';

/** Prefix of the due-index collections: `<prefix>_p<partition>`. */
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
  private readonly collections = new Map<number, Collection<DueBucket>>();
  private readonly cursors: Collection<{ _id: string; slot: number; at: Date }>;

  constructor(
    private readonly db: Db,
    /** Width of a bucket's time slot. */
    readonly slotMs: number,
  ) {
    this.cursors = db.collection(DUE_CURSOR_COLLECTION);
  }

  /** The collection of one inbox partition's buckets. */
  collectionOf(partition: number): Collection<DueBucket> {
    let c = this.collections.get(partition);
    if (!c) this.collections.set(partition, (c = this.db.collection<DueBucket>(`${DUE_COLLECTION}_p${partition}`)));
    return c;
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
        partition: b.partition,
        op: { updateOne: { filter: { _id: id }, update: { $set: { slot: b.slot, partition: b.partition, ...b.set } }, upsert: true } },
      })),
    );
  }

  /** Removes replaced entries (call after the process documents are written); an entry that is also re-added stays. */
  async remove(changes: readonly DueChange[]): Promise<void> {
    const byBucket = new Map<string, { partition: number; unset: Record<string, ''> }>();
    for (const c of changes) {
      const keep = c.add ? this.bucketId(this.slotOf(c.add.at), c.add.partition) : null;
      for (const r of c.remove) {
        const id = this.bucketId(this.slotOf(r.at), r.partition);
        if (id === keep) continue;
        let b = byBucket.get(id);
        if (!b) byBucket.set(id, (b = { partition: r.partition, unset: {} }));
        b.unset[`e.${fieldOf(c.orderId)}`] = '';
      }
    }
    await this.write(
      [...byBucket].map(([id, b]) => ({ partition: b.partition, op: { updateOne: { filter: { _id: id }, update: { $unset: b.unset } } } })),
    );
  }

  /** The buckets of these slots and partitions that exist. */
  async read(slots: readonly number[], partitions: readonly number[]): Promise<DueBucket[]> {
    const found = await mapLimited(partitions, 3, (p) =>
      findByIds(
        this.collectionOf(p),
        slots.map((s) => this.bucketId(s, p)),
        { concurrency: 3 },
      ),
    );
    return found.flat();
  }

  /** Every bucket's slot (the scanner's starting point when no scan ever ran). Reads the whole index once. */
  async slots(partitions: readonly number[]): Promise<number[]> {
    const docs = (
      await mapLimited(partitions, 3, (p) =>
        this.collectionOf(p)
          .find({}, { projection: { slot: 1 } })
          .toArray(),
      )
    ).flat();
    return [...new Set(docs.map((d) => d.slot))].sort((a, b) => a - b);
  }

  /** Deletes buckets found empty (past slots only: nothing is added to them any more). */
  async deleteEmpty(buckets: ReadonlyArray<{ id: string; partition: number }>): Promise<void> {
    await this.write(buckets.map((b) => ({ partition: b.partition, op: { deleteOne: { filter: { _id: b.id, e: {} } } } })));
  }

  private async write(ops: ReadonlyArray<{ partition: number; op: AnyBulkWriteOperation<DueBucket> }>): Promise<void> {
    if (ops.length === 0) return;
    const byPartition = new Map<number, AnyBulkWriteOperation<DueBucket>[]>();
    for (const { partition, op } of ops) {
      const list = byPartition.get(partition);
      if (list) list.push(op);
      else byPartition.set(partition, [op]);
    }
    const size = storeLimits().maxStatements;
    const commands = [...byPartition].flatMap(([p, list]) => chunked(list, size).map((chunk) => ({ p, chunk })));
    await mapLimited(commands, 3, ({ p, chunk }) => bulkWriteInChunks(this.collectionOf(p), chunk, { chunkSize: size }));
  }
}
