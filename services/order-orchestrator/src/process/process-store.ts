// Process documents, insert-only: every stored change of an order's process is
// a new version document (`_id` `<order id>~<version>`), never an update, and
// the owner of an inbox partition keeps in memory which version of each of its
// orders is the latest (and the processes it used last).
//
// Why (measured on FerretDB 1.24 / PostgreSQL, .scratch/h7-prims*.ts, docs/benchmarks.md):
// every update, delete or read by a filter scans the collection and decodes
// what it reads, and FerretDB's cost per document grows with the values in it
// (a 3 KB process as nested fields: insert ~630 docs/s, read ~550 docs/s,
// replaceOne ~130-260/s); an insert only checks the unique `_id` index. So a
// version holds the process as one binary value, JSON deflated (`s`; a 3 KB
// opaque value: insert 3,700-5,100 docs/s; 5.9 KB deflated to 1.3 KB:
// insert 4,200-5,300/s and read 2,900-5,500/s where raw it was ~2,000/s and
// ~1,800/s; .scratch/h7-prims3.ts) beside the few fields people's reads filter on
// (`o` order id, `n` Odoo name, `r` customer PO, `open`, `at`), and a batch's
// changes are one insert command per partition.
//
// Layout: per inbox partition, generations of collections
// `orchestrator_proc_p<partition>_g<generation>`. An instance that takes a
// partition lists its versions once (`o`, `v`: the version map), and writes
// into a generation of its own, created then (so two owners, one of them a
// zombie of a rebalance, never write into one collection). A version whose
// `_id` exists already means someone else wrote the order meanwhile: the
// partition's memory is dropped and the batch fails (it comes again and is
// folded on what is stored). Compaction, in the background: when the older
// generations hold more superseded versions than the partition has orders, the
// latest version of every order still in them is copied into the current
// generation and the older generations are dropped (a drop, not a delete: no
// scan). A copy is the same document under the same `_id`, so a reader that
// meets a generation gone finds the order by `o` in the others. Closed
// processes past their retention are left out of the copy (`sweepClosed`):
// FerretDB has no TTL index.
import { findByIds, insertManyInChunks, mapLimited, type Logger } from '@odx/runtime';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { Binary, type Collection, type Db } from 'mongodb';
import type { ProcessState } from './process-state.js';

/** Prefix of the process collections: `<prefix>_p<partition>_g<generation>`. */
export const PROCESS_COLLECTION = 'orchestrator_proc';

/** One stored version of a process. */
export interface ProcessVersionDoc {
  /** `<orderId>~<version>`. */
  _id: string;
  /** Order id. */
  o: string;
  /** The process's version (ProcessState.version). */
  v: number;
  open: boolean;
  /** updatedAt, epoch ms. */
  at: number;
  /** Odoo order name, customer PO (people's lookups). */
  n: string | null;
  r: string | null;
  /** The process state as JSON (dates tagged: the outbox holds event payloads), deflated: one binary value. */
  s: Binary;
}

export interface ProcessStoreOptions {
  /** Processes kept in memory (least recently used go first; the version map keeps every order of an owned partition). @default 50000 */
  cacheSize?: number;
  /** Superseded versions in older generations, per order of the partition, that start a compaction. @default 1 */
  compactRatio?: number;
  /** ... and at least this many. @default 2000 */
  compactMin?: number;
  logger?: Logger;
}

interface Cached {
  state: ProcessState;
  partition: number;
}

interface Latest {
  v: number;
  gen: number;
  open: boolean;
  at: number;
}

interface PartitionState {
  /** Latest version of every order of the partition. */
  latest: Map<string, Latest>;
  /** Generations present, ascending; the last is this instance's own. */
  gens: number[];
  /** Versions stored per generation (what compaction weighs). */
  docs: Map<number, number>;
  compacting: Promise<number> | undefined;
  dropped: boolean;
}

/** A version already stored under this `_id`: another writer had the partition meanwhile. */
export class ProcessVersionConflict extends Error {
  constructor(
    readonly partition: number,
    readonly orderIds: string[],
  ) {
    super(
      `process versions of partition ${partition} already stored (${orderIds.slice(0, 3).join(', ')}): another writer had it meanwhile`,
    );
    this.name = 'ProcessVersionConflict';
  }
}

export const versionId = (orderId: string, version: number): string => `${orderId}~${version}`;

const NAME = new RegExp(`^${PROCESS_COLLECTION}_p(\\d+)_g(\\d+)$`);

export class ProcessStore {
  private readonly cache = new Map<string, Cached>();
  private readonly partitions = new Map<number, Promise<PartitionState>>();
  private readonly cacheSize: number;
  private readonly compactRatio: number;
  private readonly compactMin: number;

  constructor(
    private readonly db: Db,
    private readonly options: ProcessStoreOptions = {},
  ) {
    this.cacheSize = options.cacheSize ?? 50_000;
    this.compactRatio = options.compactRatio ?? 1;
    this.compactMin = options.compactMin ?? 2_000;
  }

  collectionOf(partition: number, gen: number): Collection<ProcessVersionDoc> {
    return this.db.collection<ProcessVersionDoc>(`${PROCESS_COLLECTION}_p${partition}_g${gen}`);
  }

  /** Stored generations per partition. */
  async generations(): Promise<Map<number, number[]>> {
    const out = new Map<number, number[]>();
    for (const c of await this.db.listCollections({}, { nameOnly: true }).toArray()) {
      const m = NAME.exec(c.name);
      if (!m) continue;
      const p = Number(m[1]);
      const list = out.get(p) ?? [];
      list.push(Number(m[2]));
      out.set(p, list);
    }
    for (const list of out.values()) list.sort((a, b) => a - b);
    return out;
  }

  /** The partition's version map, read once when this instance starts writing it, and a generation of its own. */
  private partition(partition: number): Promise<PartitionState> {
    let p = this.partitions.get(partition);
    if (!p) {
      p = this.open(partition);
      this.partitions.set(partition, p);
      p.catch(() => this.partitions.delete(partition));
    }
    return p;
  }

  private async open(partition: number): Promise<PartitionState> {
    const gens = (await this.generations()).get(partition) ?? [];
    const latest = new Map<string, Latest>();
    const docs = new Map<number, number>();
    for (const gen of gens) {
      const found = await this.collectionOf(partition, gen)
        .find({}, { projection: { o: 1, v: 1, open: 1, at: 1 } })
        .toArray();
      docs.set(gen, found.length);
      for (const d of found) {
        const had = latest.get(d.o);
        if (!had || had.v < d.v) latest.set(d.o, { v: d.v, gen, open: d.open, at: d.at });
      }
    }
    const own = (gens[gens.length - 1] ?? 0) + 1;
    await this.db.createCollection(`${PROCESS_COLLECTION}_p${partition}_g${own}`).catch((err: unknown) => {
      // Another instance created it first (it took the partition too): the batch fails and comes again.
      throw new ProcessVersionConflict(partition, [`generation ${own}: ${err instanceof Error ? err.message : String(err)}`]);
    });
    docs.set(own, 0);
    return { latest, gens: [...gens, own], docs, compacting: undefined, dropped: false };
  }

  /** The processes of `orderIds` (null: none yet): from memory, else a read of the latest version. */
  async load(orderIds: readonly string[], partition: number): Promise<Map<string, ProcessState | null>> {
    const part = await this.partition(partition);
    const out = new Map<string, ProcessState | null>();
    const missing = new Map<number, string[]>();
    for (const id of orderIds) {
      out.set(id, null);
      const hit = this.cache.get(id);
      const latest = part.latest.get(id);
      if (!latest) continue;
      if (hit && hit.partition === partition && hit.state.version === latest.v) {
        this.cache.delete(id);
        this.cache.set(id, hit);
        out.set(id, hit.state);
        continue;
      }
      const list = missing.get(latest.gen) ?? [];
      list.push(id);
      missing.set(latest.gen, list);
    }
    await mapLimited([...missing], 4, async ([gen, ids]) => {
      const found = await findByIds(
        this.collectionOf(partition, gen),
        ids.map((id) => versionId(id, part.latest.get(id)!.v)),
        { concurrency: 2 },
      );
      const got = new Set<string>();
      for (const d of found) {
        out.set(d.o, parseState(d));
        got.add(d.o);
      }
      // Its generation was compacted away meanwhile: the copy is in another one.
      for (const id of ids.filter((i) => !got.has(i))) {
        const s = await this.latestStored(id, partition);
        if (!s) throw new Error(`process ${id} version ${part.latest.get(id)!.v} not found in partition ${partition}`);
        out.set(id, s);
      }
    });
    return out;
  }

  /**
   * Stores `states` as new versions (one insert command per partition) and keeps them in memory. A version
   * already stored means another writer had the partition: its memory is dropped and ProcessVersionConflict thrown.
   */
  async save(states: readonly ProcessState[], partition: number, _fresh?: ReadonlySet<string>): Promise<void> {
    void _fresh;
    if (states.length === 0) return;
    const part = await this.partition(partition);
    const gen = part.gens[part.gens.length - 1]!;
    const docs = states.map((s) => docOf(s));
    const { duplicates } = await insertManyInChunks(this.collectionOf(partition, gen), docs);
    part.docs.set(gen, (part.docs.get(gen) ?? 0) + docs.length - duplicates.length);
    if (duplicates.length > 0) {
      this.dropPartition(partition);
      throw new ProcessVersionConflict(
        partition,
        duplicates.map((i) => docs[i]!.o),
      );
    }
    for (const d of docs) part.latest.set(d.o, { v: d.v, gen, open: d.open, at: d.at });
    for (const s of states) this.remember(s, partition);
    if (this.needsCompaction(part))
      void this.compact(partition).catch((err: unknown) =>
        this.options.logger?.warn('process compaction failed; the next write tries again', { partition, err }),
      );
  }

  /** Keeps `state` as the in-memory copy (after it was written). */
  remember(state: ProcessState, partition: number): void {
    this.cache.delete(state.orderId);
    this.cache.set(state.orderId, { state, partition });
    while (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }

  /** Forgets what this instance knows of a partition (another instance may have written it meanwhile). */
  dropPartition(partition: number): number {
    let dropped = 0;
    for (const [id, c] of this.cache) {
      if (c.partition === partition) {
        this.cache.delete(id);
        dropped++;
      }
    }
    const part = this.partitions.get(partition);
    this.partitions.delete(partition);
    void part?.then((p) => (p.dropped = true)).catch(() => undefined);
    return dropped;
  }

  private needsCompaction(part: PartitionState): boolean {
    if (part.compacting || part.gens.length < 2) return false;
    if (part.gens.length > 4) return true;
    const superseded = this.olderDocs(part) + (part.docs.get(part.gens[part.gens.length - 1]!) ?? 0) - part.latest.size;
    return superseded > Math.max(this.compactMin, part.latest.size * this.compactRatio);
  }

  private olderDocs(part: PartitionState): number {
    let n = 0;
    for (const g of part.gens.slice(0, -1)) n += part.docs.get(g) ?? 0;
    return n;
  }

  /**
   * Moves the partition's latest versions out of its older generations into the current one and drops them;
   * with `closedBefore`, first starts a new generation (so every version is copied) and leaves out processes
   * closed before then. Returns how many processes were left out.
   */
  compact(partition: number, closedBefore?: number): Promise<number> {
    const p = this.partitions.get(partition);
    if (!p) return Promise.resolve(0);
    return p.then((part) => {
      part.compacting ??= this.runCompaction(partition, part, closedBefore).finally(() => (part.compacting = undefined));
      return part.compacting;
    });
  }

  private async runCompaction(partition: number, part: PartitionState, closedBefore: number | undefined): Promise<number> {
    if (closedBefore !== undefined) {
      const next = part.gens[part.gens.length - 1]! + 1;
      await this.db.createCollection(`${PROCESS_COLLECTION}_p${partition}_g${next}`);
      part.gens.push(next);
      part.docs.set(next, 0);
    }
    const current = part.gens[part.gens.length - 1]!;
    const older = part.gens.filter((g) => g < current);
    let left = 0;
    for (const gen of older) {
      if (part.dropped) return left;
      const cursor = this.collectionOf(partition, gen).find({});
      let batch: ProcessVersionDoc[] = [];
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        const docs = batch;
        batch = [];
        const { inserted } = await insertManyInChunks(this.collectionOf(partition, current), docs);
        part.docs.set(current, (part.docs.get(current) ?? 0) + inserted);
        for (const d of docs) {
          const l = part.latest.get(d.o);
          if (l && l.v === d.v && l.gen === gen) l.gen = current;
        }
      };
      for await (const d of cursor) {
        const l = part.latest.get(d.o);
        if (!l || l.v !== d.v || l.gen !== gen) continue;
        if (closedBefore !== undefined && !d.open && d.at < closedBefore) {
          part.latest.delete(d.o);
          const c = this.cache.get(d.o);
          if (c?.partition === partition) this.cache.delete(d.o);
          left++;
          continue;
        }
        batch.push(d);
        if (batch.length >= 500) await flush();
      }
      await flush();
    }
    // Every latest version must now be in the current generation (a write in flight when it started is re-read).
    for (const [id, l] of part.latest) {
      if (l.gen === current || part.dropped) continue;
      const [d] = await findByIds(this.collectionOf(partition, l.gen), [versionId(id, l.v)]);
      if (!d) throw new Error(`process ${id} version ${l.v} not found while compacting partition ${partition}`);
      await insertManyInChunks(this.collectionOf(partition, current), [d]);
      l.gen = current;
    }
    // A newer generation than this one: another instance has the partition now; it reads these, leave them.
    const now = (await this.generations()).get(partition) ?? [];
    if (part.dropped || now.some((g) => g > current)) return left;
    for (const gen of older) {
      await this.collectionOf(partition, gen)
        .drop()
        .catch(() => undefined);
      part.docs.delete(gen);
    }
    part.gens = part.gens.filter((g) => g >= current);
    return left;
  }

  /** The latest stored version of an order of `partition` (any generation), or null. */
  private async latestStored(orderId: string, partition: number): Promise<ProcessState | null> {
    const gens = (await this.generations()).get(partition) ?? [];
    let best: ProcessVersionDoc | null = null;
    for (const gen of gens) {
      for (const d of await this.collectionOf(partition, gen).find({ o: orderId }).toArray()) if (!best || d.v > best.v) best = d;
    }
    return best ? parseState(best) : null;
  }

  /** An order's process as stored, by ODX order id, else by Odoo order name or customer PO (people's reads: these scan). */
  async find(ref: string): Promise<ProcessState | null> {
    const all = [...(await this.generations())].flatMap(([p, gens]) => gens.map((g) => this.collectionOf(p, g)));
    for (const filter of [{ o: ref }, { n: ref }, { r: ref }]) {
      const found = (await mapLimited(all, 4, (c) => c.find(filter, { projection: { o: 1, v: 1 } }).toArray())).flat();
      if (found.length === 0) continue;
      const orderId = found[0]!.o;
      const versions = filter.o
        ? found
        : (await mapLimited(all, 4, (c) => c.find({ o: orderId }, { projection: { o: 1, v: 1 } }).toArray())).flat();
      const top = versions.reduce((a, b) => (b.v > a.v ? b : a));
      for (const c of all) {
        const [d] = await findByIds(c, [top._id]).catch(() => []);
        if (d) return parseState(d);
      }
    }
    return null;
  }

  /** The latest stored process of every order (people's reads and benchmarks: reads everything). */
  async *all(): AsyncIterableIterator<ProcessState> {
    for (const [p, gens] of await this.generations()) {
      const best = new Map<string, ProcessVersionDoc>();
      for (const g of gens) {
        for await (const d of this.collectionOf(p, g).find({})) {
          const had = best.get(d.o);
          if (!had || had.v < d.v) best.set(d.o, d);
        }
      }
      for (const d of best.values()) yield parseState(d);
    }
  }

  /** Stored processes for which `match` holds. */
  async count(match: (s: ProcessState) => boolean): Promise<number> {
    let n = 0;
    for await (const s of this.all()) if (match(s)) n++;
    return n;
  }

  /**
   * Removes processes closed (completed or cancelled) before `before` (ms) from the partitions this instance
   * writes: they are left out when the partition's versions are copied into a new generation and the older
   * ones dropped (FerretDB has no TTL index; a drop scans nothing). Other instances sweep theirs.
   */
  async sweepClosed(before: number, signal?: AbortSignal): Promise<number> {
    let removed = 0;
    for (const [partition, p] of [...this.partitions]) {
      if (signal?.aborted) break;
      const part = await p.catch(() => undefined);
      if (!part) continue;
      let expired = false;
      for (const l of part.latest.values()) if (!l.open && l.at < before) expired = true;
      if (!expired) continue;
      await part.compacting?.catch(() => undefined);
      removed += await this.compact(partition, before);
    }
    return removed;
  }

  /** The processes held in memory (metrics). */
  *cached(): IterableIterator<ProcessState> {
    for (const c of this.cache.values()) yield c.state;
  }

  get cachedCount(): number {
    return this.cache.size;
  }
}

function docOf(s: ProcessState): ProcessVersionDoc {
  return {
    _id: versionId(s.orderId, s.version),
    o: s.orderId,
    v: s.version,
    open: s.open,
    at: s.updatedAt,
    n: s.order?.orderName ?? null,
    r: s.order?.clientOrderRef ?? null,
    s: new Binary(deflateRawSync(Buffer.from(JSON.stringify(s, tagDates)), { level: 1 })),
  };
}

function parseState(d: ProcessVersionDoc): ProcessState {
  return JSON.parse(inflateRawSync(d.s.buffer.subarray(0, d.s.length())).toString('utf8'), untagDates) as ProcessState;
}

/**
 * JSON keeps a Date as an ISO string; the effects' event payloads need them back as dates, so they are written
 * `{ $date: <ms> }` (JSON.stringify is about 2.5x faster than BSON.serialize here, measured on a process with
 * its outbox: 21-36 us against 56 us). Bytes have no place in a process: refused rather than mangled.
 */
function tagDates(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw instanceof Date) return { $date: raw.getTime() };
  if (raw instanceof Uint8Array) throw new TypeError(`process field ${key} holds bytes, which the store does not keep`);
  return value;
}

function untagDates(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const d = (value as { $date?: unknown }).$date;
    if (typeof d === 'number' && Object.keys(value).length === 1) return new Date(d);
  }
  return value;
}
