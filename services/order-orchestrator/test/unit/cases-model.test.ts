import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  CASE_STATUSES,
  CaseTransitionRefused,
  MAX_CASE_EVIDENCE,
  MAX_CASE_KEYS,
  applyCaseAction,
  openCase,
  type CaseAction,
  type CaseOpening,
  type CaseRecord,
  type EscalationPolicy,
} from '../../src/cases/case-model.js';

const MIN = 60_000;
const policy: EscalationPolicy = {
  afterMs: { critical: 15 * MIN, high: 60 * MIN, medium: 240 * MIN, low: 1_440 * MIN },
  maxLevel: 2,
  escalateTo: null,
};
const t0 = new Date('2026-12-07T08:00:00Z');
const at = (min: number): Date => new Date(t0.getTime() + min * MIN);

function opening(over: Partial<CaseOpening> = {}): CaseOpening {
  return {
    orderId: 'O-1',
    step: 'credit',
    reasonClass: 'credit.hold',
    lastError: 'order total 6,000.00 above the credit limit 5,000.00',
    severity: 'high',
    evidence: [{ kind: 'record', topic: 'odx.orders.v1', partition: 0, offset: '17', eventId: 'e-1', note: null }],
    dedupeKey: 'credit|O-1|1',
    ...over,
  };
}

function opened(over: Partial<CaseOpening> = {}): CaseRecord {
  return openCase(opening(over), { caseId: 'c-1', now: t0, actor: 'order-orchestrator', defaultOwner: null, policy }).record;
}

function run(r: CaseRecord, action: CaseAction, min = 1, actor = 'alice'): CaseRecord {
  const t = applyCaseAction(r, action, { now: at(min), actor, policy });
  assert.ok(t.changed, `expected ${action.kind} to change the case (${t.changed ? '' : t.why})`);
  return t.record;
}

test('a new case is open, version 1, due after its severity’s escalation time, with the opening as history', () => {
  const { record, entry } = openCase(opening(), {
    caseId: 'c-1',
    now: t0,
    actor: 'order-orchestrator',
    defaultOwner: { kind: 'team', id: 'credit-control', name: null },
    policy,
  });
  assert.equal(record.status, 'open');
  assert.equal(record.version, 1);
  assert.deepEqual(record.dueAt, at(60));
  assert.deepEqual(record.owner, { kind: 'team', id: 'credit-control', name: null });
  assert.deepEqual(record.keys, ['credit|O-1|1']);
  assert.equal(record.evidenceCount, 1);
  assert.equal(entry.action, 'opened');
  assert.equal(entry.toStatus, 'open');
  assert.equal(entry.fromStatus, null);
});

test('open → acknowledged → escalated → resolved, each change one version and one history entry', () => {
  let r = opened();
  const steps: Array<[CaseAction, string, string]> = [
    [{ kind: 'ack' }, 'acknowledged', 'acknowledged'],
    [{ kind: 'escalate', note: 'customer called' }, 'escalated', 'escalated'],
    [{ kind: 'resolve', resolution: 'approved', note: 'limit raised' }, 'resolved', 'resolved'],
  ];
  for (const [i, [action, status, historyAction]] of steps.entries()) {
    const t = applyCaseAction(r, action, { now: at(i + 1), actor: 'alice', policy });
    assert.ok(t.changed);
    assert.equal(t.record.status, status);
    assert.equal(t.record.version, r.version + 1);
    assert.equal(t.entry.action, historyAction);
    assert.equal(t.entry.fromStatus, r.status);
    assert.equal(t.entry.toStatus, status);
    assert.equal(t.entry.actor, 'alice');
    r = t.record;
  }
  assert.equal(r.resolution, 'approved');
  assert.deepEqual(r.resolvedAt, at(3));
  assert.equal(r.dueAt, null);
  assert.equal(r.escalationLevel, 1);
});

test('assign changes the owner and nothing else; the same owner again changes nothing', () => {
  const r = opened();
  const owner = { kind: 'person', id: 'bob', name: 'Bob' };
  const t = applyCaseAction(r, { kind: 'assign', owner }, { now: at(1), actor: 'alice', policy });
  assert.ok(t.changed);
  assert.deepEqual(t.record.owner, owner);
  assert.equal(t.record.status, 'open');
  assert.deepEqual(t.record.dueAt, r.dueAt);
  assert.match(t.entry.note ?? '', /person bob/);
  const again = applyCaseAction(t.record, { kind: 'assign', owner }, { now: at(2), actor: 'alice', policy });
  assert.equal(again.changed, false);
});

test('ack restarts the escalation clock; a second ack changes nothing', () => {
  const r = run(opened(), { kind: 'ack' }, 30);
  assert.deepEqual(r.dueAt, at(90));
  assert.equal(applyCaseAction(r, { kind: 'ack' }, { now: at(31), actor: 'bob', policy }).changed, false);
});

test('overdue escalates only when due, raises the level, and stops being due at the last level', () => {
  const r = opened();
  assert.equal(applyCaseAction(r, { kind: 'overdue' }, { now: at(59), actor: 'odx', policy }).changed, false);
  const e1 = run(r, { kind: 'overdue' }, 60, 'order-orchestrator');
  assert.equal(e1.status, 'escalated');
  assert.equal(e1.escalationLevel, 1);
  assert.deepEqual(e1.dueAt, at(120));
  const e2 = run(e1, { kind: 'overdue' }, 120, 'order-orchestrator');
  assert.equal(e2.escalationLevel, 2);
  assert.equal(e2.dueAt, null, 'maxLevel reached: no further due time');
  assert.equal(applyCaseAction(e2, { kind: 'overdue' }, { now: at(10_000), actor: 'odx', policy }).changed, false);
});

test('escalation hands the case to the escalation owner when the policy names one', () => {
  const lead = { kind: 'team', id: 'ops-lead', name: null };
  const t = applyCaseAction(opened(), { kind: 'overdue' }, { now: at(60), actor: 'odx', policy: { ...policy, escalateTo: lead } });
  assert.ok(t.changed);
  assert.deepEqual(t.record.owner, lead);
});

test('retry acknowledges an open case and keeps it open for the process to report back', () => {
  const r = run(opened(), { kind: 'retry', note: 'WMS is back' });
  assert.equal(r.status, 'acknowledged');
  assert.equal(r.resolvedAt, null);
});

test('a resolved case refuses every action but resolve (which changes nothing) and overdue (ignored)', () => {
  const r = run(opened(), { kind: 'resolve', resolution: 'dismissed' });
  for (const action of [
    { kind: 'assign', owner: { kind: 'team', id: 'x', name: null } },
    { kind: 'ack' },
    { kind: 'escalate' },
    { kind: 'retry' },
    { kind: 'attach', opening: opening({ dedupeKey: 'other' }) },
  ] satisfies CaseAction[]) {
    assert.throws(
      () => applyCaseAction(r, action, { now: at(2), actor: 'alice', policy }),
      (e: unknown) => e instanceof CaseTransitionRefused && e.status === 'resolved' && e.action === action.kind,
    );
  }
  assert.equal(applyCaseAction(r, { kind: 'resolve', resolution: 'approved' }, { now: at(2), actor: 'a', policy }).changed, false);
  assert.equal(applyCaseAction(r, { kind: 'overdue' }, { now: at(9_999), actor: 'a', policy }).changed, false);
});

test('attach adds evidence once per dedupe key, raises severity, never lowers it, and caps what the case keeps', () => {
  let r = opened({ severity: 'medium' });
  const dlq = (n: number) =>
    opening({
      dedupeKey: `dlq|t|0|${n}`,
      severity: n % 2 ? 'critical' : 'low',
      reasonClass: 'dlq.wms.validation',
      lastError: `entry ${n}`,
      evidence: [{ kind: 'dlq-entry', topic: 'odx.orders.v1.wms-bridge.dlq', partition: 0, offset: String(n), eventId: null, note: null }],
    });
  r = run(r, { kind: 'attach', opening: dlq(1) });
  assert.equal(r.severity, 'critical');
  assert.equal(r.errorClass, 'dlq.wms.validation');
  assert.equal(r.evidenceCount, 2);
  const same = applyCaseAction(r, { kind: 'attach', opening: dlq(1) }, { now: at(2), actor: 'odx', policy });
  assert.equal(same.changed, false, 'the same opening twice attaches once');
  r = run(r, { kind: 'attach', opening: dlq(2) });
  assert.equal(r.severity, 'critical', 'a lower severity does not lower the case');
  for (let n = 3; n < 100; n++) r = run(r, { kind: 'attach', opening: dlq(n) });
  assert.equal(r.evidence.length, MAX_CASE_EVIDENCE);
  assert.equal(r.evidenceCount, 100);
  assert.equal(r.keys.length, MAX_CASE_KEYS);
  assert.equal(r.keys.at(-1), 'dlq|t|0|99');
});

test('property: any sequence of actions keeps the case consistent', () => {
  const action = fc.oneof(
    fc.constant<CaseAction>({ kind: 'ack' }),
    fc.constant<CaseAction>({ kind: 'escalate' }),
    fc.constant<CaseAction>({ kind: 'retry' }),
    fc.constant<CaseAction>({ kind: 'overdue' }),
    fc.constantFrom<CaseAction>({ kind: 'resolve', resolution: 'approved' }, { kind: 'resolve', resolution: 'dismissed' }),
    fc.string({ maxLength: 5 }).map<CaseAction>((id) => ({ kind: 'assign', owner: { kind: 'person', id: `p${id}`, name: null } })),
    fc.nat(5).map<CaseAction>((n) => ({ kind: 'attach', opening: opening({ dedupeKey: `k${n}` }) })),
  );
  fc.assert(
    fc.property(fc.array(fc.tuple(action, fc.nat(500)), { maxLength: 40 }), (script) => {
      let r = opened();
      let minute = 0;
      for (const [a, dt] of script) {
        minute += dt;
        let t;
        try {
          t = applyCaseAction(r, a, { now: at(minute), actor: 'x', policy });
        } catch (e) {
          assert.ok(e instanceof CaseTransitionRefused);
          assert.equal(r.status, 'resolved', 'only a resolved case refuses');
          continue;
        }
        if (!t.changed) {
          assert.equal(t.record, r);
          continue;
        }
        assert.equal(t.record.version, r.version + 1);
        assert.ok(CASE_STATUSES.includes(t.record.status));
        assert.ok(t.record.escalationLevel >= r.escalationLevel);
        // Only an operator escalates past the last level the scan reaches.
        assert.ok(t.record.escalationLevel <= policy.maxLevel || a.kind === 'escalate' || t.record.escalationLevel === r.escalationLevel);
        if (t.record.status === 'resolved') assert.equal(t.record.dueAt, null);
        assert.ok(t.record.evidence.length <= MAX_CASE_EVIDENCE && t.record.evidence.length <= t.record.evidenceCount);
        r = t.record;
      }
    }),
    { numRuns: 300 },
  );
});

test('an opening is cut to what a case keeps, however much the source sent', () => {
  const huge = opening({
    reasonClass: 'c'.repeat(1_000),
    lastError: '<html>'.repeat(100_000),
    evidence: Array.from({ length: 500 }, (_, i) => ({
      kind: 'record',
      topic: 't',
      partition: 0,
      offset: String(i),
      eventId: null,
      note: 'n'.repeat(10_000),
    })),
  });
  const r = openCase(huge, { caseId: 'c', now: t0, actor: 'x', defaultOwner: null, policy }).record;
  assert.equal(r.errorClass.length, 100);
  assert.equal(r.lastError.length, 2_000);
  assert.equal(r.evidenceCount, 20);
  assert.ok(r.evidence.every((e) => (e.note ?? '').length <= 300));
  const t = applyCaseAction(r, { kind: 'attach', opening: { ...huge, dedupeKey: 'other' } }, { now: at(1), actor: 'x', policy });
  assert.ok(t.changed);
  assert.equal(t.record.lastError.length, 2_000);
  assert.ok((t.entry.note ?? '').length <= 1_000);
});
