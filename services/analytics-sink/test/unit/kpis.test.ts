import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConsumedEvent } from '@odx/runtime';
import { computeKpis } from '../../src/analytics/kpis.js';
import { buildTimeline, ordersForReference } from '../../src/analytics/timeline.js';
import { indexEntryOf, type IndexedEvent } from '../../src/ingest/event-record.js';
import { buildScenario, EXPECTED, HOUR, type ScenarioEvent } from '../support/scenario.js';

/** The index entries the sink would write for the scenario (coordinates made up, topics named by kind). */
function entries(events: ScenarioEvent[]): IndexedEvent[] {
  return events.map(({ kind, ...e }, i) =>
    indexEntryOf({
      ...e,
      topic: `t.${kind}`,
      receivedFrom: { topic: `t.${kind}`, partition: 0, offset: String(i) },
      fullName: `com.odx.events.${e.eventType}`,
      eventId: e.payload.meta.eventId,
      headers: { ce_source: '/odx/test', traceparent: `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01` },
      attempt: 1,
      idempotencyKey: 'x',
      signal: new AbortController().signal,
    } satisfies ConsumedEvent),
  );
}

test('KPIs of the known scenario equal the hand-worked values', () => {
  const s = buildScenario();
  const k = computeKpis(entries(s.events), s.window, { ediAckSlaMs: 24 * HOUR, now: new Date(s.t0.getTime() + 1000 * HOUR) });
  assert.equal(k.orders.total, EXPECTED.ordersTotal);
  assert.deepEqual(k.orders.byStage, EXPECTED.byStage);
  assert.deepEqual(k.cycleTimes.confirmedToDispatched, EXPECTED.confirmedToDispatched);
  assert.deepEqual(k.cycleTimes.confirmedToDelivered, EXPECTED.confirmedToDelivered);
  assert.deepEqual(k.fulfillmentExceptionRate, EXPECTED.fulfillmentExceptionRate);
  assert.deepEqual(k.inventoryMismatchRate, EXPECTED.inventoryMismatchRate);
  assert.deepEqual(k.shipmentCompleteness, EXPECTED.shipmentCompleteness);
  assert.deepEqual(k.ediAcknowledgments.byPartner[s.ids.p1], EXPECTED.ediP1);
  assert.deepEqual(k.ediAcknowledgments.byPartner[s.ids.p2], EXPECTED.ediP2);
});

test('duplicated entries (a redelivered event indexed twice) change no KPI', () => {
  const s = buildScenario();
  const once = entries(s.events);
  const o = { ediAckSlaMs: 24 * HOUR, now: new Date(s.t0.getTime() + 1000 * HOUR) };
  assert.deepEqual(computeKpis([...once, ...once], s.window, o), computeKpis(once, s.window, o));
});

test('an unacknowledged document within the SLA is pending, not overdue', () => {
  const s = buildScenario();
  const k = computeKpis(entries(s.events), s.window, { ediAckSlaMs: 24 * HOUR, now: new Date(s.t0.getTime() + 30 * HOUR) });
  assert.equal(k.ediAcknowledgments.byPartner[s.ids.p2]?.pending, 1);
  assert.equal(k.ediAcknowledgments.byPartner[s.ids.p2]?.overdue, 0);
});

test('the timeline of order A lists every hop in time order with the gaps between them', () => {
  const s = buildScenario();
  const all = entries(s.events);
  for (const ref of [s.ids.A, s.ids.nameA, s.ids.poA]) assert.deepEqual(ordersForReference(ref, all), [s.ids.A]);
  const tl = buildTimeline(s.ids.A, s.ids.A, all);
  assert.deepEqual(
    tl.hops.map((h) => h.type),
    EXPECTED.timelineA,
  );
  assert.deepEqual(
    tl.hops.map((h) => h.sinceFirstMs / HOUR),
    EXPECTED.timelineAHours,
  );
  assert.deepEqual(
    tl.hops.map((h) => h.sincePreviousMs),
    EXPECTED.timelineAHours.map((h, i) => (i === 0 ? null : (h - EXPECTED.timelineAHours[i - 1]!) * HOUR)),
  );
  assert.equal(tl.lifecycle.stage, 'paid');
  assert.deepEqual(tl.traceIds, ['ab'.repeat(16)]);
  assert.deepEqual(tl.lifecycle.sourceSystems, ['edi', 'odoo', 'odx', 'tms', 'wms']);
});

test('order B gets its shipment events although the pick and pack name only the shipment', () => {
  const s = buildScenario();
  const tl = buildTimeline(s.ids.B, s.ids.B, entries(s.events));
  assert.ok(tl.hops.some((h) => h.type === 'ShipmentPicked'));
  assert.deepEqual(
    tl.lifecycle.exceptions.map((x) => x.kind),
    ['short-pick'],
  );
  assert.equal(tl.lifecycle.milestones['picked'], new Date(s.t0.getTime() + 4 * HOUR).toISOString());
});
