import { randomUUID } from 'node:crypto';
import type { Collection, Db, Filter } from 'mongodb';
import { InsertBatcher } from '../store/insert-batcher.js';
import { findByIds } from '../store/bounded-writes.js';

/** The runtime's audit collection: every state-changing API call of every service. */
export const AUDIT_COLLECTION = 'odx_audit';

/** How a call ended: `pending` until the answer is known (a crash leaves it so: the intent stays on record). */
export type AuditOutcome = 'pending' | 'succeeded' | 'refused' | 'failed';

/** One action: who did what to which target, when, and how it ended. */
export interface AuditEntry<A extends string = string> {
  _id: string;
  at: Date;
  /** The service the call reached. */
  service?: string;
  actor: string;
  role: string;
  /** `person` (JWT) or `service` (API key); absent on entries written before the runtime audit. */
  actorKind?: 'person' | 'service';
  keyId?: string;
  action: A;
  /** Topic, group, job, path the action was about. */
  target: string;
  outcome?: AuditOutcome;
  /** The HTTP status answered. */
  status?: number;
  count: number;
  /** The request as validated (never tokens or payload bodies). */
  details: Record<string, unknown>;
}

export interface AuditQuery<A extends string = string> {
  action?: A | undefined;
  actor?: string | undefined;
  target?: string | undefined;
  since?: Date | undefined;
  limit: number;
}

/** The outcome of an entry recorded `pending`, kept beside it (`<collection>_outcomes`, `_id` = the entry's). */
interface OutcomeDoc {
  _id: string;
  at: Date;
  outcome: Exclude<AuditOutcome, 'pending'>;
  status: number;
  action?: string;
}

/**
 * Append-only audit trail in MongoDB: an entry is inserted before the effect (outcome `pending`) or after it with
 * its outcome; the outcome of a pending entry is a second insert, into `<collection>_outcomes`, at most once.
 * Nothing is updated in place: FerretDB scans a collection for an update, so an in-place outcome made every audited
 * call slower as the trail grew (docs/benchmarks.md, "bench:api"). Inserts from concurrent calls go out together.
 */
export class AuditLog<A extends string = string> {
  private readonly col: Collection<AuditEntry<A>>;
  private readonly outcomes: Collection<OutcomeDoc>;
  private readonly entryInserts: InsertBatcher<AuditEntry<A>>;
  private readonly outcomeInserts: InsertBatcher<OutcomeDoc>;

  /** @param collection @default 'odx_audit' */
  constructor(db: Db, collection: string = AUDIT_COLLECTION) {
    this.col = db.collection<AuditEntry<A>>(collection);
    this.outcomes = db.collection<OutcomeDoc>(`${collection}_outcomes`);
    this.entryInserts = new InsertBatcher(this.col);
    this.outcomeInserts = new InsertBatcher(this.outcomes);
  }

  async record(entry: Omit<AuditEntry<A>, '_id' | 'at'>): Promise<AuditEntry<A>> {
    const full = { _id: randomUUID(), at: new Date(), ...entry } as AuditEntry<A>;
    if (!(await this.entryInserts.insert(full))) throw new Error(`audit entry ${full._id} exists already`);
    return full;
  }

  /** Records the outcome of an entry recorded `pending`; a second outcome for the same entry is ignored. */
  async complete(id: string, outcome: Exclude<AuditOutcome, 'pending'>, status: number, action?: A): Promise<void> {
    await this.outcomeInserts.insert({ _id: id, at: new Date(), outcome, status, ...(action ? { action } : {}) });
  }

  /** Newest first, each with its outcome. */
  async list(q: AuditQuery<A>): Promise<AuditEntry<A>[]> {
    const filter: Record<string, unknown> = {};
    if (q.action) {
      // A pending entry names the path it was called with; its outcome may name the route ("POST /v1/jobs/:id").
      const completedAs = await this.outcomes
        .find({ action: q.action, ...(q.since ? { at: { $gte: q.since } } : {}) }, { projection: { _id: 1 } })
        .sort({ at: -1 })
        .limit(Math.max(q.limit, 1) * 10)
        .toArray();
      filter['$or'] = [{ action: q.action }, ...(completedAs.length > 0 ? [{ _id: { $in: completedAs.map((o) => o._id) } }] : [])];
    }
    if (q.actor) filter['actor'] = q.actor;
    if (q.target) filter['target'] = q.target;
    if (q.since) filter['at'] = { $gte: q.since };
    const entries = (await this.col
      .find(filter as Filter<AuditEntry<A>>)
      .sort({ at: -1 })
      .limit(q.limit)
      .toArray()) as AuditEntry<A>[];
    const pending = entries.filter((e) => e.outcome === 'pending').map((e) => e._id);
    const outcomes = new Map((await findByIds(this.outcomes, pending)).map((o) => [o._id, o]));
    return entries.map((e) => {
      const o = outcomes.get(e._id);
      return o ? ({ ...e, outcome: o.outcome, status: o.status, ...(o.action ? { action: o.action as A } : {}) } as AuditEntry<A>) : e;
    });
  }
}
