import CircuitBreaker from 'opossum';
import { CircuitOpenError, classifyError } from './errors.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Per-call timeout. @default 10000 */
  timeoutMs?: number;
  /** Error percentage over the rolling window that opens the circuit. @default 50 */
  errorThresholdPercentage?: number;
  /** Time open before a trial call is let through. @default 10000 */
  resetTimeoutMs?: number;
  /** Minimum calls in the window before the percentage counts. @default 5 */
  volumeThreshold?: number;
  /** @default 10000 */
  rollingCountTimeoutMs?: number;
}

/**
 * A named opossum breaker around calls to one external system. Only transient
 * failures count against the circuit: a 4xx validation error says nothing
 * about the remote's health. Rejections while open are CircuitOpenError.
 */
export class Circuit {
  readonly name: string;
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;

  constructor(name: string, options: CircuitBreakerOptions = {}) {
    this.name = name;
    this.breaker = new CircuitBreaker((call: () => Promise<unknown>) => call(), {
      name,
      timeout: options.timeoutMs ?? 10_000,
      errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
      resetTimeout: options.resetTimeoutMs ?? 10_000,
      volumeThreshold: options.volumeThreshold ?? 5,
      rollingCountTimeout: options.rollingCountTimeoutMs ?? 10_000,
      errorFilter: (err: unknown) => classifyError(err).kind !== 'transient',
    });
  }

  /** Runs `call` through the breaker. */
  async fire<T>(call: () => Promise<T>): Promise<T> {
    try {
      return (await this.breaker.fire(call)) as T;
    } catch (err) {
      // Open, or half-open with its one trial call already in flight.
      if ((err as { code?: string }).code === 'EOPENBREAKER') {
        throw new CircuitOpenError(this.name, { cause: err });
      }
      throw err;
    }
  }

  get state(): CircuitState {
    if (this.breaker.opened) return 'open';
    if (this.breaker.halfOpen) return 'half-open';
    return 'closed';
  }

  /** Subscribes to state changes; returns an unsubscribe function. */
  onStateChange(listener: (state: CircuitState) => void): () => void {
    const open = (): void => listener('open');
    const half = (): void => listener('half-open');
    const close = (): void => listener('closed');
    this.breaker.on('open', open);
    this.breaker.on('halfOpen', half);
    this.breaker.on('close', close);
    return () => {
      this.breaker.removeListener('open', open);
      this.breaker.removeListener('halfOpen', half);
      this.breaker.removeListener('close', close);
    };
  }

  /** Stops the breaker's timers. */
  shutdown(): void {
    this.breaker.shutdown();
  }
}
