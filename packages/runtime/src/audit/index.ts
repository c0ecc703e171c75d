export { AUDIT_COLLECTION, AuditLog, type AuditEntry, type AuditOutcome, type AuditQuery } from './audit-log.js';
export { auditCalls } from './audit-calls.js';
