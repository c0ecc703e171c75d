import { createHmac } from 'node:crypto';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const b64 = (v: string | Buffer): string => Buffer.from(v).toString('base64url');

/**
 * An HS256 JWT as replay-dlq accepts it (`sub`, `roles`, `iss`, `aud`, `iat`,
 * `exp`), signed with the service's shared secret. For development and
 * scripts; production tokens come from the identity provider. (Plain
 * node:crypto: the CLI has no other use for a JOSE library.)
 */
export function mintDevToken(o: {
  secret: string;
  issuer: string;
  audience: string;
  subject: string;
  role: Role;
  ttlSeconds: number;
  now?: number;
}): string {
  const iat = Math.floor((o.now ?? Date.now()) / 1000);
  const header = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64(JSON.stringify({ sub: o.subject, roles: [o.role], iss: o.issuer, aud: o.audience, iat, exp: iat + o.ttlSeconds }));
  const sig = createHmac('sha256', o.secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${sig}`;
}

/** `90s`, `15m`, `8h`, `7d` or plain seconds. */
export function parseDuration(s: string): number {
  const m = /^(\d{1,7})([smhd]?)$/.exec(s.trim());
  if (!m) throw new Error(`"${s}" is not a duration (e.g. 900, 15m, 8h, 7d)`);
  const n = Number(m[1]);
  const unit = { '': 1, s: 1, m: 60, h: 3_600, d: 86_400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  if (n === 0) throw new Error('duration must be positive');
  return n * unit;
}
