// The case store's crash paths on FerretDB: a writer that stopped between
// winning a change and writing the case, and an event Kafka never
// acknowledged. Both are finished by whoever comes next.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { canonicalEventOf } from '@odx/runtime';
import type { CaseOpening } from '../../src/cases/case-model.js';
import { CASE_COLLECTIONS, CaseStore, type CaseDoc } from '../../src/cases/case-store.js';
import { startCasesKit } from '../support/cases-kit.js';

const opening = (orderId: string): CaseOpening => ({
  orderId,
  step: 'dispatch',
  reasonClass: 'step.overdue',
  lastError: 'no dispatch after 3 catch-ups',
  severity: 'medium',
  evidence: [],
  dedupeKey: `overdue|${orderId}|dispatch`,
});

test('a change whose writer stopped before writing the case is finished by the next change, and the history has both', async (t) => {
  const kit = await startCasesKit(t);
  const desk = kit.desk.desk;
  const c = await desk.open(opening(`O-${randomUUID().slice(0, 8)}`));
  const cases = kit.rt.db.collection<CaseDoc>(CASE_COLLECTIONS.cases);
  const v1 = await cases.findOne({ _id: c.caseId });
  assert.ok(v1);
  await desk.assign(c.caseId, { kind: 'person', id: 'bob', name: null }, 'alice');
  // As if the assign's writer had stopped after its history entry: the case document is still version 1.
  await cases.replaceOne({ _id: c.caseId }, v1);
  assert.equal((await desk.get(c.caseId)).record.version, 1);

  const t2 = await desk.acknowledge(c.caseId, 'bob');
  assert.ok(t2.changed);
  const now = await desk.get(c.caseId);
  assert.equal(now.record.version, 3);
  assert.equal(now.record.owner?.id, 'bob', 'the stopped assign was rolled forward first');
  assert.equal(now.record.status, 'acknowledged');
  const history = await desk.history(now);
  assert.deepEqual(
    history.map((h) => `${h.version}:${h.action}:${h.actor}`),
    ['1:opened:order-orchestrator', '2:assigned:alice', '3:acknowledged:bob'],
  );
});

test('an event still in the outbox is sent again by the scan, with the id it had', async (t) => {
  const kit = await startCasesKit(t);
  const c = await kit.desk.desk.open(opening(`O-${randomUUID().slice(0, 8)}`));
  const outbox = kit.rt.db.collection<{ _id: string; caseId: string; version: number; at: Date }>(CASE_COLLECTIONS.outbox);
  assert.equal(await outbox.countDocuments({}), 0, 'acknowledged events leave the outbox');
  // As if Kafka had not acknowledged the opening before the process stopped.
  await outbox.insertOne({ _id: `${c.caseId}|00000001`, caseId: c.caseId, version: 1, at: new Date(Date.now() - 60_000) });
  const scan = await kit.desk.scan(new Date());
  assert.equal(scan.republished, 1);
  assert.equal(await outbox.countDocuments({}), 0);
  const events = (await kit.read(kit.settings.topics.cases)).map((e) =>
    canonicalEventOf({ eventType: e.eventType ?? '', payload: e.payload }),
  );
  assert.deepEqual(
    events.map((e) => e?.eventType),
    ['ExceptionCaseOpened', 'ExceptionCaseOpened'],
  );
  const ids = events.map((e) => e?.payload.meta.eventId);
  assert.equal(ids[0], ids[1], 'consumers drop the repeat by its id');
});

test('history reads stay point lookups: a case with many changes returns the newest ones asked for', async (t) => {
  const kit = await startCasesKit(t);
  const store = new CaseStore(kit.rt.db);
  const orderId = `O-${randomUUID().slice(0, 8)}`;
  for (let i = 0; i < 30; i++) await kit.desk.desk.open({ ...opening(orderId), dedupeKey: `k${i}` });
  const c = await kit.desk.desk.get((await store.openSlot(orderId, 'dispatch'))!);
  assert.equal(c.record.version, 30);
  const last5 = await store.historyOf(c, 5);
  assert.deepEqual(
    last5.map((h) => h.version),
    [26, 27, 28, 29, 30],
  );
});
