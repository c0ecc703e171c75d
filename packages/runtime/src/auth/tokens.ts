import { SignJWT, errors, jwtVerify } from 'jose';
import { strongestRole, type Role } from './roles.js';

export interface TokenSettings {
  secret: string;
  issuer: string;
  /**
   * The audience tokens are minted for; when a list, a token for any of them is
   * accepted (one operator token for several ODX APIs) and the first is minted.
   */
  audience: string | readonly string[];
}

/** Who is calling, as the verified token (or service-account key) says. */
export interface Principal {
  subject: string;
  role: Role;
  /** Set for a service account (a machine with an API key; absent: a person with a JWT); rate limits and the audit name it. */
  keyId?: string;
}

/** Why a token was not accepted (said to the caller in the 401). */
export class TokenRejected extends Error {
  override readonly name = 'TokenRejected';
}

const key = (secret: string): Uint8Array => new TextEncoder().encode(secret);

/** The audience a token is minted for (the first, when several are accepted). */
export function primaryAudience(settings: TokenSettings): string {
  const first = typeof settings.audience === 'string' ? settings.audience : settings.audience[0];
  if (!first) throw new Error('token settings name no audience');
  return first;
}

/**
 * Mints an HS256 bearer token with a `roles` claim.
 * @param ttlSeconds lifetime @default 3600
 */
export async function mintToken(settings: TokenSettings, subject: string, roles: Role[], ttlSeconds = 3_600): Promise<string> {
  return new SignJWT({ roles })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(subject)
    .setIssuer(settings.issuer)
    .setAudience(primaryAudience(settings))
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(key(settings.secret));
}

/** Verifies signature, algorithm, issuer, audience and expiry, and reads the strongest role. */
export async function verifyToken(settings: TokenSettings, token: string): Promise<Principal> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key(settings.secret), {
      algorithms: ['HS256'],
      issuer: settings.issuer,
      audience: typeof settings.audience === 'string' ? settings.audience : [...settings.audience],
      requiredClaims: ['sub', 'exp'],
    }));
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw new TokenRejected('token expired');
    if (err instanceof errors.JOSEError) throw new TokenRejected(`invalid token (${err.code})`);
    throw new TokenRejected('invalid token');
  }
  const claimed = Array.isArray(payload['roles']) ? payload['roles'] : typeof payload['role'] === 'string' ? [payload['role']] : [];
  const role = strongestRole(claimed);
  if (!role) throw new TokenRejected('token carries no known role (viewer, operator, admin)');
  const subject = payload['sub'];
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > 200)
    throw new TokenRejected('token subject is missing or too long');
  return { subject, role };
}
