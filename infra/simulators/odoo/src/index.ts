export { startOdooSimulator, type OdooSimulator } from './server.js';
export type { OdooSimulatorOptions, CompiledOdooSimulatorOptions } from './options.js';
export type { FaultState } from './admin/fault-injection.js';
export { LATE_COMMIT_KEY } from './rpc-service.js';
export { runLoad, type LoadOptions, type LoadCounts } from './load/run-load.js';
export { CREDIT_HOLD_CUSTOMER } from './seed.js';
