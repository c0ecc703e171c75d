import { HttpProblem, TokenRejected, grants, verifyToken, type Principal, type TokenSettings } from '@odx/runtime';
import type { RequestHandler, Response } from 'express';
import type { Scope } from './api-key.js';
import type { ApiKeyStore, KeyPrincipal } from './key-store.js';

/** Who is calling: a partner system with an API key, or a person with a bearer token (key administration). */
export type Caller = { kind: 'partner'; key: KeyPrincipal } | { kind: 'person'; person: Principal };

export const API_KEY_HEADER = 'x-api-key';
const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;

/**
 * The service's authentication, given to the runtime as `authenticate` (the
 * runtime's rate limit and audit run after it, on `res.locals.principal`):
 * `X-API-Key` for partners, `Authorization: Bearer <jwt>` for people. Runs
 * before any body is read. Partner keys are bound to a partner and business
 * scopes (orders:write, ...), which the runtime's service-account keys (roles
 * per service) do not express yet; this class is the seam to move them there.
 * The key store is attached once the runtime's database is connected.
 */
export class CallerAuthenticator {
  private keys: ApiKeyStore | undefined;
  private readonly challenge: string;

  constructor(private readonly tokens: TokenSettings) {
    this.challenge = `ApiKey header="X-API-Key", Bearer realm="${String(tokens.audience).replace(/["\\]/g, '')}"`;
  }

  attach(keys: ApiKeyStore): void {
    this.keys = keys;
  }

  readonly handler: RequestHandler = (req, res, next) => {
    const deny = (detail: string): void => {
      res.setHeader('www-authenticate', this.challenge);
      next(new HttpProblem(401, 'Unauthorized', detail));
    };
    const presented = req.headers[API_KEY_HEADER];
    if (presented === undefined) {
      const header = req.headers.authorization;
      if (!header) return deny('missing credentials: send an API key in X-API-Key');
      const match = BEARER.exec(header);
      if (!match) return deny('malformed Authorization header; expected "Bearer <jwt>" (partners: X-API-Key)');
      verifyToken(this.tokens, match[1]!).then(
        (person) => {
          res.locals['principal'] = person;
          res.locals['caller'] = { kind: 'person', person } satisfies Caller;
          next();
        },
        (err: unknown) => deny(err instanceof TokenRejected ? err.message : 'invalid token'),
      );
      return;
    }
    const keys = this.keys;
    if (!keys) return next(new HttpProblem(503, 'Service Unavailable', 'starting'));
    keys.verify(Array.isArray(presented) ? '' : presented).then((key) => {
      if (!key) return deny('unknown, revoked or malformed API key');
      // What the runtime's rate limit (by keyId, the key's own limit) and audit (actor, key id) read.
      const principal: Principal = { subject: `partner:${key.partnerId}`, role: 'viewer', keyId: key.keyId };
      res.locals['principal'] = principal;
      res.locals['rateLimit'] = key.rateLimit;
      res.locals['caller'] = { kind: 'partner', key } satisfies Caller;
      next();
    }, next);
  };
}

export function callerOf(res: Response): Caller {
  const c = res.locals['caller'] as Caller | undefined;
  // The authenticator runs before every route; reaching here without it is a wiring bug.
  if (!c) throw new HttpProblem(401, 'Unauthorized', 'not authenticated');
  return c;
}

/** The partner behind the request, or 403 when the caller is not a key holding `scope`. */
export function partnerOf(res: Response, scope: Scope): KeyPrincipal {
  const c = callerOf(res);
  if (c.kind !== 'partner') throw new HttpProblem(403, 'Forbidden', `requires an API key with scope ${scope}`);
  if (!c.key.scopes.includes(scope)) throw new HttpProblem(403, 'Forbidden', `this API key lacks scope ${scope}`);
  return c.key;
}

/** 403 unless the caller holds `scope` (partners). */
export function requireScope(scope: Scope): RequestHandler {
  return (_req, res, next) => {
    partnerOf(res, scope);
    next();
  };
}

/** 403 unless the caller is a person with the admin role (key administration). */
export const requireAdmin: RequestHandler = (_req, res, next) => {
  const c = callerOf(res);
  if (c.kind !== 'person' || !grants(c.person.role, 'admin'))
    throw new HttpProblem(403, 'Forbidden', 'requires a bearer token with role admin');
  next();
};
