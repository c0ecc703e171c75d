// The exception desk on the real stack: cases in FerretDB, events on
// odx.cases.v1, the API behind JWT roles, escalation, and dead letters of
// order topics filed on cases.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { buildDlqHeaders, canonicalEventOf } from '@odx/runtime';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import type { CaseOpening } from '../../src/cases/case-model.js';
import { UNATTRIBUTED_ORDER } from '../../src/cases/dlq-entry.js';
import { DLQ_CURSOR_COLLECTION } from '../../src/cases/dlq-intake.js';
import { CASE_ENDPOINTS } from '../../src/http/case-routes.js';
import { startCasesKit } from '../support/cases-kit.js';

function creditHold(orderId: string, over: Partial<CaseOpening> = {}): CaseOpening {
  return {
    orderId,
    orderName: 'S00042',
    step: 'credit',
    reasonClass: 'credit.hold',
    lastError: 'order total 6,000.00 with 3,220.00 open: above the credit limit 5,000.00',
    severity: 'high',
    proposedAction: 'approve-credit',
    evidence: [{ kind: 'record', topic: 'odx.orders.v1', partition: 1, offset: '77', eventId: randomUUID(), note: 'OrderConfirmed' }],
    dedupeKey: `credit|${orderId}|1`,
    ...over,
  };
}

const NIL_ID = '00000000-0000-8000-8000-000000000000';

test('every case endpoint answers 401 without a token and 403 to a role below its own, as problem+json', async (t) => {
  const kit = await startCasesKit(t);
  for (const e of CASE_ENDPOINTS) {
    const path = e.path.replace(':id', NIL_ID);
    const anon = await kit.call(e.method, path, null, e.method === 'POST' ? {} : undefined);
    assert.equal(anon.status, 401, `${e.method} ${e.path} anonymous`);
    assert.match(anon.type, /application\/problem\+json/);
    const bad = await fetch(`${kit.url}${path}`, { method: e.method, headers: { authorization: 'Bearer not.a.jwt' } });
    assert.equal(bad.status, 401, `${e.method} ${e.path} with a forged token`);
    if (e.role === 'operator') {
      const viewer = await kit.call(e.method, path, 'viewer', {});
      assert.equal(viewer.status, 403, `${e.method} ${e.path} as viewer`);
      assert.match(viewer.type, /application\/problem\+json/);
    } else {
      const viewer = await kit.call(e.method, path, 'viewer');
      assert.notEqual(viewer.status, 401);
      assert.notEqual(viewer.status, 403);
    }
  }
});

test('a credit hold: opened once, more evidence attached, assigned, acknowledged, approved through the process, all reported on odx.cases.v1', async (t) => {
  const kit = await startCasesKit(t);
  const orderId = `O-${randomUUID().slice(0, 8)}`;
  const first = await kit.desk.desk.open(creditHold(orderId));
  const again = await kit.desk.desk.open(creditHold(orderId));
  assert.equal(again.caseId, first.caseId, 'open() is idempotent on its dedupe key');
  assert.equal(again.version, 1);
  const attached = await kit.desk.desk.open(
    creditHold(orderId, {
      dedupeKey: `credit|${orderId}|2`,
      evidence: [{ kind: 'note', topic: null, partition: null, offset: null, eventId: null, note: 'second check' }],
    }),
  );
  assert.equal(attached.caseId, first.caseId, 'one open case per order step');
  assert.equal(attached.evidenceCount, 2);

  const list = await kit.call('GET', `/v1/cases?order=${orderId}&status=open`, 'viewer');
  assert.equal(list.status, 200);
  assert.deepEqual(
    list.body.cases.map((c: { caseId: string }) => c.caseId),
    [first.caseId],
  );
  assert.equal(list.body.cases[0].owner.id, 'credit-control', 'routed to the step’s team');

  const id = first.caseId;
  const assign = await kit.call('POST', `/v1/cases/${id}/assign`, 'operator', { owner: { kind: 'person', id: 'alice' }, note: 'yours' });
  assert.equal(assign.status, 200);
  assert.equal(assign.body.case.owner.id, 'alice');
  assert.equal((await kit.call('POST', `/v1/cases/${id}/ack`, 'operator', {})).body.case.status, 'acknowledged');
  const ackAgain = await kit.call('POST', `/v1/cases/${id}/ack`, 'operator', {});
  assert.equal(ackAgain.status, 200);
  assert.equal(ackAgain.body.changed, false);
  const resolved = await kit.call('POST', `/v1/cases/${id}/resolve`, 'operator', {
    resolution: 'approved',
    note: 'limit raised by finance',
  });
  assert.equal(resolved.status, 200);
  assert.equal(resolved.body.case.status, 'resolved');
  assert.deepEqual(kit.commands, [
    {
      orderId,
      caseId: id,
      actor: 'operator-user',
      note: 'limit raised by finance',
      requestId: `${id}:5:approve-credit`,
      command: 'approve-credit',
      step: 'credit',
    },
  ]);
  const refused = await kit.call('POST', `/v1/cases/${id}/ack`, 'operator', {});
  assert.equal(refused.status, 409);
  assert.match(refused.type, /problem\+json/);

  const shown = await kit.call('GET', `/v1/cases/${id}`, 'viewer');
  assert.equal(shown.status, 200);
  assert.deepEqual(
    shown.body.history.map((h: { action: string; actor: string }) => `${h.action}:${h.actor}`),
    [
      'opened:order-orchestrator',
      'evidence-added:order-orchestrator',
      'assigned:operator-user',
      'acknowledged:operator-user',
      'resolved:operator-user',
    ],
  );
  assert.equal(shown.body.case.keys, undefined, 'bookkeeping stays inside');

  const events = (await kit.read(kit.settings.topics.cases)).filter((e) => e.key === orderId);
  assert.deepEqual(
    events.map((e) => e.eventType),
    ['ExceptionCaseOpened', 'ExceptionCaseUpdated', 'ExceptionCaseUpdated', 'ExceptionCaseUpdated', 'ExceptionCaseResolved'],
  );
  const ids = events.map((e) => canonicalEventOf({ eventType: e.eventType ?? '', payload: e.payload })?.payload.meta.eventId);
  assert.ok(ids.every((x) => typeof x === 'string'));
  assert.equal(new Set(ids).size, ids.length, 'one event id per change');

  // The slot is free again: a new hold of the same order step is a new case.
  const next = await kit.desk.desk.open(creditHold(orderId, { dedupeKey: `credit|${orderId}|3` }));
  assert.notEqual(next.caseId, id);
});

test('concurrent openings of one order step make one case holding every opening', async (t) => {
  const kit = await startCasesKit(t);
  const orderId = `O-${randomUUID().slice(0, 8)}`;
  const opened = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      kit.desk.desk.open(
        creditHold(orderId, {
          step: 'release',
          dedupeKey: `k${i}`,
          evidence: [{ kind: 'record', topic: 'odx.orders.v1', partition: 0, offset: String(i), eventId: null, note: null }],
        }),
      ),
    ),
  );
  assert.equal(new Set(opened.map((c) => c.caseId)).size, 1);
  const c = await kit.desk.desk.get(opened[0]!.caseId);
  assert.equal(c.record.evidenceCount, 8);
  assert.equal(c.record.version, 8);
  assert.equal((await kit.desk.desk.list({ orderId, limit: 10 })).length, 1);
});

test('the process moving on resolves the step’s case; retry sends a retry-step command; a failed send leaves the case as it was', async (t) => {
  const kit = await startCasesKit(t);
  const orderId = `O-${randomUUID().slice(0, 8)}`;
  const c = await kit.desk.desk.open(
    creditHold(orderId, { step: 'carrier-booking', reasonClass: 'step.overdue', proposedAction: 'retry-step' }),
  );
  const retried = await kit.call('POST', `/v1/cases/${c.caseId}/retry`, 'operator', { note: 'TMS is back' });
  assert.equal(retried.status, 200);
  assert.equal(retried.body.case.status, 'acknowledged');
  assert.deepEqual(
    kit.commands.map((x) => `${x.command}:${x.step}:${x.caseId}`),
    [`retry-step:carrier-booking:${c.caseId}`],
  );
  await kit.desk.desk.resolveForOrderStep(orderId, 'carrier-booking', 'ShipmentBooked arrived', 'order-orchestrator');
  const after = await kit.desk.desk.get(c.caseId);
  assert.equal(after.record.status, 'resolved');
  assert.equal(after.record.resolution, 'process-moved-on');
  await kit.desk.desk.resolveForOrderStep(orderId, 'carrier-booking', 'again', 'order-orchestrator'); // nothing open: nothing happens

  const failing = await startCasesKit(t, { failCommands: true });
  const d = await failing.desk.desk.open(creditHold(orderId));
  const res = await failing.call('POST', `/v1/cases/${d.caseId}/resolve`, 'operator', { resolution: 'approved' });
  assert.equal(res.status, 500);
  assert.match(res.type, /problem\+json/);
  assert.equal((await failing.desk.desk.get(d.caseId)).record.status, 'open', 'not resolved when the approval did not reach the process');
});

test('hostile and malformed requests are answered 400/404 as problem+json and change nothing', async (t) => {
  const kit = await startCasesKit(t);
  const c = await kit.desk.desk.open(creditHold(`O-${randomUUID().slice(0, 8)}`));
  const id = c.caseId;
  const cases: Array<[string, string, unknown, number]> = [
    ['GET', '/v1/cases?status=deleted', undefined, 400],
    ['GET', '/v1/cases?limit=100000', undefined, 400],
    ['GET', '/v1/cases?owner=a%20b', undefined, 400],
    ['GET', `/v1/cases?order=${'x'.repeat(300)}`, undefined, 400],
    ['GET', '/v1/cases?order[$ne]=x', undefined, 400],
    ['GET', '/v1/cases?sort=1', undefined, 400],
    ['GET', '/v1/cases/not-an-id', undefined, 400],
    ['GET', `/v1/cases/${NIL_ID}`, undefined, 404],
    ['POST', `/v1/cases/${NIL_ID}/ack`, {}, 404],
    ['POST', `/v1/cases/${id}/assign`, {}, 400],
    ['POST', `/v1/cases/${id}/assign`, { owner: { kind: 'robot', id: 'r2' } }, 400],
    ['POST', `/v1/cases/${id}/assign`, { owner: { kind: 'person', id: { $gt: '' } } }, 400],
    ['POST', `/v1/cases/${id}/assign`, { owner: { kind: 'person', id: 'a', admin: true } }, 400],
    ['POST', `/v1/cases/${id}/resolve`, { resolution: 'process-moved-on' }, 400],
    ['POST', `/v1/cases/${id}/resolve`, { resolution: 'approved', note: 'n'.repeat(5_000) }, 400],
    ['POST', `/v1/cases/${id}/ack`, '{"note": ', 400],
    ['POST', `/v1/cases/${id}/ack`, '[]', 400],
    ['POST', `/v1/cases/${id}/escalate`, { note: 'x', __proto__: { polluted: true } }, 200],
  ];
  for (const [method, path, body, status] of cases) {
    const res = await kit.call(method, path, 'operator', body);
    assert.equal(
      res.status,
      status,
      `${method} ${path} ${typeof body === 'string' ? body : JSON.stringify(body)}: ${JSON.stringify(res.body)}`,
    );
    if (status >= 400) assert.match(res.type, /application\/problem\+json/, `${method} ${path}`);
  }
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  const after = await kit.desk.desk.get(id);
  assert.equal(after.record.status, 'escalated', 'only the valid escalation changed the case');
  assert.equal(after.record.owner?.id, 'credit-control');
});

test('a case nobody acts on escalates when due, and again until the last level; the scan keeps the open-case gauge', async (t) => {
  const kit = await startCasesKit(t, { afterMs: 1_000 });
  const c = await kit.desk.desk.open(creditHold(`O-${randomUUID().slice(0, 8)}`, { severity: 'critical' }));
  const t0 = c.openedAt.getTime();
  assert.equal((await kit.desk.scan(new Date(t0 + 500))).escalated, 0);
  assert.equal((await kit.desk.scan(new Date(t0 + 1_000))).escalated, 1);
  let now = await kit.desk.desk.get(c.caseId);
  assert.equal(now.record.status, 'escalated');
  assert.equal(now.record.escalationLevel, 1);
  const due = now.record.dueAt!.getTime();
  assert.equal((await kit.desk.scan(new Date(due + 1))).escalated, 1);
  now = await kit.desk.desk.get(c.caseId);
  assert.equal(now.record.escalationLevel, 2);
  assert.equal(now.record.dueAt, null);
  assert.equal((await kit.desk.scan(new Date(due + 3_600_000))).escalated, 0, 'the last level does not escalate again');
  const metrics = await kit.rt.metrics.registry.getSingleMetricAsString('odx_cases_open');
  assert.match(metrics, /odx_cases_open\{severity="critical",status="escalated"[^}]*\} 1/);
  const events = (await kit.read(kit.settings.topics.cases)).map((e) => e.eventType);
  assert.deepEqual(events, ['ExceptionCaseOpened', 'ExceptionCaseUpdated', 'ExceptionCaseUpdated']);
});

test('dead letters of order topics open a case or join the order’s open one, once each; unreadable ones still get an owner', async (t) => {
  const kit = await startCasesKit(t);
  const dlq = `${kit.prefix}odx.orders.v1.wms-bridge.dlq`;
  const other = `${kit.prefix}odx.inventory.v1.wms-bridge.dlq`;
  const shipDlq = `${kit.prefix}odx.shipments.v1.tms-bridge.dlq`;
  await kit.topics([dlq, other, shipDlq], 1);
  const orderId = `O-${randomUUID().slice(0, 8)}`;
  const holding = await kit.desk.desk.open(creditHold(orderId));
  const headers = (offset: number): Record<string, string> =>
    buildDlqHeaders(
      {},
      {
        originalTopic: `${kit.prefix}odx.orders.v1`,
        receivedTopic: `${kit.prefix}odx.orders.v1`,
        partition: 0,
        offset: String(offset),
        attempt: 1,
        failure: { kind: 'poison', errorClass: 'serde.undecodable', message: 'cannot decode', circuitOpen: false, retryAfterMs: undefined },
        group: 'wms-bridge',
      },
    );
  const sample = sampleEvent('OrderConfirmed');
  const payload = { ...sample, order: { ...sample.order, orderId: `${orderId}-2` }, meta: sampleMeta({ eventId: randomUUID() }) };
  const encoded = await kit.rt.serde.encode(`${kit.prefix}odx.orders.v1`, 'OrderConfirmed', payload);
  await kit.rt.producer.publishRaw([
    // Undecodable, but keyed by its order: joins the order's open credit case.
    { topic: dlq, key: orderId, value: Buffer.from('garbage'), headers: headers(10) },
    // A readable event of another order: a new case for its release step.
    { topic: dlq, key: 'whatever', value: encoded.value, headers: headers(11) },
    // A shipment entry that names no order.
    { topic: shipDlq, key: 'SH-1', value: null, headers: {} },
    // Not an order topic: no case.
    { topic: other, key: 'SKU-1', value: Buffer.from('x'), headers: {} },
  ]);
  const first = await kit.desk.dlq.scan();
  assert.deepEqual({ read: first.read, opened: first.opened, attached: first.attached }, { read: 3, opened: 2, attached: 1 });
  const second = await kit.desk.dlq.scan();
  assert.equal(second.read, 0, 'the cursor moved past what was filed');

  const joined = await kit.desk.desk.get(holding.caseId);
  assert.equal(joined.record.evidenceCount, 3, 'the DLQ entry and the original record it names');
  assert.equal(joined.record.evidence[1]!.kind, 'dlq-entry');
  assert.equal(joined.record.evidence[1]!.topic, dlq);
  assert.equal(joined.record.evidence[1]!.offset, '0');
  const [release] = await kit.desk.desk.list({ orderId: `${orderId}-2`, limit: 10 });
  assert.equal(release?.step, 'release');
  assert.equal(release?.errorClass, 'dlq.serde.undecodable');
  assert.equal(release?.owner?.id, 'warehouse-ops');
  const [unattributed] = await kit.desk.desk.list({ orderId: UNATTRIBUTED_ORDER, limit: 10 });
  assert.equal(unattributed?.step, 'dlq:odx.shipments.v1');
  assert.equal(unattributed?.owner?.id, 'integration-ops');

  // A desk reading the same entries again (a restart before the cursor moved) files nothing twice.
  await kit.rt.db.collection(DLQ_CURSOR_COLLECTION).deleteMany({});
  const again = await kit.desk.dlq.scan();
  assert.equal(again.duplicate, 3);
  assert.equal((await kit.desk.desk.get(holding.caseId)).record.evidenceCount, 3);
});
