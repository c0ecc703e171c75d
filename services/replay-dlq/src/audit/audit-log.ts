// replay-dlq's domain audit (what a redrive, purge, replay or reset touched, with counts) on the runtime's audit log,
// in its own collection. The runtime also audits every state-changing call of the API by itself (odx_audit).
import { AuditLog as RuntimeAuditLog, type AuditEntry as RuntimeAuditEntry, type AuditQuery as RuntimeAuditQuery } from '@odx/runtime';
import type { Db } from 'mongodb';

export type AuditAction = 'dlq.redrive' | 'dlq.purge' | 'replay.start' | 'replay.cancel' | 'groups.reset';
export type AuditEntry = RuntimeAuditEntry<AuditAction>;
export type AuditQuery = RuntimeAuditQuery<AuditAction>;

/** Append-only audit trail of replay-dlq's operator actions (inserts only: cheap on FerretDB, never rewritten). */
export class AuditLog extends RuntimeAuditLog<AuditAction> {
  constructor(db: Db, collection = 'replay_dlq_audit') {
    super(db, collection);
  }
}
