/**
 * Programmatic API of the local stack launcher (`npm run stack`), for
 * scripts such as `npm test` and `npm start`:
 *
 *   const stack = await stackUp({ quiet: true });
 *   env.ODX_KAFKA_BROKERS = stack.kafkaBrokers.join(',');
 */
export { endpointsEnv, stackDown, stackEndpoints, stackStatus, stackUp, withStackEnv } from './stack.js';
export { startWatchdog } from './watchdog.js';
export type { Watchdog, WatchdogEvent, WatchdogOptions } from './watchdog.js';
export type {
  HealReport,
  PartDownResult,
  PartState,
  PartStatus,
  StackDownOptions,
  StackEndpoints,
  StackStatusOptions,
  StackUpOptions,
} from './stack.js';
export { PART_NAMES, isPartName, loadStackConfig } from './config.js';
export type { PartName, StackConfig } from './config.js';
export { StackError, StackUpError } from './errors.js';
export type { StackErrorReason } from './errors.js';
