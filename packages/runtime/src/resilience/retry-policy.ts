import { setTimeout as sleep } from 'node:timers/promises';
import { classifyError } from './errors.js';

export interface RetryPolicyOptions {
  /** Total attempts including the first. @default 5 */
  maxAttempts?: number;
  /** @default 200 */
  baseDelayMs?: number;
  /** @default 30000 */
  maxDelayMs?: number;
  /** @default 2 */
  factor?: number;
  /** 'full' picks uniformly in [0, delay]; 'none' is deterministic. @default 'full' */
  jitter?: 'full' | 'none';
}

export type CompiledRetryPolicy = Required<RetryPolicyOptions>;

export function compileRetryPolicy(options: RetryPolicyOptions = {}): CompiledRetryPolicy {
  const compiled = {
    maxAttempts: options.maxAttempts ?? 5,
    baseDelayMs: options.baseDelayMs ?? 200,
    maxDelayMs: options.maxDelayMs ?? 30_000,
    factor: options.factor ?? 2,
    jitter: options.jitter ?? 'full',
  };
  if (compiled.maxAttempts < 1) throw new RangeError('maxAttempts must be >= 1');
  if (compiled.baseDelayMs < 0 || compiled.maxDelayMs < compiled.baseDelayMs) {
    throw new RangeError('need 0 <= baseDelayMs <= maxDelayMs');
  }
  return compiled;
}

/**
 * Delay before retry number `attempt` (1 = first retry): exponential, capped,
 * with full jitter (AWS architecture blog's "full jitter") unless disabled.
 */
export function backoffDelay(policy: CompiledRetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** Math.max(0, attempt - 1));
  return policy.jitter === 'full' ? Math.floor(random() * exp) : exp;
}

/**
 * Runs `fn` until it succeeds, a non-transient error occurs, attempts run out or
 * `signal` aborts. Honours a Retry-After carried by the error when it is longer.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, policy: CompiledRetryPolicy, signal?: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const c = classifyError(err);
      if (c.kind !== 'transient' || c.circuitOpen || attempt >= policy.maxAttempts || signal?.aborted) throw err;
      const delay = Math.max(backoffDelay(policy, attempt), c.retryAfterMs ?? 0);
      await sleep(delay, undefined, signal ? { signal } : undefined);
    }
  }
}
