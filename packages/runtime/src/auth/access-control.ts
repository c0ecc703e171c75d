import type { RequestHandler } from 'express';
import { HttpProblem } from '../http/problem.js';
import { principalRateLimit, type RateLimitOptions } from './rate-limit.js';
import { roleOnService } from './scopes.js';
import { ServiceKeyStore } from './service-keys.js';
import { TokenRejected, primaryAudience, verifyToken, type Principal, type TokenSettings } from './tokens.js';

export interface AccessControlOptions {
  /** The service's name: scopes such as `analytics-sink:viewer` apply on it. */
  service: string;
  /** JWT settings for people; null: only service-account keys are accepted. */
  tokens: TokenSettings | null;
  /** Service-account keys; null: only JWTs. */
  keys: ServiceKeyStore | null;
  rateLimit: RateLimitOptions;
}

const BEARER = /^Bearer ([\x21-\x7e]{1,4096})$/;
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * The runtime's one way in for API routes: `Authorization: Bearer <JWT>` (a
 * person: viewer/operator/admin) or `Authorization: Bearer odx_sk_...` (a
 * service account's key, whose scopes give it a role on this service). 401
 * without valid credentials, 403 for a key with no scope on this service;
 * then the per-principal rate limit (429 + Retry-After). The principal goes to
 * `res.locals.principal`, where `requireRole` and the audit read it.
 */
export function accessControl(o: AccessControlOptions): { authenticate: RequestHandler; rateLimit: RequestHandler } {
  const realm = (o.tokens ? primaryAudience(o.tokens) : `odx-${o.service}`).replace(/["\\]/g, '');
  const challenge = `Bearer realm="${realm}"`;
  const authenticate: RequestHandler = (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const match = BEARER.exec(header);
    const deny = (detail: string): void => {
      res.setHeader('www-authenticate', challenge);
      next(new HttpProblem(401, 'Unauthorized', detail));
    };
    if (!match)
      return deny(header ? 'malformed Authorization header; expected "Bearer <token or API key>"' : 'missing bearer token or API key');
    const credential = match[1]!;
    if (ServiceKeyStore.looksLikeKey(credential)) {
      if (!o.keys) return deny('API keys are not accepted here');
      o.keys.verify(credential).then((record) => {
        if (!record) return deny('unknown, expired or revoked API key');
        const role = roleOnService(record.scopes, o.service);
        if (!role) return next(new HttpProblem(403, 'Forbidden', `key ${record._id} of ${record.account} has no scope on ${o.service}`));
        const principal: Principal = { subject: `svc:${record.account}`, role, keyId: record._id };
        res.locals['principal'] = principal;
        res.locals['rateLimit'] = record.rateLimit;
        next();
      }, next);
      return;
    }
    if (!o.tokens || !JWT.test(credential)) return deny('invalid bearer token');
    verifyToken(o.tokens, credential).then(
      (principal) => {
        res.locals['principal'] = principal;
        next();
      },
      (err: unknown) => deny(err instanceof TokenRejected ? err.message : 'invalid token'),
    );
  };
  const rateLimit = principalRateLimit(o.rateLimit, (res) => (res.locals['rateLimit'] as number | null | undefined) ?? null);
  return { authenticate, rateLimit };
}
