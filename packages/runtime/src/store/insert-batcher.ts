import { insertManyInChunks } from './bounded-writes.js';
import type { Collection, OptionalUnlessRequiredId } from 'mongodb';

interface Pending<D> {
  doc: D;
  resolve: (inserted: boolean) => void;
  reject: (err: unknown) => void;
}

export interface InsertBatcherOptions {
  /** Documents per insertMany. @default 500 */
  maxBatch?: number;
  /**
   * How long the first document waits for company when no insert is in flight. 0 sends what the current
   * turn of the event loop queued (no timer; for latency-bound callers such as idempotency claims: alone it
   * goes out at once, under load the in-flight limit does the batching). @default 2
   */
  lingerMs?: number;
  /**
   * insertMany commands in flight at once. While they all run, what arrives
   * queues and goes out as one command when one of them answers (group
   * commit), so a busy collection gets a few large commands instead of one
   * small command per linger period. @default 2
   */
  maxInFlight?: number;
}

/**
 * Unique inserts from concurrent requests sent together, as one unordered
 * insertMany. FerretDB takes one insertMany of hundreds of documents about as
 * fast as one insertOne, and every command costs both sides a round trip and
 * system calls, so callers stay far from its ~1-2k single inserts/s
 * (api-gateway's intake claims and answers, the audit trail). Resolves true
 * when inserted, false on a duplicate `_id` (two requests racing for one key:
 * exactly one wins, even in one batch).
 */
export class InsertBatcher<D extends { _id: string }> {
  private queue: Pending<D>[] = [];
  /** Cancels the scheduled flush, while one is scheduled. */
  private scheduled: (() => void) | undefined;
  private inFlight = 0;
  private readonly maxBatch: number;
  private readonly lingerMs: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly collection: Collection<D>,
    options: InsertBatcherOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.lingerMs = options.lingerMs ?? 2;
    this.maxInFlight = options.maxInFlight ?? 2;
    for (const [name, v, min] of [
      ['maxBatch', this.maxBatch, 1],
      ['lingerMs', this.lingerMs, 0],
      ['maxInFlight', this.maxInFlight, 1],
    ] as const)
      if (!Number.isInteger(v) || v < min) throw new RangeError(`InsertBatcher ${name} must be a whole number >= ${min}, got ${v}`);
  }

  insert(doc: D): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ doc, resolve, reject });
      if (this.queue.length >= this.maxBatch) this.flush();
      // At the in-flight limit, the next answer sends the queue.
      else if (this.inFlight < this.maxInFlight) this.scheduled ??= this.schedule();
    });
  }

  private schedule(): () => void {
    if (this.lingerMs === 0) {
      const immediate = setImmediate(() => this.flush());
      return () => clearImmediate(immediate);
    }
    const timer = setTimeout(() => this.flush(), this.lingerMs);
    return () => clearTimeout(timer);
  }

  private flush(): void {
    this.scheduled?.();
    this.scheduled = undefined;
    if (this.queue.length === 0 || this.inFlight >= this.maxInFlight) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.inFlight++;
    insertManyInChunks(
      this.collection,
      batch.map((p) => p.doc as OptionalUnlessRequiredId<D>),
    )
      .then(
        ({ duplicates }) => {
          const dup = new Set(duplicates);
          batch.forEach((p, i) => p.resolve(!dup.has(i)));
        },
        (err: unknown) => batch.forEach((p) => p.reject(err)),
      )
      .finally(() => {
        this.inFlight--;
        this.flush();
      });
  }
}
