import { randomUUID } from 'node:crypto';
import type { Collection, Db, Filter } from 'mongodb';

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

/**
 * Append-mostly audit trail in MongoDB: an entry is inserted before the effect
 * (outcome `pending`) or after it with its outcome, and completed at most once.
 */
export class AuditLog<A extends string = string> {
  private readonly col: Collection<AuditEntry<A>>;

  /** @param collection @default 'odx_audit' */
  constructor(db: Db, collection: string = AUDIT_COLLECTION) {
    this.col = db.collection<AuditEntry<A>>(collection);
  }

  async record(entry: Omit<AuditEntry<A>, '_id' | 'at'>): Promise<AuditEntry<A>> {
    const full = { _id: randomUUID(), at: new Date(), ...entry } as AuditEntry<A>;
    await this.col.insertOne(full as Parameters<Collection<AuditEntry<A>>['insertOne']>[0]);
    return full;
  }

  /** Sets the outcome of an entry recorded `pending`. */
  async complete(id: string, outcome: Exclude<AuditOutcome, 'pending'>, status: number, action?: A): Promise<void> {
    await this.col.updateOne({ _id: id } as Filter<AuditEntry<A>>, {
      $set: { outcome, status, ...(action ? { action } : {}) } as Partial<AuditEntry<A>>,
    });
  }

  /** Newest first. */
  async list(q: AuditQuery<A>): Promise<AuditEntry<A>[]> {
    const filter: Record<string, unknown> = {};
    if (q.action) filter['action'] = q.action;
    if (q.actor) filter['actor'] = q.actor;
    if (q.target) filter['target'] = q.target;
    if (q.since) filter['at'] = { $gte: q.since };
    return (await this.col
      .find(filter as Filter<AuditEntry<A>>)
      .sort({ at: -1 })
      .limit(q.limit)
      .toArray()) as AuditEntry<A>[];
  }
}
