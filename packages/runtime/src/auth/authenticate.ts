import { HttpProblem } from '../http/problem.js';
import type { RequestHandler, Response } from 'express';
import { grants, type Role } from './roles.js';
import { TokenRejected, primaryAudience, verifyToken, type Principal, type TokenSettings } from './tokens.js';

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;

/**
 * 401 (with WWW-Authenticate) unless the request carries a valid bearer token; the principal goes to `res.locals`.
 * @param realm the realm the challenge names @default the (first) audience
 */
export function authenticate(settings: TokenSettings, realm: string = primaryAudience(settings)): RequestHandler {
  const challenge = `Bearer realm="${realm.replace(/["\\]/g, '')}"`;
  return (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const match = BEARER.exec(header);
    res.setHeader('www-authenticate', challenge);
    if (!match)
      return next(
        new HttpProblem(401, 'Unauthorized', header ? 'malformed Authorization header; expected "Bearer <jwt>"' : 'missing bearer token'),
      );
    verifyToken(settings, match[1]!).then(
      (principal) => {
        res.removeHeader('www-authenticate');
        res.locals['principal'] = principal;
        next();
      },
      (err: unknown) => next(new HttpProblem(401, 'Unauthorized', err instanceof TokenRejected ? err.message : 'invalid token')),
    );
  };
}

const REQUIRED_ROLE = Symbol('odx.requiredRole');

/** 403 unless the authenticated caller holds `role` (or a stronger one). */
export function requireRole(role: Role): RequestHandler {
  const handler: RequestHandler = (_req, res, next) => {
    const p = principalOf(res);
    if (!grants(p.role, role)) return next(new HttpProblem(403, 'Forbidden', `requires role ${role}; you have ${p.role}`));
    next();
  };
  // The route-auth test reads each route's requirement from its handlers.
  return Object.assign(handler, { [REQUIRED_ROLE]: role });
}

/** The role a `requireRole` handler requires; undefined for any other handler. */
export function requiredRoleOf(handler: unknown): Role | undefined {
  return typeof handler === 'function' ? (handler as { [REQUIRED_ROLE]?: Role })[REQUIRED_ROLE] : undefined;
}

export function principalOf(res: Response): Principal {
  const p = res.locals['principal'] as Principal | undefined;
  // authenticate() runs before every route; reaching here without it is a wiring bug.
  if (!p) throw new HttpProblem(401, 'Unauthorized', 'not authenticated');
  return p;
}
