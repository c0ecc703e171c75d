export { createServiceRuntime } from './service-runtime.js';
export type { ServiceRuntime, ServiceRuntimeOptions } from './service-runtime.js';
