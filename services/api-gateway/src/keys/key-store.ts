import type { Collection, Db } from 'mongodb';
import { apiKeyId, matchesHash, newApiKey, type Partner, type Scope } from './api-key.js';

export const KEYS_COLLECTION = 'api_gateway_keys';

/** A stored key: never the key itself, only its hash. */
export interface ApiKeyRecord extends Partner {
  _id: string;
  hash: string;
  label: string;
  scopes: Scope[];
  /** Requests per rate window for this key; null: the service's default. */
  rateLimit: number | null;
  createdAt: Date;
  createdBy: string;
  revokedAt: Date | null;
  revokedBy: string | null;
}

/** What the admin API shows of a key. */
export type ApiKeyView = Omit<ApiKeyRecord, '_id' | 'hash'> & { keyId: string };

export interface CreateKeyInput extends Partner {
  label: string;
  scopes: Scope[];
  rateLimit: number | null;
}

/** A verified caller with an API key. */
export interface KeyPrincipal extends Partner {
  keyId: string;
  scopes: readonly Scope[];
  rateLimit: number | null;
}

/** Thrown by `revoke` for an unknown key id. */
export class UnknownKey extends Error {
  override readonly name = 'UnknownKey';
}

const MAX_CACHED = 10_000;

/**
 * API keys in MongoDB, looked up by `_id` (the key id) only, the one read
 * FerretDB answers without decoding every document in Go. Verified keys (and
 * unknown ids) are remembered for `cacheMs`, so a partner's requests cost no
 * read; a revocation on another instance takes effect within that time.
 */
export class ApiKeyStore {
  readonly collection: Collection<ApiKeyRecord>;
  private readonly cache = new Map<string, { record: ApiKeyRecord | null; until: number }>();

  constructor(
    db: Db,
    private readonly cacheMs: number,
  ) {
    this.collection = db.collection<ApiKeyRecord>(KEYS_COLLECTION);
  }

  /** Creates a key; the answer holds the key itself, which is not stored anywhere. */
  async create(input: CreateKeyInput, createdBy: string, now = new Date()): Promise<{ key: string; record: ApiKeyView }> {
    const { keyId, token, hash } = newApiKey();
    const record: ApiKeyRecord = { _id: keyId, hash, ...input, createdAt: now, createdBy, revokedAt: null, revokedBy: null };
    await this.collection.insertOne(record);
    return { key: token, record: viewOf(record) };
  }

  async list(partnerId?: string): Promise<ApiKeyView[]> {
    const docs = await this.collection
      .find(partnerId ? { partnerId } : {})
      .sort({ createdAt: 1 })
      .limit(1_000)
      .toArray();
    return docs.map(viewOf);
  }

  async revoke(keyId: string, revokedBy: string, now = new Date()): Promise<ApiKeyView> {
    const found = await this.collection.findOne({ _id: keyId });
    if (!found) throw new UnknownKey(`no API key ${keyId}`);
    if (!found.revokedAt) {
      await this.collection.updateOne({ _id: keyId }, { $set: { revokedAt: now, revokedBy } });
      found.revokedAt = now;
      found.revokedBy = revokedBy;
    }
    this.cache.delete(keyId);
    return viewOf(found);
  }

  /** The principal of a presented key; undefined when it is malformed, unknown, revoked or does not match. */
  async verify(token: string, now = Date.now()): Promise<KeyPrincipal | undefined> {
    const keyId = apiKeyId(token);
    if (!keyId) return undefined;
    const record = await this.lookup(keyId, now);
    if (!record || record.revokedAt || !matchesHash(token, record.hash)) return undefined;
    const { partnerId, kind, customer, scopes, rateLimit } = record;
    return { keyId, partnerId, kind, customer, scopes, rateLimit };
  }

  private async lookup(keyId: string, now: number): Promise<ApiKeyRecord | null> {
    const hit = this.cache.get(keyId);
    if (hit && hit.until > now) return hit.record;
    const record = await this.collection.findOne({ _id: keyId });
    this.cache.delete(keyId);
    this.cache.set(keyId, { record, until: now + this.cacheMs });
    if (this.cache.size > MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
    return record;
  }
}

function viewOf(r: ApiKeyRecord): ApiKeyView {
  const { _id, hash: _hash, ...rest } = r;
  return { keyId: _id, ...rest };
}
