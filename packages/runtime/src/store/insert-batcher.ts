import { insertManyInChunks } from './bounded-writes.js';
import type { Collection, OptionalUnlessRequiredId } from 'mongodb';

interface Pending<D> {
  doc: D;
  resolve: (inserted: boolean) => void;
  reject: (err: unknown) => void;
}

/**
 * Unique inserts from concurrent requests sent together: what arrives within
 * `lingerMs` (or `maxBatch` documents) goes out as one unordered insertMany.
 * FerretDB takes one insertMany of hundreds of documents about as fast as one
 * insertOne, so callers stay far from its ~1-2k
 * single inserts/s (api-gateway's intake claims and answers, the audit
 * trail). Resolves true when inserted, false on a duplicate `_id` (two
 * requests racing for one key: exactly one wins, even in one batch).
 */
export class InsertBatcher<D extends { _id: string }> {
  private queue: Pending<D>[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly collection: Collection<D>,
    private readonly options: { maxBatch: number; lingerMs: number } = { maxBatch: 500, lingerMs: 2 },
  ) {}

  insert(doc: D): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ doc, resolve, reject });
      if (this.queue.length >= this.options.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.lingerMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    insertManyInChunks(
      this.collection,
      batch.map((p) => p.doc as OptionalUnlessRequiredId<D>),
    ).then(
      ({ duplicates }) => {
        const dup = new Set(duplicates);
        batch.forEach((p, i) => p.resolve(!dup.has(i)));
      },
      (err: unknown) => batch.forEach((p) => p.reject(err)),
    );
  }
}
