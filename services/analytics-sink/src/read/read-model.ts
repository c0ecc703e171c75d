import type { Filter } from 'mongodb';
import { fromStored, type StoredEntry } from '../ingest/event-index.js';
import type { IndexedEvent } from '../ingest/event-record.js';

/** What the queries read: index entries by business time or by link token. */
export interface ReadModel {
  /** Entries with business time in [from, to) (either end open when null), in time order. */
  inRange(from: Date | null, to: Date | null): Promise<IndexedEvent[]>;
  /** Entries carrying any of `tokens`. */
  byLinks(tokens: readonly string[]): Promise<IndexedEvent[]>;
}

/**
 * What the read models use of the event index (an `EventIndex`): its two
 * queries, its hook on stored batches, and a scan of its stored documents.
 */
export interface IndexSource {
  inRange(from: Date | null, to: Date | null): Promise<IndexedEvent[]>;
  byLinks(tokens: string[]): Promise<IndexedEvent[]>;
  onInserted(listener: (docs: readonly IndexedEvent[]) => void): void;
  readonly collection: { find(filter: Filter<StoredEntry>): { batchSize(size: number): AsyncIterable<StoredEntry> } };
}

/**
 * Reads straight from MongoDB. Right for a real MongoDB (the `links` and `time`
 * indexes answer both queries) and for several sink instances; on FerretDB's
 * SQLite backend every query scans the collection (measured ~150-300 µs per
 * document), so it is only usable for small indexes there.
 */
export class DatabaseReadModel implements ReadModel {
  constructor(private readonly index: IndexSource) {}

  async inRange(from: Date | null, to: Date | null): Promise<IndexedEvent[]> {
    return (await this.index.inRange(from, to)).sort(byTime);
  }

  byLinks(tokens: readonly string[]): Promise<IndexedEvent[]> {
    return this.index.byLinks([...tokens]);
  }
}

export function byTime(a: IndexedEvent, b: IndexedEvent): number {
  return a.time.getTime() - b.time.getTime() || a.topic.localeCompare(b.topic) || a.partition - b.partition || a.offset - b.offset;
}

/**
 * The index held in memory: loaded once from MongoDB at start (queries wait
 * for it), then kept current by every successful index write of this process
 * (and, with `resyncMs`, by re-reading the collection, for deployments with
 * several sink instances, each of which writes only its own partitions).
 * Queries then cost microseconds per entry instead of a collection scan; the
 * price is memory (about 1.6 KB of heap per entry, measured) and a start-up
 * scan. A retention bounds the memory: older entries are dropped and questions
 * reaching before it are answered by the database.
 */
export class MemoryReadModel implements ReadModel {
  private readonly byId = new Map<string, IndexedEvent>();
  private readonly byLink = new Map<string, Set<string>>();
  private readonly database: DatabaseReadModel;
  private loading: Promise<void> | undefined;
  private loaded = false;
  private timers: NodeJS.Timeout[] = [];

  /** @param retentionMs entries whose business time is older are not kept (0 = keep all); older questions go to the database. */
  constructor(
    private readonly index: IndexSource,
    private readonly retentionMs = 0,
  ) {
    this.database = new DatabaseReadModel(index);
    index.onInserted((docs) => this.add(docs));
  }

  get size(): number {
    return this.byId.size;
  }

  get ready(): boolean {
    return this.loaded;
  }

  /** Business times before this are not held (with a retention). */
  private horizon(): number {
    return this.retentionMs > 0 ? Date.now() - this.retentionMs : Number.NEGATIVE_INFINITY;
  }

  /** Loads every entry from the collection (once). */
  load(): Promise<void> {
    this.loading ??= this.readAll().then(
      () => {
        this.loaded = true;
      },
      (err: unknown) => {
        this.loading = undefined; // the next query tries again
        throw err;
      },
    );
    return this.loading;
  }

  /**
   * Loads, and on failure tries again (doubling from `firstDelayMs` to `maxDelayMs`) until loaded or
   * `signal` aborts: one failed load must not leave the service unready for good. On FerretDB a long
   * load's cursor can be lost between batches ("cursor id not found", docs/known-issues.md). Entries
   * read by a failed attempt stay (each id is held once), so each attempt has less left to add.
   */
  async loadUntilReady(
    signal: AbortSignal,
    onRetry: (err: unknown, attempt: number, delayMs: number) => void,
    delays: { firstDelayMs?: number; maxDelayMs?: number } = {},
  ): Promise<boolean> {
    let delay = delays.firstDelayMs ?? 1_000;
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        await this.load();
        return true;
      } catch (err) {
        onRetry(err, attempt, delay);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
        });
        delay = Math.min(delay * 2, delays.maxDelayMs ?? 30_000);
      }
    }
    return false;
  }

  private async readAll(): Promise<void> {
    const cursor = this.index.collection.find(this.retentionMs > 0 ? { time: { $gte: new Date(this.horizon()) } } : {}).batchSize(5_000);
    const batch: IndexedEvent[] = [];
    try {
      for await (const doc of cursor) {
        batch.push(fromStored(doc));
        if (batch.length >= 5_000) this.add(batch.splice(0));
      }
    } finally {
      this.add(batch); // also what a failed read got through: a retry has that much less to add
    }
  }

  /**
   * Background upkeep: with `resyncMs`, re-read the collection (entries other
   * instances wrote); with a retention, drop expired entries every minute.
   */
  startMaintenance(resyncMs: number, onError: (err: unknown) => void): void {
    if (resyncMs > 0) this.timers.push(setInterval(() => void this.readAll().catch(onError), resyncMs));
    if (this.retentionMs > 0) this.timers.push(setInterval(() => this.evict(), Math.min(60_000, this.retentionMs)));
    for (const t of this.timers) t.unref();
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /** Drops entries older than the retention; returns how many. */
  evict(): number {
    const horizon = this.horizon();
    let n = 0;
    for (const [id, d] of this.byId) {
      if (d.time.getTime() >= horizon) continue;
      this.byId.delete(id);
      for (const t of d.links) {
        const set = this.byLink.get(t);
        set?.delete(id);
        if (set?.size === 0) this.byLink.delete(t);
      }
      n++;
    }
    return n;
  }

  add(docs: readonly IndexedEvent[]): void {
    const horizon = this.horizon();
    for (const d of docs) {
      if (this.byId.has(d._id) || d.time.getTime() < horizon) continue;
      this.byId.set(d._id, d);
      for (const t of d.links) {
        let set = this.byLink.get(t);
        if (!set) this.byLink.set(t, (set = new Set()));
        set.add(d._id);
      }
    }
  }

  async inRange(from: Date | null, to: Date | null): Promise<IndexedEvent[]> {
    // A range reaching before the retention horizon is answered by the database (slow on FerretDB, but complete).
    if (this.retentionMs > 0 && (from === null || from.getTime() < this.horizon())) return this.database.inRange(from, to);
    await this.load();
    const f = from?.getTime() ?? Number.NEGATIVE_INFINITY;
    const t = to?.getTime() ?? Number.POSITIVE_INFINITY;
    const out: IndexedEvent[] = [];
    for (const d of this.byId.values()) {
      const ms = d.time.getTime();
      if (ms >= f && ms < t) out.push(d);
    }
    return out.sort(byTime);
  }

  async byLinks(tokens: readonly string[]): Promise<IndexedEvent[]> {
    await this.load();
    const ids = new Set<string>();
    for (const t of tokens) for (const id of this.byLink.get(t) ?? []) ids.add(id);
    // Nothing held for these tokens: with a retention the entries may have expired from memory only.
    if (ids.size === 0 && this.retentionMs > 0) return this.database.byLinks(tokens);
    return [...ids].map((id) => this.byId.get(id)!);
  }
}
