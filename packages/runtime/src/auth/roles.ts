/** Roles of people using the ODX operations APIs (replay-dlq, the orchestrator's cases); each includes the ones before it. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** True when `held` grants what `needed` requires (admin ⊇ operator ⊇ viewer). */
export function grants(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

/** The strongest known role among `claimed`; unknown names are ignored. */
export function strongestRole(claimed: readonly unknown[]): Role | undefined {
  let best: Role | undefined;
  for (const r of claimed) if (isRole(r) && (!best || grants(r, best))) best = r;
  return best;
}
