export { ChangeCursorStore, cursorAfter, laterCursor, type ChangeCursor } from './change-cursor.js';
export { catchUpMetrics, type CatchUpMetrics } from './catch-up-metrics.js';
export {
  CatchUpBusyError,
  CatchUpRunner,
  compileCatchUpOptions,
  type CatchUpOptions,
  type CatchUpReport,
  type CatchUpRunnerOptions,
  type CatchUpTrigger,
  type ChangeFeed,
  type ChangePage,
  type CompiledCatchUpOptions,
} from './catch-up-runner.js';
export { CATCH_UP_PATH, mountCatchUpRoute, type CatchUpRouteOptions } from './catch-up-route.js';
export { startCatchUp, type StartCatchUpOptions } from './start-catch-up.js';
