import { bulkWriteInChunks, type Logger } from '@odx/runtime';
import type { Collection, Db } from 'mongodb';
import { lifecyclesOf } from '../analytics/kpis.js';
import type { OrderLifecycle } from '../analytics/lifecycle.js';
import type { ReadModel } from './read-model.js';

/** One stored lifecycle (collection `analytics_order_lifecycles`, `_id` = order id). */
export interface LifecycleDoc extends Omit<OrderLifecycle, 'orderId'> {
  _id: string;
  updatedAt: Date;
}

export interface LifecycleSnapshotsOptions {
  db: Db;
  read: ReadModel;
  logger: Logger;
  collection?: string;
  /** How often changed lifecycles are written. */
  intervalMs: number;
  /** Upserts per run at most (FerretDB answers each with a scan of the collection). */
  maxPerRun: number;
}

/**
 * Keeps one lifecycle document per order in MongoDB for BI tools and ad-hoc
 * queries, derived from the event index at a modest rate: every interval, the
 * lifecycles are recomputed from the read model and those that changed since
 * they were last written are upserted (at most `maxPerRun`; the rest follow on
 * the next runs). The index stays the source of truth: a lost or stale
 * snapshot is rewritten, never added to.
 */
export class LifecycleSnapshots {
  readonly collection: Collection<LifecycleDoc>;
  private readonly written = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private primed = false;

  constructor(private readonly options: LifecycleSnapshotsOptions) {
    this.collection = options.db.collection<LifecycleDoc>(options.collection ?? 'analytics_order_lifecycles');
  }

  start(): void {
    if (this.options.intervalMs <= 0) return;
    this.timer = setInterval(
      () => void this.runOnce().catch((err: unknown) => this.options.logger.warn('lifecycle snapshot run failed', { err })),
      this.options.intervalMs,
    );
    this.timer.unref();
  }

  /** Writes the lifecycles that changed; returns how many. One run at a time. */
  runOnce(): Promise<number> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<number> {
    if (!this.primed) {
      for await (const d of this.collection.find({})) this.written.set(d._id, fingerprint(d));
      this.primed = true;
    }
    const changed: LifecycleDoc[] = [];
    for (const l of lifecyclesOf(await this.options.read.inRange(null, null))) {
      const { orderId, ...rest } = l;
      const doc: LifecycleDoc = { _id: orderId, ...rest, updatedAt: new Date() };
      if (this.written.get(orderId) !== fingerprint(doc)) changed.push(doc);
    }
    const batch = changed.slice(0, this.options.maxPerRun);
    if (batch.length === 0) return 0;
    // In commands of at most ODX_MONGO_MAX_STATEMENTS: one bulkWrite of 100+ upserts wedges FerretDB (docs/known-issues.md).
    await bulkWriteInChunks(
      this.collection,
      batch.map((d) => ({ replaceOne: { filter: { _id: d._id }, replacement: d, upsert: true } })),
    );
    for (const d of batch) this.written.set(d._id, fingerprint(d));
    return batch.length;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }
}

function fingerprint(d: LifecycleDoc): string {
  const { updatedAt: _updatedAt, ...rest } = d;
  return JSON.stringify(rest);
}
