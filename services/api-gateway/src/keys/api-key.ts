// API keys for shops and marketplaces (machines). A key is `odxk_<id>_<secret>`:
// the id (public, 16 hex) finds the stored record, the secret is 32 random
// bytes. Only SHA-256 of the whole key is stored: with 256 bits of entropy a
// slow hash (scrypt) adds nothing against guessing and would cost every request
// milliseconds of CPU.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const SCOPES = ['orders:write', 'orders:read', 'availability:read'] as const;
export type Scope = (typeof SCOPES)[number];

export const PARTNER_KINDS = ['shop', 'marketplace', 'customer'] as const;
export type PartnerKind = (typeof PARTNER_KINDS)[number];

/** A partner id: part of every order id the partner creates (`odx:api:<partner>:<orderRef>`), so no `:`. */
export const partnerIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'a partner id is 1-40 of a-z, 0-9 and - (starting with a letter or digit)');

const KEY_FORMAT = /^odxk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** The partner a key acts for, and the Odoo customer its orders are placed for. */
export interface Partner {
  partnerId: string;
  kind: PartnerKind;
  /** The sold-to party: the poller's write-back finds the Odoo customer by `ref`, else by numeric `partyId`, else by `name`. */
  customer: { partyId: string; ref: string | null; name: string };
}

export interface NewApiKey {
  keyId: string;
  /** The key as the partner sends it; shown once, never stored. */
  token: string;
  /** SHA-256 of `token`, hex. */
  hash: string;
}

export function hashApiKey(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newApiKey(): NewApiKey {
  const keyId = randomBytes(8).toString('hex');
  const token = `odxk_${keyId}_${randomBytes(32).toString('base64url')}`;
  return { keyId, token, hash: hashApiKey(token) };
}

/** The key id of a well-formed key; undefined for anything else (no lookup is made for it). */
export function apiKeyId(token: string): string | undefined {
  return KEY_FORMAT.exec(token)?.[1];
}

/** Compares a presented key with a stored hash in constant time. */
export function matchesHash(token: string, storedHash: string): boolean {
  const a = Buffer.from(hashApiKey(token), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
