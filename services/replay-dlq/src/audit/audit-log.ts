import { randomUUID } from 'node:crypto';
import type { Collection, Db, Filter } from 'mongodb';

export type AuditAction = 'dlq.redrive' | 'dlq.purge' | 'replay.start' | 'replay.cancel' | 'groups.reset';

/** One operator action: who did what to which target, how many messages or partitions it touched. */
export interface AuditEntry {
  _id: string;
  at: Date;
  actor: string;
  role: string;
  action: AuditAction;
  /** Topic, group or job the action was about. */
  target: string;
  count: number;
  /** The request as validated (never tokens or payload bodies). */
  details: Record<string, unknown>;
}

export interface AuditQuery {
  action?: AuditAction | undefined;
  actor?: string | undefined;
  target?: string | undefined;
  since?: Date | undefined;
  limit: number;
}

/** Append-only audit trail in MongoDB (inserts only: cheap on FerretDB, never rewritten). */
export class AuditLog {
  private readonly col: Collection<AuditEntry>;

  constructor(db: Db, collection = 'replay_dlq_audit') {
    this.col = db.collection<AuditEntry>(collection);
  }

  async record(entry: Omit<AuditEntry, '_id' | 'at'>): Promise<AuditEntry> {
    const full: AuditEntry = { _id: randomUUID(), at: new Date(), ...entry };
    await this.col.insertOne(full);
    return full;
  }

  /** Newest first. */
  async list(q: AuditQuery): Promise<AuditEntry[]> {
    const filter: Filter<AuditEntry> = {};
    if (q.action) filter.action = q.action;
    if (q.actor) filter.actor = q.actor;
    if (q.target) filter.target = q.target;
    if (q.since) filter.at = { $gte: q.since };
    return this.col.find(filter).sort({ at: -1 }).limit(q.limit).toArray();
  }
}
