// One MongoDB document per order (`orchestrator_processes`, `_id` = order id),
// written a consumed batch at a time, and a cache of the orders this instance
// owns. FerretDB scans a collection for every read, even by `_id`
// (docs/known-issues.md), so the hot path never reads: the one writer of an
// order (the owner of its inbox partition) keeps its process in memory and
// only writes. Writes are replaceOne upserts in bounded commands (store-limits:
// FerretDB holds a pool connection per update statement), a few commands at once.
import { bulkWriteInChunks, chunked, deleteManyInBatches, findByIds, mapLimited, storeLimits } from '@odx/runtime';
import type { AnyBulkWriteOperation, Collection, Db } from 'mongodb';
import type { ProcessState } from './process-state.js';

export const PROCESS_COLLECTION = 'orchestrator_processes';

export type ProcessDoc = ProcessState & { _id: string };

export interface ProcessStoreOptions {
  /** Orders kept in memory (least recently used go first). @default 50000 */
  cacheSize?: number;
  /** Update commands sent at once. @default 3 */
  writeConcurrency?: number;
}

interface Cached {
  state: ProcessState;
  partition: number;
}

export class ProcessStore {
  readonly collection: Collection<ProcessDoc>;
  private readonly cache = new Map<string, Cached>();
  private readonly cacheSize: number;
  private readonly writeConcurrency: number;

  constructor(db: Db, options: ProcessStoreOptions = {}) {
    this.collection = db.collection<ProcessDoc>(PROCESS_COLLECTION);
    this.cacheSize = options.cacheSize ?? 50_000;
    this.writeConcurrency = options.writeConcurrency ?? 3;
  }

  async init(): Promise<void> {
    // For people's lookups by Odoo reference (GET /v1/orders/:ref/process); a real MongoDB uses them.
    await this.collection.createIndex({ 'order.orderName': 1 });
    await this.collection.createIndex({ 'order.clientOrderRef': 1 });
  }

  /** The processes of `orderIds` (null: none yet): from the cache, else one point read each. */
  async load(orderIds: readonly string[], partition: number): Promise<Map<string, ProcessState | null>> {
    const out = new Map<string, ProcessState | null>();
    const missing: string[] = [];
    for (const id of orderIds) {
      const hit = this.cache.get(id);
      if (hit && hit.partition === partition) {
        // Most recently used goes last.
        this.cache.delete(id);
        this.cache.set(id, hit);
        out.set(id, hit.state);
      } else missing.push(id);
    }
    if (missing.length > 0) {
      const docs = await findByIds(this.collection, missing);
      const found = new Map(docs.map((d) => [d._id, d]));
      for (const id of missing) {
        const doc = found.get(id);
        out.set(id, doc ? stateOf(doc) : null);
      }
    }
    return out;
  }

  /** Writes `states` (one upsert each) and keeps them as the cache's copy. */
  async save(states: readonly ProcessState[], partition: number): Promise<void> {
    if (states.length === 0) return;
    const ops: AnyBulkWriteOperation<ProcessDoc>[] = states.map((s) => ({
      replaceOne: { filter: { _id: s.orderId }, replacement: { _id: s.orderId, ...s }, upsert: true },
    }));
    const size = storeLimits().maxStatements;
    await mapLimited(chunked(ops, size), this.writeConcurrency, (chunk) => bulkWriteInChunks(this.collection, chunk, { chunkSize: size }));
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

  /** An order's process as stored, by ODX order id, else by Odoo order name or customer PO (people's reads: these scan). */
  async find(ref: string): Promise<ProcessState | null> {
    const byId = await this.collection.findOne({ _id: ref });
    if (byId) return stateOf(byId);
    const byName = await this.collection.findOne({ 'order.orderName': ref });
    if (byName) return stateOf(byName);
    const byPo = await this.collection.findOne({ 'order.clientOrderRef': ref });
    return byPo ? stateOf(byPo) : null;
  }

  /**
   * Deletes processes closed (completed or cancelled) before `before` (ms), in
   * bounded batches: FerretDB has no TTL index, and every statement on the
   * collection costs in proportion to its size.
   */
  async sweepClosed(before: number, signal?: AbortSignal): Promise<number> {
    const { deleted } = await deleteManyInBatches(this.collection, { open: false, updatedAt: { $lt: before } }, signal ? { signal } : {});
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
