import { randomUUID } from 'node:crypto';
import { MongoServerError, type Collection, type Db } from 'mongodb';

/** Result of trying to claim an idempotency key. */
export type ClaimOutcome =
  /** First claim: do the effect, then `complete`. */
  | { status: 'acquired'; claim: Claim }
  /** The previous holder's lease expired (it crashed): do the effect, then `complete`. */
  | { status: 'taken-over'; claim: Claim; previousOwner: string }
  /** Already done: skip the effect. */
  | { status: 'duplicate'; completedAt: Date }
  /** Someone else holds a live lease: try again after `retryAfterMs`. */
  | { status: 'busy'; owner: string; retryAfterMs: number };

export interface Claim {
  key: string;
  owner: string;
  /** Lease generation; only the holder of the current generation may complete. */
  generation: number;
}

interface KeyDoc {
  _id: string;
  scope: string;
  eventId: string;
  status: 'in-progress' | 'completed';
  owner: string;
  generation: number;
  leaseUntil: Date;
  createdAt: Date;
  completedAt?: Date;
  expiresAt: Date;
  result?: unknown;
}

export interface IdempotencyStoreOptions {
  db: Db;
  /** @default 'odx_idempotency_keys' */
  collection?: string;
  /** How long a holder may work before others may take over. @default 30000 */
  leaseMs?: number;
  /** How long completed keys are kept (duplicates older than this are not detected). @default 7 days */
  retentionMs?: number;
  /** Identifies this process in claims. @default random */
  owner?: string;
}

const DUPLICATE_KEY = 11000;

function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoServerError && err.code === DUPLICATE_KEY;
}

/**
 * Idempotency keys per (scope, eventId) in MongoDB. Every state change that two
 * processes could race on is a unique insert, never a read-modify-write, because
 * FerretDB's findOneAndUpdate is no atomic compare-and-set:
 * - a first claim inserts the key document (`_id` = key);
 * - a take-over of an expired lease first inserts a lease token `<key>#<generation>`:
 *   only one contender can insert a given generation, and only the winner then
 *   rewrites the key document.
 * Keys expire through `expiresAt`: a TTL index where the server has one, and
 * `sweepExpired` everywhere (FerretDB has no TTL monitor).
 */
export class IdempotencyStore {
  readonly collection: Collection<KeyDoc>;
  readonly owner: string;
  private readonly leaseMs: number;
  private readonly retentionMs: number;
  private ready: Promise<void> | undefined;

  constructor(options: IdempotencyStoreOptions) {
    this.collection = options.db.collection<KeyDoc>(options.collection ?? 'odx_idempotency_keys');
    this.leaseMs = options.leaseMs ?? 30_000;
    this.retentionMs = options.retentionMs ?? 7 * 24 * 3600_000;
    this.owner = options.owner ?? randomUUID();
  }

  static key(scope: string, eventId: string): string {
    return `${scope}:${eventId}`;
  }

  /** Creates indexes once; a TTL index is best effort. */
  init(): Promise<void> {
    this.ready ??= (async () => {
      await this.collection.createIndex({ expiresAt: 1 }, { name: 'expiresAt_1' }).catch(() => undefined);
      await this.collection
        .createIndex({ expiresAt: 1 }, { name: 'expiresAt_ttl', expireAfterSeconds: 0 })
        .catch(() => undefined); // servers without TTL support (FerretDB) rely on sweepExpired
    })();
    return this.ready;
  }

  /** Claims `(scope, eventId)` before doing its effect. */
  async claim(scope: string, eventId: string, now: Date = new Date()): Promise<ClaimOutcome> {
    await this.init();
    const key = IdempotencyStore.key(scope, eventId);
    const doc: KeyDoc = {
      _id: key, scope, eventId, status: 'in-progress', owner: this.owner, generation: 0,
      leaseUntil: new Date(now.getTime() + this.leaseMs), createdAt: now,
      expiresAt: new Date(now.getTime() + this.retentionMs),
    };
    try {
      await this.collection.insertOne(doc);
      return { status: 'acquired', claim: { key, owner: this.owner, generation: 0 } };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const existing = await this.collection.findOne({ _id: key });
    if (!existing) return this.claim(scope, eventId, now); // released between insert and read
    if (existing.status === 'completed') return { status: 'duplicate', completedAt: existing.completedAt ?? existing.createdAt };
    if (existing.leaseUntil.getTime() > now.getTime()) {
      return { status: 'busy', owner: existing.owner, retryAfterMs: existing.leaseUntil.getTime() - now.getTime() };
    }
    // Expired lease: contenders race on a unique token for the next generation.
    const generation = existing.generation + 1;
    try {
      await this.collection.insertOne({
        ...doc, _id: `${key}#${generation}`, generation, status: 'in-progress',
      });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return { status: 'busy', owner: 'another contender', retryAfterMs: this.leaseMs };
    }
    await this.collection.updateOne(
      { _id: key },
      { $set: { owner: this.owner, generation, leaseUntil: new Date(now.getTime() + this.leaseMs) } },
    );
    return { status: 'taken-over', claim: { key, owner: this.owner, generation }, previousOwner: existing.owner };
  }

  /** Extends the lease of a long-running effect. */
  async renew(claim: Claim, now: Date = new Date()): Promise<void> {
    await this.collection.updateOne(
      { _id: claim.key, owner: claim.owner, generation: claim.generation },
      { $set: { leaseUntil: new Date(now.getTime() + this.leaseMs) } },
    );
  }

  /**
   * Marks the effect done. Returns false when the claim was lost (a take-over
   * happened because the lease ran out), so the caller can log it.
   */
  async complete(claim: Claim, result?: unknown, now: Date = new Date()): Promise<boolean> {
    const res = await this.collection.updateOne(
      { _id: claim.key, owner: claim.owner, generation: claim.generation },
      { $set: { status: 'completed', completedAt: now, ...(result === undefined ? {} : { result }) } },
    );
    return res.matchedCount === 1;
  }

  /** Gives a claim up after a failed effect so a retry can claim again at once. */
  async release(claim: Claim): Promise<void> {
    const res = await this.collection.deleteOne({ _id: claim.key, owner: claim.owner, generation: claim.generation, status: 'in-progress' });
    if (res.deletedCount === 1 && claim.generation > 0) await this.collection.deleteMany({ _id: { $regex: `^${escapeRegex(claim.key)}#` } });
  }

  /** Deletes keys and lease tokens past `expiresAt`; returns how many. */
  async sweepExpired(now: Date = new Date()): Promise<number> {
    const res = await this.collection.deleteMany({ expiresAt: { $lt: now } });
    return res.deletedCount;
  }

  /** Runs `sweepExpired` every `intervalMs` until `signal` aborts. */
  startSweeper(intervalMs: number, signal: AbortSignal, onError: (err: unknown) => void = () => undefined): void {
    const timer = setInterval(() => {
      this.sweepExpired().catch(onError);
    }, intervalMs);
    timer.unref();
    signal.addEventListener('abort', () => clearInterval(timer), { once: true });
  }
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
