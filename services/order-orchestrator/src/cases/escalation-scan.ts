// The escalation scan, in the manner of the process timers: due times are
// stored on the cases (FerretDB has no TTL index), and one small projected read
// of the unresolved cases every interval finds what is due. The same read
// feeds the open-case gauges and finds changes whose event is still to send.
import type { CaseDesk } from './case-desk.js';
import type { CaseMetrics } from './case-metrics.js';
import { CASE_STATUSES, SEVERITIES } from './case-model.js';
import type { CaseStore } from './case-store.js';

export interface EscalationScanResult {
  unresolved: number;
  escalated: number;
  republished: number;
}

/** A pending event younger than this is probably being published right now. */
const PUBLISH_GRACE_MS = 10_000;

/** Cases one scan reads at most (the desk holds exceptions; far more than this is an incident of its own). */
export const SCAN_LIMIT = 50_000;

/** One scan at `now`: escalates the overdue cases, resends pending events, sets the gauges. */
export async function scanCases(o: { store: CaseStore; desk: CaseDesk; metrics: CaseMetrics; now: Date }): Promise<EscalationScanResult> {
  const summaries = await o.store.scan(SCAN_LIMIT);
  const counts = new Map<string, number>();
  const oldest = new Map<string, number>();
  let unresolved = 0;
  let escalated = 0;
  let republished = 0;
  for (const s of summaries) {
    unresolved++;
    counts.set(`${s.severity}|${s.status}`, (counts.get(`${s.severity}|${s.status}`) ?? 0) + 1);
    oldest.set(s.severity, Math.min(oldest.get(s.severity) ?? Number.POSITIVE_INFINITY, s.openedAt.getTime()));
    if (s.dueAt && s.dueAt.getTime() <= o.now.getTime() && (await o.desk.escalateOverdue(s._id, o.now))) escalated++;
  }
  const pending = await o.store.pendingEvents(SCAN_LIMIT);
  for (const p of pending) {
    if (Date.now() - p.at.getTime() < PUBLISH_GRACE_MS) continue;
    await o.desk.republish(p.caseId, p.version);
    republished++;
  }
  for (const severity of SEVERITIES) {
    for (const status of CASE_STATUSES)
      if (status !== 'resolved') o.metrics.open.set({ severity, status }, counts.get(`${severity}|${status}`) ?? 0);
    const since = oldest.get(severity);
    o.metrics.oldestOpenSeconds.set({ severity }, since === undefined ? 0 : Math.max(0, (o.now.getTime() - since) / 1000));
  }
  o.metrics.eventsPending.set(pending.length);
  return { unresolved, escalated, republished };
}
