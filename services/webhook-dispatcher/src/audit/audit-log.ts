import { randomUUID } from 'node:crypto';
import type { Collection, Db, Filter } from 'mongodb';

export type AuditAction =
  | 'subscription.create'
  | 'subscription.update'
  | 'subscription.disable'
  | 'subscription.enable'
  | 'subscription.auto-disable'
  | 'secret.add'
  | 'secret.remove'
  | 'subscription.test'
  | 'delivery.redeliver'
  | 'subscription.recover';

/** Who did what to which subscription, and how it ended (written before the answer is sent). */
export interface AuditEntry {
  _id: string;
  at: Date;
  /** Token subject, or `system` for the dispatcher's own decisions (auto-disable). */
  actor: string;
  role: string;
  action: AuditAction;
  /** Subscription or delivery id. */
  target: string;
  outcome: 'ok' | 'refused';
  /** The request as validated (never secrets or payloads). */
  details: Record<string, unknown>;
}

export interface AuditQuery {
  action?: AuditAction | undefined;
  target?: string | undefined;
  since?: Date | undefined;
  limit: number;
}

/** Append-only audit trail (`webhook_audit`, inserts only). */
export class AuditLog {
  private readonly col: Collection<AuditEntry>;

  constructor(db: Db, collection = 'webhook_audit') {
    this.col = db.collection<AuditEntry>(collection);
  }

  async record(entry: Omit<AuditEntry, '_id' | 'at'>): Promise<AuditEntry> {
    const full: AuditEntry = { _id: randomUUID(), at: new Date(), ...entry };
    await this.col.insertOne(full);
    return full;
  }

  /** Newest first. */
  list(q: AuditQuery): Promise<AuditEntry[]> {
    const filter: Filter<AuditEntry> = {};
    if (q.action) filter.action = q.action;
    if (q.target) filter.target = q.target;
    if (q.since) filter.at = { $gte: q.since };
    return this.col.find(filter).sort({ at: -1 }).limit(q.limit).toArray();
  }
}
