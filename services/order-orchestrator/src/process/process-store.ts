// One MongoDB document per order (`_id` = order id), written a consumed batch
// at a time, and a cache of the orders this instance owns.
//
// FerretDB scans a collection for every statement, even a read or an update by
// `_id` (docs/known-issues.md), so a statement costs in proportion to the
// collection's size. Two consequences here: the hot path never reads (the one
// writer of an order, the owner of its inbox partition, keeps its process in
// memory and only writes), and the documents are spread over `shards`
// collections by a hash of the order id (`orchestrator_processes_00` ...), so
// each update scans a small collection: measured on FerretDB/PostgreSQL with
// 2,000 processes, 600 updates took 8.3 s in one collection and 1.1 s in 64.
// On a real MongoDB the shards cost nothing. Writes are replaceOne upserts in
// bounded commands (store-limits: FerretDB holds a pool connection per update
// statement), one shard's statements per command, a few commands at once.
import { bulkWriteInChunks, chunked, deleteManyInBatches, findByIds, insertManyInChunks, mapLimited, storeLimits } from '@odx/runtime';
import type { AnyBulkWriteOperation, Collection, Db, Filter } from 'mongodb';
import type { ProcessState } from './process-state.js';

/** Prefix of the process collections: `<prefix>_<shard, 2+ digits>`. */
export const PROCESS_COLLECTION = 'orchestrator_processes';

export type ProcessDoc = ProcessState & { _id: string };

export interface ProcessStoreOptions {
  /** Orders kept in memory (least recently used go first). @default 50000 */
  cacheSize?: number;
  /** Update commands sent at once. @default 4 */
  writeConcurrency?: number;
  /** Collections the processes are spread over (fixed for a database: changing it hides stored processes). @default 64 */
  shards?: number;
}

interface Cached {
  state: ProcessState;
  partition: number;
}

/** FNV-1a: a stable, fast hash of the order id (the shard must never change for an order). */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class ProcessStore {
  readonly shards: readonly Collection<ProcessDoc>[];
  private readonly cache = new Map<string, Cached>();
  private readonly cacheSize: number;
  private readonly writeConcurrency: number;

  constructor(db: Db, options: ProcessStoreOptions = {}) {
    const shards = options.shards ?? 64;
    if (!Number.isInteger(shards) || shards < 1 || shards > 1_000) throw new RangeError(`shards must be 1 to 1000, got ${shards}`);
    const width = Math.max(2, String(shards - 1).length);
    this.shards = Array.from({ length: shards }, (_, i) =>
      db.collection<ProcessDoc>(`${PROCESS_COLLECTION}_${String(i).padStart(width, '0')}`),
    );
    this.cacheSize = options.cacheSize ?? 50_000;
    this.writeConcurrency = options.writeConcurrency ?? 4;
  }

  /** The collection holding `orderId`'s process. */
  shardOf(orderId: string): Collection<ProcessDoc> {
    return this.shards[fnv1a(orderId) % this.shards.length]!;
  }

  /** The processes of `orderIds` (null: none yet): from the cache, else one point read each. */
  async load(orderIds: readonly string[], partition: number): Promise<Map<string, ProcessState | null>> {
    const out = new Map<string, ProcessState | null>();
    const missing = new Map<Collection<ProcessDoc>, string[]>();
    for (const id of orderIds) {
      const hit = this.cache.get(id);
      if (hit && hit.partition === partition) {
        // Most recently used goes last.
        this.cache.delete(id);
        this.cache.set(id, hit);
        out.set(id, hit.state);
        continue;
      }
      out.set(id, null);
      const shard = this.shardOf(id);
      const list = missing.get(shard);
      if (list) list.push(id);
      else missing.set(shard, [id]);
    }
    await mapLimited([...missing], 8, async ([shard, ids]) => {
      for (const doc of await findByIds(shard, ids, { concurrency: 2 })) out.set(doc._id, stateOf(doc));
    });
    return out;
  }

  /**
   * Writes `states` and keeps them as the cache's copy: processes not stored yet (`fresh`: the load found none)
   * are inserted, one insert command per shard (an insert is cheap on FerretDB: only the unique `_id` index is
   * checked), the others replaced, one upsert statement each.
   */
  async save(states: readonly ProcessState[], partition: number, fresh: ReadonlySet<string> = new Set()): Promise<void> {
    if (states.length === 0) return;
    const inserts = new Map<Collection<ProcessDoc>, ProcessState[]>();
    const replaces = new Map<Collection<ProcessDoc>, ProcessState[]>();
    for (const s of states) {
      const shard = this.shardOf(s.orderId);
      const into = fresh.has(s.orderId) ? inserts : replaces;
      const list = into.get(shard);
      if (list) list.push(s);
      else into.set(shard, [s]);
    }
    // An insert that meets a stored document (a crash after the write, before the cache knew) becomes a replace.
    await mapLimited([...inserts], this.writeConcurrency, async ([shard, list]) => {
      const { duplicates } = await insertManyInChunks(
        shard,
        list.map((s) => ({ _id: s.orderId, ...s })),
      );
      if (duplicates.length === 0) return;
      const again = replaces.get(shard) ?? [];
      for (const i of duplicates) again.push(list[i]!);
      replaces.set(shard, again);
    });
    const size = storeLimits().maxStatements;
    const commands = [...replaces].flatMap(([shard, list]) =>
      chunked(
        list.map((s): AnyBulkWriteOperation<ProcessDoc> => ({ replaceOne: { filter: { _id: s.orderId }, replacement: s, upsert: true } })),
        size,
      ).map((chunk) => ({ shard, chunk })),
    );
    await mapLimited(commands, this.writeConcurrency, ({ shard, chunk }) => bulkWriteInChunks(shard, chunk, { chunkSize: size }));
    for (const s of states) this.remember(s, partition);
  }

  /** Keeps `state` as the cached copy (after it was written). */
  remember(state: ProcessState, partition: number): void {
    this.cache.delete(state.orderId);
    this.cache.set(state.orderId, { state, partition });
    while (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }

  /** Forgets the cached orders of a partition (another instance may have written them meanwhile). */
  dropPartition(partition: number): number {
    let dropped = 0;
    for (const [id, c] of this.cache) {
      if (c.partition === partition) {
        this.cache.delete(id);
        dropped++;
      }
    }
    return dropped;
  }

  /** An order's process as stored, by ODX order id, else by Odoo order name or customer PO (people's reads: these scan every shard). */
  async find(ref: string): Promise<ProcessState | null> {
    const byId = await this.shardOf(ref).findOne({ _id: ref });
    if (byId) return stateOf(byId);
    for (const filter of [{ 'order.orderName': ref }, { 'order.clientOrderRef': ref }] satisfies Filter<ProcessDoc>[]) {
      const found = (await mapLimited(this.shards, 8, (shard) => shard.findOne(filter))).find((d) => d !== null);
      if (found) return stateOf(found);
    }
    return null;
  }

  /** Stored processes matching `filter`, over every shard. */
  async count(filter: Filter<ProcessDoc>): Promise<number> {
    const counts = await mapLimited(this.shards, 8, (shard) => shard.countDocuments(filter));
    return counts.reduce((a, b) => a + b, 0);
  }

  /**
   * Deletes processes closed (completed or cancelled) before `before` (ms), in
   * bounded batches: FerretDB has no TTL index, and every statement on a
   * collection costs in proportion to its size.
   */
  async sweepClosed(before: number, signal?: AbortSignal): Promise<number> {
    let deleted = 0;
    for (const shard of this.shards) {
      if (signal?.aborted) break;
      deleted += (await deleteManyInBatches(shard, { open: false, updatedAt: { $lt: before } }, signal ? { signal } : {})).deleted;
    }
    for (const [id, c] of this.cache) if (!c.state.open && c.state.updatedAt < before) this.cache.delete(id);
    return deleted;
  }

  /** The processes held in memory (metrics). */
  *cached(): IterableIterator<ProcessState> {
    for (const c of this.cache.values()) yield c.state;
  }

  get cachedCount(): number {
    return this.cache.size;
  }
}

function stateOf(doc: ProcessDoc): ProcessState {
  const { _id, ...state } = doc;
  void _id;
  return state;
}
