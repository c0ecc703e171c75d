import type { ServiceRuntime } from '../service/service-runtime.js';
import { CatchUpRunner, type ChangeFeed, type CompiledCatchUpOptions } from './catch-up-runner.js';
import { mountCatchUpRoute } from './catch-up-route.js';
import { ChangeCursorStore } from './change-cursor.js';

export interface StartCatchUpOptions<T> {
  rt: Pick<ServiceRuntime, 'db' | 'http' | 'logger' | 'metrics' | 'lifecycle'>;
  /** Names the feed in metrics (`feed="wms-orders"`) and, after the consumer group, the cursor document. */
  feed: string;
  /** The service's consumer group: two deployments of a bridge keep cursors of their own. */
  groupId: string;
  source: ChangeFeed<T>;
  options: CompiledCatchUpOptions;
  /** The remote system in messages and in the lifecycle step, e.g. `WMS`. */
  system: string;
  /** The remote's records of one ODX order (read now, not from the feed); [] when it has none. */
  recordsOfOrder(orderRef: string): Promise<T[]>;
}

/**
 * A bridge's catch-up as one piece: the runner over `source` with its cursor
 * (`<group>:<feed>`) in MongoDB, `POST /v1/catch-up` (all changes, or one
 * order), and the schedule (a run at start, then every interval); stopped by
 * the runtime's shutdown.
 */
export function startCatchUp<T>(o: StartCatchUpOptions<T>): CatchUpRunner<T> {
  const runner = new CatchUpRunner<T>({
    feed: o.feed,
    cursorId: `${o.groupId}:${o.feed}`,
    source: o.source,
    cursors: new ChangeCursorStore(o.rt.db),
    logger: o.rt.logger,
    registry: o.rt.metrics.registry,
    options: o.options,
  });
  mountCatchUpRoute(o.rt.http, { runner, system: o.system, recordsOfOrder: o.recordsOfOrder });
  o.rt.lifecycle.register(`${o.system.toLowerCase()}-catch-up`, () => runner.stop());
  runner.start();
  return runner;
}
