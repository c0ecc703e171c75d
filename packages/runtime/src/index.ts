// @odx/runtime: the shared runtime of every ODX service. Each area is also
// importable on its own, e.g. `@odx/runtime/kafka`.
export * from './auth/index.js';
export * from './catchup/index.js';
export * from './concurrency/index.js';
export * from './config/index.js';
export * from './http/index.js';
export * from './idempotency/index.js';
export * from './ids/index.js';
export * from './kafka/index.js';
export * from './lifecycle/index.js';
export * from './logging/index.js';
export * from './resilience/index.js';
export * from './serde/index.js';
export * from './service/index.js';
export * from './store/index.js';
export * from './telemetry/index.js';
export * from './audit/index.js';
