import { setTimeout as sleep } from 'node:timers/promises';

/** Token bucket of `ratePerSec` tokens with a one-second burst; `take` waits until `n` are available. */
export class RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.tokens = ratePerSec;
    this.last = this.now();
  }

  /** Milliseconds to wait before `n` tokens are there (0 when they are), taking them. */
  reserve(n: number): number {
    const t = this.now();
    this.tokens = Math.min(this.ratePerSec, this.tokens + ((t - this.last) / 1000) * this.ratePerSec);
    this.last = t;
    this.tokens -= n;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.ratePerSec) * 1000);
  }

  async take(n: number, signal?: AbortSignal): Promise<void> {
    const wait = this.reserve(n);
    if (wait > 0) await sleep(wait, undefined, signal ? { signal } : {}).catch(() => undefined);
  }
}
