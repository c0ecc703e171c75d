import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { mapLimited } from '../concurrency/map-limited.js';
import { deleteManyInBatches, findByIds, insertManyInChunks } from '../store/bounded-writes.js';
import { InsertBatcher } from '../store/insert-batcher.js';

/** Result of trying to claim an idempotency key. */
export type ClaimOutcome =
  /** Nobody did it yet (or the last holder gave up): do the effect, then `complete`. */
  | { status: 'acquired'; claim: Claim }
  /** The previous holder's lease ran out (it crashed): do the effect, then `complete`. */
  | { status: 'taken-over'; claim: Claim; previousOwner: string }
  /** Already done: skip the effect. */
  | { status: 'duplicate'; completedAt: Date }
  /** Someone else holds a live lease: try again after `retryAfterMs`. */
  | { status: 'busy'; owner: string; retryAfterMs: number };

export interface Claim {
  key: string;
  scope: string;
  eventId: string;
  owner: string;
  /** Lease generation: 0 for the first holder, +1 for each later one. */
  generation: number;
}

type Kind = 'claim' | 'done' | 'released';

/**
 * What is stored: deliberately small, because FerretDB's insert throughput
 * falls with document size (measured: ~11k docs/s with ten fields, ~21k with
 * five). Kind and generation live in `_id`; owner and lease only on claims.
 */
interface KeyDoc {
  _id: string;
  /** `<scope>:<eventId>`, for reading all documents of a set of keys at once. */
  key: string;
  owner?: string;
  lease?: Date;
  expiresAt: Date;
}

/** A stored document, decoded. */
interface KeyState {
  kind: Kind;
  generation: number;
  owner: string;
  leaseUntil: Date;
  expiresAt: Date;
}

const ID_SUFFIX = /@(\d+)(!released)?$/;

function decodeDoc(d: KeyDoc): KeyState {
  const base = { owner: d.owner ?? '', leaseUntil: d.lease ?? new Date(0), expiresAt: d.expiresAt };
  if (d._id.endsWith('!done')) return { ...base, kind: 'done', generation: -1 };
  const m = ID_SUFFIX.exec(d._id);
  return { ...base, kind: m?.[2] ? 'released' : 'claim', generation: Number(m?.[1] ?? 0) };
}

export interface IdempotencyStoreOptions {
  db: Db;
  /** @default 'odx_idempotency_keys' */
  collection?: string;
  /** How long a holder may work before others may take over. @default 30000 */
  leaseMs?: number;
  /** How long keys are kept (duplicates older than this are not detected). @default 7 days */
  retentionMs?: number;
  /** Identifies this process in claims. @default random */
  owner?: string;
}

/** Generations of a key read in one round of point lookups (most keys only ever have generation 0). */
const GENERATIONS_PER_ROUND = 2;
/**
 * Keys whose documents are read at once on the conflict path; with
 * GENERATIONS_PER_ROUND this bounds the point lookups in flight (about 5 per
 * key). Unbounded, a redelivered batch of 200 keys sent a thousand lookups at
 * once and held every pooled connection of FerretDB's database for seconds.
 */
const KEYS_IN_FLIGHT = 4;
/** Keys whose last transition this process made and remembers (a few MB). */
const RECENT_KEYS = 50_000;

/** What this process last did to a key: released generation g, or marked it done. */
type RecentState = { state: 'released'; generation: number } | { state: 'done'; completedAt: Date };

/**
 * Idempotency keys per (scope, eventId) in MongoDB, kept as an append-only set
 * of documents whose `_id`s encode the state (the happy path is two inserts per
 * event, batched; lookups happen only for keys seen before):
 *   `<key>@<g>`           claim of generation g (owner, lease)
 *   `<key>@<g>!released`  generation g gave up (its effect failed)
 *   `<key>!done`          the effect is done
 * Every transition is a unique insert, never a read-modify-write, because
 * FerretDB has no atomic compare-and-set (findOneAndUpdate) and, on its SQLite
 * backend, every filter other than an exact `{ _id: <string> }` scans the
 * collection while inserts stay fast (docs/known-issues.md): lookups are by `_id`
 * only. Two contenders for a generation race on one `_id`, and
 * exactly one wins. Keys expire through `expiresAt`: a TTL index where the
 * server has one, `sweepExpired` everywhere.
 */
export class IdempotencyStore {
  readonly collection: Collection<KeyDoc>;
  readonly owner: string;
  private readonly leaseMs: number;
  private readonly retentionMs: number;
  private ready: Promise<void> | undefined;
  /**
   * The keys this process released or completed last (insertion-ordered, oldest
   * evicted). A retry of our own released claim, or a repeat of an effect we
   * completed, then costs no lookups: retries come back to the same group, and
   * usually to the same member.
   */
  private readonly recent = new Map<string, RecentState>();
  /** Single key inserts, sent together (see `insertUnique`); made on first use. */
  private inserts: InsertBatcher<KeyDoc> | undefined;

  constructor(options: IdempotencyStoreOptions) {
    this.collection = options.db.collection<KeyDoc>(options.collection ?? 'odx_idempotency_keys');
    this.leaseMs = options.leaseMs ?? 30_000;
    this.retentionMs = options.retentionMs ?? 7 * 24 * 3600_000;
    this.owner = options.owner ?? randomUUID();
  }

  /** How long a claim is held before others may take it over. */
  get leaseDurationMs(): number {
    return this.leaseMs;
  }

  static key(scope: string, eventId: string): string {
    return `${scope}:${eventId}`;
  }

  /** Creates indexes once; the TTL index is best effort. */
  init(): Promise<void> {
    this.ready ??= (async () => {
      await this.collection
        .createIndex({ expiresAt: 1 }, { name: 'expiresAt_ttl', expireAfterSeconds: 0 })
        .catch(() => this.collection.createIndex({ expiresAt: 1 }, { name: 'expiresAt_1' }))
        .catch(() => undefined); // servers without TTL support (FerretDB) rely on sweepExpired
    })();
    return this.ready;
  }

  private doc(kind: Kind, key: string, generation: number, now: Date): KeyDoc {
    if (kind === 'done') return { _id: `${key}!done`, key, expiresAt: new Date(now.getTime() + this.retentionMs) };
    // Claims outlive their "done" mark by a day, so a late redelivery can never
    // find generation 0 free while the key is still known to be done.
    const expiresAt = new Date(now.getTime() + this.retentionMs + 24 * 3600_000);
    if (kind === 'released') return { _id: `${key}@${generation}!released`, key, expiresAt };
    return { _id: `${key}@${generation}`, key, owner: this.owner, lease: new Date(now.getTime() + this.leaseMs), expiresAt };
  }

  /**
   * One key document, inserted unless its `_id` exists. Concurrent callers (webhooks, API requests, each
   * partition's completions) share insertMany commands: alone a document goes out at once, and while
   * a command is in flight the next ones queue and go out together (group commit), so a burst costs
   * FerretDB a few commands instead of one per request.
   */
  private insertUnique(doc: KeyDoc): Promise<boolean> {
    this.inserts ??= new InsertBatcher(this.collection, { lingerMs: 0, maxInFlight: 1 });
    return this.inserts.insert(doc);
  }

  /**
   * Every document of one key, read by `_id` point lookups: `!done` alone
   * first (each lookup is a scan on FerretDB, so the common redelivery costs
   * one), then the claims and releases generation by generation until one is
   * missing. A `{ key: { $in } }` query would be one round trip, but FerretDB
   * scans for every read, and for any filter other than an exact `_id` its
   * SQLite backend decodes every document in Go (docs/known-issues.md).
   */
  private async documentsOf(key: string): Promise<KeyDoc[]> {
    // A redelivered key is usually done: one lookup answers it.
    const done = await this.collection.findOne({ _id: `${key}!done` });
    if (done) return [done];
    const docs: KeyDoc[] = [];
    for (let from = 0; ; from += GENERATIONS_PER_ROUND) {
      const ids: string[] = [];
      for (let g = from; g < from + GENERATIONS_PER_ROUND; g++) ids.push(`${key}@${g}`, `${key}@${g}!released`);
      const found = await findByIds(this.collection, ids);
      docs.push(...found);
      const lastAsked = `${key}@${from + GENERATIONS_PER_ROUND - 1}`;
      if (!found.some((d) => d._id === lastAsked)) return docs;
    }
  }

  private remember(key: string, state: RecentState): void {
    this.recent.delete(key);
    this.recent.set(key, state);
    if (this.recent.size > RECENT_KEYS) this.recent.delete(this.recent.keys().next().value as string);
  }

  /**
   * A conflicted key this process knows: done (final: a duplicate), or released
   * by us at generation g, where generation g + 1 is raced for at once while
   * `!done` is checked (a holder whose lease ran out may still have finished).
   * Undefined sends the key to the lookups.
   */
  private async resolveRecent(scope: string, eventId: string, now: Date): Promise<ClaimOutcome | undefined> {
    const key = IdempotencyStore.key(scope, eventId);
    const known = this.recent.get(key);
    if (!known) return undefined;
    if (known.state === 'done') return { status: 'duplicate', completedAt: known.completedAt };
    const generation = known.generation + 1;
    const [won, done] = await Promise.all([
      this.insertUnique(this.doc('claim', key, generation, now)),
      this.collection.findOne({ _id: `${key}!done` }),
    ]);
    if (done) {
      if (won) await this.insertUnique(this.doc('released', key, generation, now));
      this.remember(key, { state: 'done', completedAt: new Date(done.expiresAt.getTime() - this.retentionMs) });
      return { status: 'duplicate', completedAt: new Date(done.expiresAt.getTime() - this.retentionMs) };
    }
    this.recent.delete(key);
    return won ? { status: 'acquired', claim: { key, scope, eventId, owner: this.owner, generation } } : undefined;
  }

  /** Claims `(scope, eventId)` before doing its effect. */
  async claim(scope: string, eventId: string, now: Date = new Date()): Promise<ClaimOutcome> {
    await this.init();
    const key = IdempotencyStore.key(scope, eventId);
    if (await this.insertUnique(this.doc('claim', key, 0, now))) {
      return { status: 'acquired', claim: { key, scope, eventId, owner: this.owner, generation: 0 } };
    }
    return (await this.resolveConflicts(scope, [eventId], now)).get(eventId)!;
  }

  /**
   * The path for keys whose generation 0 is taken: read every document of those
   * keys in one query, work out each key's state, and race for the next
   * generation where the last one was released or its lease ran out.
   */
  private async resolveConflicts(scope: string, conflicted: string[], now: Date): Promise<Map<string, ClaimOutcome>> {
    const out = new Map<string, ClaimOutcome>();
    const fast = await mapLimited(conflicted, KEYS_IN_FLIGHT, (id) => this.resolveRecent(scope, id, now));
    conflicted.forEach((id, i) => {
      const outcome = fast[i];
      if (outcome) out.set(id, outcome);
    });
    const eventIds = conflicted.filter((id) => !out.has(id));
    const keys = eventIds.map((id) => IdempotencyStore.key(scope, id));
    const docs = (await mapLimited(keys, KEYS_IN_FLIGHT, (k) => this.documentsOf(k))).flat();
    const byKey = new Map<string, KeyState[]>();
    for (const d of docs) {
      const list = byKey.get(d.key);
      if (list) list.push(decodeDoc(d));
      else byKey.set(d.key, [decodeDoc(d)]);
    }
    for (const eventId of eventIds) {
      const key = IdempotencyStore.key(scope, eventId);
      const list = byKey.get(key) ?? [];
      const done = list.find((d) => d.kind === 'done');
      if (done) {
        const completedAt = new Date(done.expiresAt.getTime() - this.retentionMs);
        this.remember(key, { state: 'done', completedAt });
        out.set(eventId, { status: 'duplicate', completedAt });
        continue;
      }
      const claims = list.filter((d) => d.kind === 'claim');
      const last = claims.reduce<KeyState | undefined>((a, d) => (!a || d.generation > a.generation ? d : a), undefined);
      const released = last !== undefined && list.some((d) => d.kind === 'released' && d.generation === last.generation);
      if (last && !released && last.leaseUntil.getTime() > now.getTime()) {
        out.set(eventId, { status: 'busy', owner: last.owner, retryAfterMs: last.leaseUntil.getTime() - now.getTime() });
        continue;
      }
      const generation = last ? last.generation + 1 : 0;
      if (!(await this.insertUnique(this.doc('claim', key, generation, now)))) {
        // Another contender won this generation a moment ago.
        out.set(eventId, { status: 'busy', owner: 'another contender', retryAfterMs: Math.min(this.leaseMs, 1_000) });
        continue;
      }
      const claim = { key, scope, eventId, owner: this.owner, generation };
      out.set(eventId, last && !released ? { status: 'taken-over', claim, previousOwner: last.owner } : { status: 'acquired', claim });
    }
    return out;
  }

  /**
   * Claims many keys with one unordered insertMany: the fast path for a batch
   * of messages. Conflicting keys take the one-by-one path. Repeated ids get
   * one outcome.
   */
  async claimMany(scope: string, eventIds: string[], now: Date = new Date()): Promise<Map<string, ClaimOutcome>> {
    await this.init();
    const unique = [...new Set(eventIds)];
    const out = new Map<string, ClaimOutcome>();
    if (unique.length === 0) return out;
    const docs = unique.map((eventId) => this.doc('claim', IdempotencyStore.key(scope, eventId), 0, now));
    const conflicted = await this.insertManyUnique(docs);
    const resolved =
      conflicted.size > 0
        ? await this.resolveConflicts(
            scope,
            [...conflicted].map((i) => unique[i]!),
            now,
          )
        : new Map<string, ClaimOutcome>();
    for (const [i, eventId] of unique.entries()) {
      out.set(
        eventId,
        resolved.get(eventId) ?? { status: 'acquired', claim: { key: docs[i]!.key, scope, eventId, owner: this.owner, generation: 0 } },
      );
    }
    return out;
  }

  /** Inserts all docs it can; returns the indexes that already existed. */
  private async insertManyUnique(docs: KeyDoc[]): Promise<Set<number>> {
    if (docs.length === 0) return new Set();
    return new Set((await insertManyInChunks(this.collection, docs)).duplicates);
  }

  /** Extends the lease of a long-running effect (an update: slow on FerretDB, so use sparingly). */
  async renew(claim: Claim, now: Date = new Date()): Promise<void> {
    await this.collection.updateOne(
      { _id: `${claim.key}@${claim.generation}` },
      { $set: { lease: new Date(now.getTime() + this.leaseMs) } },
    );
  }

  /**
   * Marks the effect done. Returns false when the key was already done, or, with
   * `verifyHolder`, when the claim was lost (its lease ran out and another
   * holder took over). The check costs an `_id` lookup, which FerretDB's SQLite
   * backend answers with a scan, so the consumer runner skips it.
   */
  async complete(claim: Claim, options: { verifyHolder?: boolean; now?: Date } = {}): Promise<boolean> {
    const now = options.now ?? new Date();
    if ((options.verifyHolder ?? true) && (await this.collection.findOne({ _id: `${claim.key}@${claim.generation + 1}` }))) return false;
    const recorded = await this.insertUnique(this.doc('done', claim.key, claim.generation, now));
    this.remember(claim.key, { state: 'done', completedAt: now });
    return recorded;
  }

  /** Marks many effects done with one insertMany; returns how many were recorded. */
  async completeMany(claims: Claim[], now: Date = new Date()): Promise<number> {
    const docs = claims.map((c) => this.doc('done', c.key, c.generation, now));
    const conflicted = await this.insertManyUnique(docs);
    for (const c of claims) this.remember(c.key, { state: 'done', completedAt: now });
    return docs.length - conflicted.size;
  }

  /** Gives a claim up after a failed effect, so a retry can claim again at once. */
  async release(claim: Claim, now: Date = new Date()): Promise<void> {
    await this.insertUnique(this.doc('released', claim.key, claim.generation, now));
    this.remember(claim.key, { state: 'released', generation: claim.generation });
  }

  /** Gives many claims up with one insertMany. */
  async releaseMany(claims: Claim[], now: Date = new Date()): Promise<void> {
    await this.insertManyUnique(claims.map((c) => this.doc('released', c.key, c.generation, now)));
    for (const c of claims) this.remember(c.key, { state: 'released', generation: c.generation });
  }

  /**
   * Deletes keys past `expiresAt` in bounded batches; returns how many. One
   * unbounded deleteMany of a large backlog fails on FerretDB's SQLite backend
   * (too many SQL variables past 32,766 documents), and then would fail forever.
   */
  async sweepExpired(now: Date = new Date(), signal?: AbortSignal): Promise<number> {
    return (await deleteManyInBatches(this.collection, { expiresAt: { $lt: now } }, signal ? { signal } : {})).deleted;
  }

  /** Runs `sweepExpired` every `intervalMs` until `signal` aborts. */
  startSweeper(intervalMs: number, signal: AbortSignal, onError: (err: unknown) => void = () => undefined): void {
    let running = false;
    const timer = setInterval(() => {
      // A sweep of a large backlog may outlast the interval: never two at once.
      if (running) return;
      running = true;
      this.sweepExpired(new Date(), signal)
        .catch(onError)
        .finally(() => {
          running = false;
        });
    }, intervalMs);
    timer.unref();
    signal.addEventListener('abort', () => clearInterval(timer), { once: true });
  }
}
