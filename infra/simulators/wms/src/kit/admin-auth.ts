import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { problem, sendProblem } from './problem.js';

/** Requires `Authorization: Bearer <token>` on the admin API. */
export function requireBearer(token: string): RequestHandler {
  const expected = Buffer.from(`Bearer ${token}`);
  return (req, res, next) => {
    const given = Buffer.from(req.get('authorization') ?? '');
    if (given.length === expected.length && timingSafeEqual(given, expected)) {
      next();
      return;
    }
    sendProblem(res, problem(401, 'unauthorized', 'The admin API needs Authorization: Bearer <admin token>'), {
      'WWW-Authenticate': 'Bearer realm="sim-admin"',
    });
  };
}
