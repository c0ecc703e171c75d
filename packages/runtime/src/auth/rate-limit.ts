import type { RequestHandler, Response } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { HttpProblem } from '../http/problem.js';
import type { Principal } from './tokens.js';

export interface RateLimitOptions {
  /** Requests one principal may make per window; a key's own `rateLimit` replaces it. 0 turns limits off. */
  limit: number;
  windowMs: number;
}

/**
 * 429 with Retry-After once a principal (an API key by its id, a person by the
 * token's subject) made more than its limit of requests in the window. Counted
 * per service instance (in memory): with N instances a caller gets up to N times
 * the limit, which bounds load per instance, the thing the limit protects.
 * @param limitOf the caller's own limit (a key's), else null for `o.limit`
 */
export function principalRateLimit(o: RateLimitOptions, limitOf: (res: Response) => number | null = () => null): RequestHandler {
  const duration = Math.max(1, Math.ceil(o.windowMs / 1000));
  // One limiter per distinct limit (keys can carry their own); few distinct values exist.
  const limiters = new Map<number, RateLimiterMemory>();
  const limiter = (points: number): RateLimiterMemory => {
    let l = limiters.get(points);
    if (!l) limiters.set(points, (l = new RateLimiterMemory({ points, duration, keyPrefix: `odx-${points}` })));
    return l;
  };
  return (_req, res, next) => {
    const p = res.locals['principal'] as Principal | undefined;
    if (!p) return next();
    const points = limitOf(res) ?? o.limit;
    if (points <= 0) return next();
    const who = p.keyId ? `key:${p.keyId}` : `sub:${p.subject}`;
    limiter(points)
      .consume(who)
      .then(
        (r) => {
          res.setHeader('ratelimit-limit', String(points));
          res.setHeader('ratelimit-remaining', String(r.remainingPoints));
          next();
        },
        (r: unknown) => {
          if (!(r instanceof RateLimiterRes)) return next(r);
          const retryAfter = Math.max(1, Math.ceil(r.msBeforeNext / 1000));
          res.setHeader('retry-after', String(retryAfter));
          next(
            new HttpProblem(
              429,
              'Too Many Requests',
              `rate limit of ${points} requests per ${duration} s reached; retry in ${retryAfter} s`,
              {
                retryAfterSeconds: retryAfter,
              },
            ),
          );
        },
      );
  };
}
