// Credentials of the demo's own calls to the services' APIs: development JWTs
// signed with the demo's shared secret, minted the way `odx token` mints them.
import { mintDevToken, type Role } from '@odx/cli';
import { DEMO_JWT_SECRET } from './services.js';

/** The audience every service accepts by default (the runtime's ODX_AUTH_JWT_AUDIENCE is `odx-<service>,odx`). */
export const DEMO_AUDIENCE = 'odx';

/**
 * A bearer token for the demo's services (the analytics-sink, the bridges, the EDI listing).
 * @param ttlSeconds @default 86400
 */
export function demoToken(role: Role, subject = 'odx-demo', ttlSeconds = 86_400): string {
  return mintDevToken({ secret: DEMO_JWT_SECRET, issuer: 'odx', audience: DEMO_AUDIENCE, subject, role, ttlSeconds });
}

/** `{ authorization: 'Bearer …' }` for fetch. @default role viewer */
export function demoAuth(role: Role = 'viewer'): { authorization: string } {
  return { authorization: `Bearer ${demoToken(role)}` };
}
