import type { Db } from 'mongodb';
import { deleteManyInBatches, type Logger } from '@odx/runtime';

export interface StateSweeperOptions {
  db: Db;
  /** Collections whose documents carry `at` (when written). */
  collections: readonly string[];
  retentionMs: number;
  intervalMs: number;
  /** Extra work per sweep (e.g. superseded inventory levels). */
  extra?: Array<(now: Date) => Promise<number>>;
  logger: Logger;
}

/**
 * Deletes the bridge's per-order state older than the retention time, every
 * `intervalMs` until `signal` aborts (the runtime's IdempotencyStore sweeper
 * pattern: FerretDB has no TTL indexes). Returns one sweep, for tests.
 */
export function startStateSweeper(o: StateSweeperOptions, signal: AbortSignal): () => Promise<number> {
  const sweep = async (): Promise<number> => {
    const now = new Date();
    const before = new Date(now.getTime() - o.retentionMs);
    let deleted = 0;
    // In bounded batches: one unbounded delete of a backlog fails on FerretDB (docs/known-issues.md).
    for (const name of o.collections)
      deleted += (await deleteManyInBatches(o.db.collection(name), { at: { $lt: before } }, { signal })).deleted;
    for (const work of o.extra ?? []) deleted += await work(now);
    if (deleted > 0) o.logger.info('swept expired bridge state', { deleted });
    return deleted;
  };
  const timer = setInterval(() => {
    sweep().catch((err: unknown) => o.logger.warn('state sweep failed', { err }));
  }, o.intervalMs);
  timer.unref();
  signal.addEventListener('abort', () => clearInterval(timer), { once: true });
  return sweep;
}
