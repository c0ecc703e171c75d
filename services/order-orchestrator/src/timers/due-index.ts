// Durable due times, cheap to scan. Each process document holds its `due`
// timer; this index repeats it per (10 s time slot, inbox partition), in one
// collection per partition and hour of slots (`orchestrator_due_p<n>_w<window>`),
// so a scan reads the slots from its cursor to now in the collections of their
// hour only, however many orders are open; windows the cursor has passed are
// dropped whole, and a first start finds the earliest window by name.
//
// Insert-only: FerretDB 1.24 scans the collection and decodes and re-encodes
// the document for every update statement, so a bucket updated with `$set` /
// `$unset` per batch cost more than the process write itself. The owner of a
// partition writes, per batch, one segment per slot it touches (`_id`
// `<slot>|<partition>|<writer>-<n>`): before the process documents the entries
// it adds, after them the entries it removes (tombstones), each list one JSON
// string (one value for FerretDB to handle, not four per entry). A slot's entries are its segments' additions
// less their removals. A scan reads a slot with one `{ slot }` filter per
// partition (pushed down to SQL; a point read by `_id` scans as much), and a
// past slot found with nothing left is deleted whole. FerretDB has no TTL index.
import { randomUUID } from 'node:crypto';
import { bulkWriteInChunks, chunked, insertManyInChunks, mapLimited } from '@odx/runtime';
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

/** A stored segment: what one batch added to and removed from a slot of a partition. */
export interface DueSegment {
  _id: string;
  slot: number;
  partition: number;
  /** JSON of [order, step, attempt, due ms][] added. */
  add?: string;
  /** ... and removed. */
  del?: string;
  /** Entries by encoded order id: the bucket documents of the earlier layout (read, never written). */
  e?: Record<string, DueEntry>;
}

/** A slot of a partition as read: its live entries (additions less removals). */
export interface DueBucket {
  /** `<slot>|<partition>`. */
  _id: string;
  slot: number;
  partition: number;
  /** Live entries (by order, step, attempt and due time). */
  e: Record<string, DueEntry>;
}

export interface DueChange {
  orderId: string;
  /** The entry to add (null: none). */
  add: IndexedDue | null;
  /** Entries to remove (the replaced one, or a stale one a timer came from). */
  remove: IndexedDue[];
}

type Tuple = [string, string, number, number];

const WINDOW = new RegExp(`^${DUE_COLLECTION}_p(\\d+)_w(\\d+)$`);

const keyOf = (o: string, s: string, a: number, t: number): string => `${o}\u0000${s}\u0000${a}\u0000${t}`;

export class DueIndex {
  private readonly collections = new Map<string, Collection<DueSegment>>();
  private readonly cursors: Collection<{ _id: string; slot: number; at: Date }>;
  /** Segment ids of this writer: `<writer>-<n>`. */
  private readonly writer = randomUUID().slice(0, 12);
  private written = 0;

  constructor(
    private readonly db: Db,
    /** Width of a bucket's time slot. */
    readonly slotMs: number,
    /** Slots per collection (a read of a slot scans its window's collection only). @default one hour's */
    readonly slotsPerWindow = Math.max(1, Math.round(3_600_000 / slotMs)),
  ) {
    this.cursors = db.collection(DUE_CURSOR_COLLECTION);
  }

  /** The collection of one inbox partition's segments of one window of slots (`<prefix>_p<partition>_w<window>`). */
  collectionOf(partition: number, slot: number): Collection<DueSegment> {
    const name = `${DUE_COLLECTION}_p${partition}_w${this.windowOf(slot)}`;
    let c = this.collections.get(name);
    if (!c) this.collections.set(name, (c = this.db.collection<DueSegment>(name)));
    return c;
  }

  windowOf(slot: number): number {
    return Math.floor(slot / this.slotsPerWindow);
  }

  /** The stored windows of each partition (a listing of collection names: nothing is scanned). */
  async windows(): Promise<Array<{ partition: number; window: number; name: string }>> {
    const out: Array<{ partition: number; window: number; name: string }> = [];
    for (const c of await this.db.listCollections({}, { nameOnly: true }).toArray()) {
      const m = WINDOW.exec(c.name);
      if (m) out.push({ partition: Number(m[1]), window: Number(m[2]), name: c.name });
    }
    return out;
  }

  /** Drops the windows that end before `slot` (the scan cursor: nothing before it is read again). */
  async dropBefore(slot: number): Promise<number> {
    const old = (await this.windows()).filter((w) => (w.window + 1) * this.slotsPerWindow <= slot);
    for (const w of old) {
      await this.db
        .collection(w.name)
        .drop()
        .catch(() => undefined);
      this.collections.delete(w.name);
    }
    return old.length;
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

  /** Writes a batch's additions, one segment per (slot, partition): call before the process documents are written. */
  async add(changes: readonly DueChange[]): Promise<void> {
    const tuples: Array<{ partition: number; at: number; t: Tuple }> = [];
    for (const c of changes)
      if (c.add) tuples.push({ partition: c.add.partition, at: c.add.at, t: [c.orderId, c.add.step, c.add.attempt, c.add.at] });
    await this.writeSegments('add', tuples);
  }

  /**
   * Writes a batch's removals (tombstones in the removed entries' slots): call after the process documents are
   * written, so a crash in between leaves an extra entry (a timer the fold ignores), never a process whose due
   * time no entry knows. An entry that is also the one added is not removed.
   */
  async remove(changes: readonly DueChange[]): Promise<void> {
    const tuples: Array<{ partition: number; at: number; t: Tuple }> = [];
    for (const c of changes) {
      for (const r of c.remove) {
        if (c.add && sameEntry(r, c.add)) continue;
        tuples.push({ partition: r.partition, at: r.at, t: [c.orderId, r.step, r.attempt, r.at] });
      }
    }
    await this.writeSegments('del', tuples);
  }

  private async writeSegments(kind: 'add' | 'del', tuples: ReadonlyArray<{ partition: number; at: number; t: Tuple }>): Promise<void> {
    const segments = new Map<string, { slot: number; partition: number; list: Tuple[] }>();
    for (const { partition, at, t } of tuples) {
      const slot = this.slotOf(at);
      const id = this.bucketId(slot, partition);
      let seg = segments.get(id);
      if (!seg) segments.set(id, (seg = { slot, partition, list: [] }));
      seg.list.push(t);
    }
    const byCollection = new Map<Collection<DueSegment>, DueSegment[]>();
    for (const seg of segments.values()) {
      const doc: DueSegment = {
        _id: `${this.bucketId(seg.slot, seg.partition)}|${this.writer}-${++this.written}`,
        slot: seg.slot,
        partition: seg.partition,
        [kind]: JSON.stringify(seg.list),
      };
      const c = this.collectionOf(seg.partition, seg.slot);
      const list = byCollection.get(c) ?? [];
      list.push(doc);
      byCollection.set(c, list);
    }
    await mapLimited([...byCollection], 3, ([c, docs]) => insertManyInChunks(c, docs));
  }

  /** The live entries of these slots and partitions (slots with no segment are left out). */
  async read(slots: readonly number[], partitions: readonly number[]): Promise<DueBucket[]> {
    const pairs = partitions.flatMap((p) => slots.map((s) => [p, s] as const));
    const found = await mapLimited(pairs, 4, async ([p, slot]) => {
      const docs = await this.collectionOf(p, slot).find({ slot }).toArray();
      return docs.length === 0 ? null : bucketOf(slot, p, docs);
    });
    return found.filter((b): b is DueBucket => b !== null);
  }

  /**
   * The first slot with segments (the scanner's starting point when no scan ever ran): the earliest window is
   * found in the collection names, and only its collections are read.
   */
  async firstSlot(partitions: readonly number[]): Promise<number | undefined> {
    const wanted = new Set(partitions);
    const windows = (await this.windows()).filter((w) => wanted.has(w.partition));
    if (windows.length === 0) return undefined;
    const first = Math.min(...windows.map((w) => w.window));
    const docs = (
      await mapLimited(
        windows.filter((w) => w.window === first),
        3,
        (w) =>
          this.db
            .collection<DueSegment>(w.name)
            .find({}, { projection: { slot: 1 } })
            .toArray(),
      )
    ).flat();
    return docs.length === 0 ? first * this.slotsPerWindow : Math.min(...docs.map((d) => d.slot));
  }

  /**
   * Deletes slots found with nothing left (past slots only: a writer adds to them only when an order's due time
   * was already past, and a scan that passed the slot would not read it again anyway). One pushed-down
   * `deleteMany({ slot })` each.
   */
  async deleteEmpty(buckets: ReadonlyArray<{ slot: number; partition: number }>): Promise<void> {
    const byCollection = new Map<Collection<DueSegment>, AnyBulkWriteOperation<DueSegment>[]>();
    for (const b of buckets) {
      const c = this.collectionOf(b.partition, b.slot);
      const list = byCollection.get(c) ?? [];
      list.push({ deleteMany: { filter: { slot: b.slot } } });
      byCollection.set(c, list);
    }
    const commands = [...byCollection].flatMap(([c, ops]) => chunked(ops, 5).map((chunk) => ({ c, chunk })));
    await mapLimited(commands, 2, ({ c, chunk }) => bulkWriteInChunks(c, chunk, { chunkSize: 5 }));
  }
}

function sameEntry(a: IndexedDue, b: IndexedDue): boolean {
  return a.step === b.step && a.attempt === b.attempt && a.at === b.at && a.partition === b.partition;
}

function tuples(json: string | undefined): Tuple[] {
  return json ? (JSON.parse(json) as Tuple[]) : [];
}

/** A slot's live entries: every addition not removed (a removal may come in a later segment than its addition). */
function bucketOf(slot: number, partition: number, docs: readonly DueSegment[]): DueBucket {
  const live = new Map<string, DueEntry>();
  const removed = new Set<string>();
  for (const d of docs) {
    for (const e of Object.values(d.e ?? {})) live.set(keyOf(e.o, e.s, e.a, e.t), e);
    for (const [o, s, a, t] of tuples(d.add)) live.set(keyOf(o, s, a, t), { o, s, a, t });
    for (const [o, s, a, t] of tuples(d.del)) removed.add(keyOf(o, s, a, t));
  }
  const e: Record<string, DueEntry> = {};
  for (const [k, entry] of live) if (!removed.has(k)) e[k] = entry;
  return { _id: `${slot}|${partition}`, slot, partition, e };
}
