export { SpanKind, activeTraceId, extractTraceContext, injectTraceHeaders, withSpan } from './tracing.js';
export type { HeaderCarrier } from './tracing.js';
export { startTelemetry } from './sdk.js';
export type { Telemetry, TelemetryOptions } from './sdk.js';
export { createRuntimeMetrics } from './metrics.js';
export type { RuntimeMetrics } from './metrics.js';
export { orderIdOf, orderTraceContext, orderTraceId } from './order-trace.js';
