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
//
// A due time already past when its entry is written (the inbox lags by more
// than the SLA, a restart) would land in a slot the scanner may have passed:
// `file` puts it (and one due within the current slot) under the slot after
// the current one (or the scan cursor this instance last saw, if later), with
// that slot's start as the entry's time, so the timer signal names it and the
// fold's removal finds it; the process keeps the slot in `dueIndexed`.
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
  /** The scan cursor as this instance last read or wrote it (late entries are filed no earlier). */
  private cursorSeen = 0;

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
    const slot = (await this.cursors.findOne({ _id: 'scan' }))?.slot;
    if (slot !== undefined) this.cursorSeen = Math.max(this.cursorSeen, slot);
    return slot;
  }

  async writeCursor(slot: number): Promise<void> {
    await this.cursors.replaceOne({ _id: 'scan' }, { slot, at: new Date() }, { upsert: true });
    this.cursorSeen = Math.max(this.cursorSeen, slot);
  }

  /**
   * The entry to write for `due`, with the slot it is filed under: its own slot while that is still to come;
   * else (past, or the current slot) the slot after the current one: a scan that reads the current slot for
   * the last time while the entry is being written would miss it there. Never before the scan cursor this
   * instance last saw. `now` is the wall clock (the scanner's), not the time of the signal that set the due time.
   */
  file(due: IndexedDue, now = Date.now()): IndexedDue {
    const own = this.slotOf(due.at);
    const current = this.slotOf(now);
    return { ...due, slot: Math.max(own > current ? own : current + 1, this.cursorSeen) };
  }

  /** The slot an entry is filed under. */
  slotFiled(due: IndexedDue): number {
    return due.slot ?? this.slotOf(due.at);
  }

  /** The time an entry is stored (and its timer signal sent) with: its due time, or the start of the later slot it was filed under. */
  entryTime(due: IndexedDue): number {
    const slot = this.slotFiled(due);
    return slot > this.slotOf(due.at) ? slot * this.slotMs : due.at;
  }

  /** Whether two entries are the same stored entry (a timer signal's is known by its time: it has no slot). */
  sameEntry(a: IndexedDue, b: IndexedDue): boolean {
    return (
      a.step === b.step &&
      a.attempt === b.attempt &&
      a.partition === b.partition &&
      this.entryTime(a) === this.entryTime(b) &&
      this.slotFiled(a) === this.slotFiled(b)
    );
  }

  slotOf(at: number): number {
    return Math.floor(at / this.slotMs);
  }

  bucketId(slot: number, partition: number): string {
    return `${slot}|${partition}`;
  }

  /** Writes a batch's additions, one segment per (slot, partition): call before the process documents are written. */
  async add(changes: readonly DueChange[]): Promise<void> {
    const tuples: Array<{ partition: number; slot: number; t: Tuple }> = [];
    for (const c of changes) if (c.add) tuples.push(this.tupleOf(c.orderId, c.add));
    await this.writeSegments('add', tuples);
  }

  /**
   * Writes a batch's removals (tombstones in the removed entries' slots): call after the process documents are
   * written, so a crash in between leaves an extra entry (a timer the fold ignores), never a process whose due
   * time no entry knows. An entry that is also the one added is not removed.
   */
  async remove(changes: readonly DueChange[]): Promise<void> {
    const tuples: Array<{ partition: number; slot: number; t: Tuple }> = [];
    for (const c of changes) {
      for (const r of c.remove) {
        if (c.add && this.sameEntry(r, c.add)) continue;
        tuples.push(this.tupleOf(c.orderId, r));
      }
    }
    await this.writeSegments('del', tuples);
  }

  private tupleOf(orderId: string, d: IndexedDue): { partition: number; slot: number; t: Tuple } {
    return { partition: d.partition, slot: this.slotFiled(d), t: [orderId, d.step, d.attempt, this.entryTime(d)] };
  }

  private async writeSegments(kind: 'add' | 'del', tuples: ReadonlyArray<{ partition: number; slot: number; t: Tuple }>): Promise<void> {
    const segments = new Map<string, { slot: number; partition: number; list: Tuple[] }>();
    for (const { partition, slot, t } of tuples) {
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
   * Deletes slots found with nothing left (past slots only: a writer files an entry whose due time is past
   * under a slot after the current one, and a scan that passed the slot would not read it again anyway). One pushed-down
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
