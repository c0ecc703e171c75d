import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { parseScopes } from './scopes.js';

/** The runtime-owned collection of service-account keys (hashes only; the key itself is shown once, at creation). */
export const SERVICE_KEYS_COLLECTION = 'odx_service_keys';

/** `odx_sk_<key id>_<secret>`: the id finds the record, the 256-bit secret proves the caller holds the key. */
const KEY = /^odx_sk_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$/;

/** One stored key of a service account. */
export interface ServiceKeyRecord {
  /** The key id (part of the key, not secret). */
  _id: string;
  account: string;
  /** SHA-256 (hex) of the whole key: the key has 256 bits of entropy, so a fast hash is enough (no password stretching needed). */
  hash: string;
  scopes: string[];
  /** Requests per rate window for this key; null: the service's default. */
  rateLimit: number | null;
  createdAt: Date;
  createdBy: string;
  /** Set when the key was rotated out: it still works until then (the overlap). */
  expiresAt: Date | null;
  revokedAt: Date | null;
  revokedBy: string | null;
  note: string | null;
}

/** A key as listed: never the hash. */
export type ServiceKeyView = Omit<ServiceKeyRecord, 'hash'> & { status: 'active' | 'expiring' | 'expired' | 'revoked' };

/** A refused key administration request (names what is wrong). */
export class ServiceKeyError extends Error {
  override readonly name = 'ServiceKeyError';
}

export interface CreateKeyOptions {
  account: string;
  scopes: readonly string[];
  rateLimit?: number | null;
  createdBy: string;
  note?: string | null;
}

const ACCOUNT = /^[a-z][a-z0-9._-]{0,62}$/;
/** At most this many keys of one account work at a time: the current one and the one being rotated out. */
export const MAX_ACTIVE_KEYS = 2;

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

function statusOf(r: ServiceKeyRecord, now: Date): ServiceKeyView['status'] {
  if (r.revokedAt) return 'revoked';
  if (r.expiresAt && r.expiresAt <= now) return 'expired';
  return r.expiresAt ? 'expiring' : 'active';
}

function usable(r: ServiceKeyRecord, now: Date): boolean {
  const s = statusOf(r, now);
  return s === 'active' || s === 'expiring';
}

/**
 * Service-account keys in MongoDB: create, rotate (a new key; the old one keeps
 * working until its expiry), revoke, list, and `verify` for the request path,
 * which keeps what it read for `cacheMs` (a revocation takes effect within it).
 */
export class ServiceKeyStore {
  private readonly col: Collection<ServiceKeyRecord>;
  private readonly cache = new Map<string, { record: ServiceKeyRecord | null; until: number }>();

  /** @param cacheMs how long a key read from MongoDB is trusted @default 10000 */
  constructor(
    db: Db,
    private readonly cacheMs = 10_000,
  ) {
    this.col = db.collection<ServiceKeyRecord>(SERVICE_KEYS_COLLECTION);
  }

  /** True when `token` has the shape of an ODX key (so it is not tried as a JWT). */
  static looksLikeKey(token: string): boolean {
    return token.startsWith('odx_sk_');
  }

  async create(o: CreateKeyOptions): Promise<{ key: string; record: ServiceKeyView }> {
    if (!ACCOUNT.test(o.account)) throw new ServiceKeyError(`account "${o.account}" must be 1-63 of a-z 0-9 . _ - starting with a letter`);
    const active = (await this.col.find({ account: o.account }).toArray()).filter((r) => usable(r, new Date()));
    if (active.length > 0) throw new ServiceKeyError(`account ${o.account} already has a key; rotate it (odx keys rotate ${o.account})`);
    return this.insert(o.account, parseScopes(o.scopes), o.rateLimit ?? null, o.createdBy, o.note ?? null);
  }

  /**
   * A new key for `account` with the scopes and limit of its newest active key; every older key of the
   * account expires `overlapMs` from now (the callers move to the new key meanwhile).
   * @param overlapMs how long the old key keeps working @default 86400000 (24 h)
   */
  async rotate(account: string, by: string, overlapMs = 86_400_000): Promise<{ key: string; record: ServiceKeyView; expiring: string[] }> {
    const now = new Date();
    const active = (await this.col.find({ account }).sort({ createdAt: -1 }).toArray()).filter((r) => usable(r, now));
    const newest = active[0];
    if (!newest) throw new ServiceKeyError(`account ${account} has no active key to rotate; create one`);
    if (active.length >= MAX_ACTIVE_KEYS)
      throw new ServiceKeyError(
        `account ${account} already has ${active.length} keys in use (one is being rotated out until ${active[1]?.expiresAt?.toISOString() ?? '?'}); revoke one first`,
      );
    const expiresAt = new Date(now.getTime() + overlapMs);
    await this.col.updateOne({ _id: newest._id }, { $set: { expiresAt } });
    this.cache.delete(newest._id);
    const created = await this.insert(account, newest.scopes, newest.rateLimit, by, newest.note);
    return { ...created, expiring: [newest._id] };
  }

  /** Revokes one key (by id) or every key of an account; answers the ids revoked. */
  async revoke(target: { keyId: string } | { account: string }, by: string): Promise<string[]> {
    const filter = 'keyId' in target ? { _id: target.keyId, revokedAt: null } : { account: target.account, revokedAt: null };
    const ids = (await this.col.find(filter).toArray()).map((r) => r._id);
    if (ids.length === 0) throw new ServiceKeyError(`no unrevoked key matches ${JSON.stringify(target)}`);
    const revokedAt = new Date();
    for (const id of ids) {
      await this.col.updateOne({ _id: id }, { $set: { revokedAt, revokedBy: by } });
      this.cache.delete(id);
    }
    return ids;
  }

  async list(account?: string): Promise<ServiceKeyView[]> {
    const now = new Date();
    const rows = await this.col
      .find(account ? { account } : {})
      .sort({ account: 1, createdAt: -1 })
      .toArray();
    return rows.map(({ hash: _hash, ...r }) => ({ ...r, status: statusOf({ ...r, hash: '' }, now) }));
  }

  /** The key's record when `key` is a usable key (right secret, not revoked, not expired); else null. */
  async verify(key: string): Promise<ServiceKeyRecord | null> {
    const m = KEY.exec(key);
    if (!m) return null;
    const record = await this.read(m[1]!);
    if (!record || !usable(record, new Date())) return null;
    const given = Buffer.from(sha256(key), 'hex');
    const stored = Buffer.from(record.hash, 'hex');
    return given.length === stored.length && timingSafeEqual(given, stored) ? record : null;
  }

  private async read(id: string): Promise<ServiceKeyRecord | null> {
    const hit = this.cache.get(id);
    if (hit && hit.until > Date.now()) return hit.record;
    const record = await this.col.findOne({ _id: id });
    // Unknown ids are remembered too, so random keys cost one read per id and period; the map is bounded.
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(id, { record, until: Date.now() + this.cacheMs });
    return record;
  }

  private async insert(
    account: string,
    scopes: string[],
    rateLimit: number | null,
    createdBy: string,
    note: string | null,
  ): Promise<{ key: string; record: ServiceKeyView }> {
    if (rateLimit !== null && (!Number.isInteger(rateLimit) || rateLimit < 1))
      throw new ServiceKeyError('rate limit must be a positive integer');
    const id = randomBytes(8).toString('hex');
    const key = `odx_sk_${id}_${randomBytes(32).toString('base64url')}`;
    const record: ServiceKeyRecord = {
      _id: id,
      account,
      hash: sha256(key),
      scopes,
      rateLimit,
      createdAt: new Date(),
      createdBy,
      expiresAt: null,
      revokedAt: null,
      revokedBy: null,
      note,
    };
    await this.col.insertOne(record);
    const { hash: _hash, ...view } = record;
    return { key, record: { ...view, status: 'active' } };
  }
}
