import { ROLES, grants, type Role } from './roles.js';

/**
 * A service account's scope: a role on every ODX service (`viewer`), or on one
 * service only (`analytics-sink:viewer`, `wms-bridge:operator`). A key is
 * worth, on a service, the strongest role among the scopes that apply there.
 */
export const SCOPE = new RegExp(`^(?:([a-z][a-z0-9-]{0,62}):)?(${ROLES.join('|')})$`);

/** Why a scope list was refused (names the bad entry). */
export class ScopeError extends Error {
  override readonly name = 'ScopeError';
}

/** Checks scopes as `odx keys create --scope` takes them; throws ScopeError naming the first bad one. */
export function parseScopes(scopes: readonly string[]): string[] {
  if (scopes.length === 0) throw new ScopeError('at least one scope is required (viewer, operator, admin or <service>:<role>)');
  for (const s of scopes) {
    if (!SCOPE.test(s)) throw new ScopeError(`scope "${s}" is not a role (viewer, operator, admin) or <service>:<role>`);
  }
  return [...new Set(scopes)];
}

/** The strongest role `scopes` grant on `service`; undefined when none applies there. */
export function roleOnService(scopes: readonly string[], service: string): Role | undefined {
  let best: Role | undefined;
  for (const s of scopes) {
    const m = SCOPE.exec(s);
    if (!m || (m[1] !== undefined && m[1] !== service)) continue;
    const role = m[2] as Role;
    if (!best || grants(role, best)) best = role;
  }
  return best;
}
