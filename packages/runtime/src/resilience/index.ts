export {
  CircuitOpenError,
  OdxError,
  PermanentError,
  PoisonMessageError,
  TransientError,
  classifyError,
  classifyHttpStatus,
  errorMessage,
  parseRetryAfter,
} from './errors.js';
export type { FailureClassification, FailureKind, OdxErrorOptions } from './errors.js';
export { backoffDelay, compileRetryPolicy, withRetry } from './retry-policy.js';
export type { CompiledRetryPolicy, RetryPolicyOptions } from './retry-policy.js';
export { Circuit } from './circuit-breaker.js';
export type { CircuitBreakerOptions, CircuitState } from './circuit-breaker.js';
