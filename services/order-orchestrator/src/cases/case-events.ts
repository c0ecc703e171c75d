// Case changes as events on odx.cases.v1, keyed by order (the catalog's key),
// with ids derived from (case, version): a change published again after a
// crash carries the id it had, and consumers drop the repeat.
import { deterministicEventId, outgoingEvent, type OutgoingEvent } from '@odx/runtime';
import type { EventMeta, ExceptionCase } from '@odx/schemas';
import type { CaseRecord, HistoryEntry } from './case-model.js';

/** The ExceptionCase record of the schemas for a stored case. */
export function exceptionCaseOf(r: CaseRecord): ExceptionCase {
  return {
    caseId: r.caseId,
    orderId: r.orderId,
    orderName: r.orderName,
    step: r.step,
    reason: { errorClass: r.errorClass, lastError: r.lastError, evidence: r.evidence },
    severity: r.severity,
    owner: r.owner,
    status: r.status,
    proposedAction: r.proposedAction,
    escalationLevel: r.escalationLevel,
    openedAt: r.openedAt,
    updatedAt: r.updatedAt,
    dueAt: r.dueAt,
    resolvedAt: r.resolvedAt,
  };
}

/** The event reporting the change that made `record.version`: Opened for version 1, Resolved for a resolution, Updated otherwise. */
export function caseEvent(record: CaseRecord, change: HistoryEntry, ctx: { company: string; topic: string }): OutgoingEvent {
  const meta: EventMeta = {
    eventId: deterministicEventId('odx.cases', record.caseId, record.version),
    occurredAt: change.at,
    source: 'odx',
    // One flow per order: the case's events correlate with the order's.
    correlationId: record.orderId,
    causationId: null,
    company: ctx.company,
  };
  const c = exceptionCaseOf(record);
  const extra = { topic: ctx.topic };
  if (record.version === 1 && change.action === 'opened')
    return outgoingEvent('ExceptionCaseOpened', record.orderId, { meta, case: c, change }, extra);
  if (record.status === 'resolved' && change.action === 'resolved')
    return outgoingEvent(
      'ExceptionCaseResolved',
      record.orderId,
      { meta, case: c, change, resolution: record.resolution ?? 'other' },
      extra,
    );
  return outgoingEvent('ExceptionCaseUpdated', record.orderId, { meta, case: c, change }, extra);
}
