export { startOdooSimulator, type OdooSimulator } from './server.js';
export type { OdooSimulatorOptions, CompiledOdooSimulatorOptions } from './options.js';
export type { FaultState } from './admin/fault-injection.js';
export { LATE_COMMIT_KEY } from './rpc-service.js';
export { runLoad, type LoadOptions, type LoadCounts } from './load/run-load.js';
export type { ReplenishOptions, ReplenishCounts } from './load/replenish.js';
export { CREDIT_HOLD_CUSTOMER } from './seed.js';
export { VENDORS } from './seed-suppliers.js';
