import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { causalOrder, buildTimeline } from '../../src/analytics/timeline.js';
import type { IndexedEvent } from '../../src/ingest/event-record.js';

const ORDER = 'odx:edi:northwind:PO-1';

function entry(type: string, at: string, o: Partial<IndexedEvent> = {}): IndexedEvent {
  const eventId = o.eventId === undefined ? `${type}-${at}` : o.eventId;
  return {
    _id: eventId ?? `dlq:${type}:${at}`,
    eventId,
    entry: 'event',
    type,
    key: ORDER,
    topic: 'odx.orders.v1',
    partition: 0,
    offset: 0,
    originalTopic: 'odx.orders.v1',
    traceId: null,
    time: new Date(at),
    source: null,
    ceSource: null,
    correlationId: null,
    links: [`order:${ORDER}`],
    facts: {},
    ...o,
  };
}

test("an EDI order's timeline shows OrderReceived before the OrderConfirmed Odoo stamped with whole seconds", () => {
  const received = entry('OrderReceived', '2026-11-20T10:00:00.400Z', { source: 'edi', offset: 5 });
  const confirmed = entry('OrderConfirmed', '2026-11-20T10:00:00.000Z', { source: 'odoo', offset: 6 });
  const dispatched = entry('ShipmentDispatched', '2026-11-20T10:05:00.000Z', { topic: 'odx.shipments.v1' });
  const tl = buildTimeline(ORDER, ORDER, [dispatched, confirmed, received]);
  assert.deepEqual(
    tl.hops.map((h) => h.type),
    ['OrderReceived', 'OrderConfirmed', 'ShipmentDispatched'],
  );
  assert.deepEqual(
    tl.hops.map((h) => h.sincePreviousMs),
    [null, 0, 300_000 - 400],
  );
});

test('an entry never precedes the event its causationId names, nor a DLQ copy its original', () => {
  const a = entry('FulfillmentRequested', '2026-11-20T10:00:02.000Z', { eventId: 'A', key: 'other' });
  const b = entry('ShipmentPicked', '2026-11-20T10:00:01.000Z', { eventId: 'B', key: 'other', causationId: 'A' });
  const dead = entry('ShipmentPicked', '2026-11-20T10:00:00.500Z', { eventId: 'B', key: 'other', entry: 'dlq', _id: 'dlq:x:0:1' });
  assert.deepEqual(
    causalOrder([dead, b, a]).map((e) => `${e.entry}:${e.eventId}`),
    ['event:A', 'event:B', 'dlq:B'],
  );
});

test('property: whatever the clocks say, every entry comes after its causes and the rest keeps time order', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 2, maxLength: 12 }), fc.nat(), (times, seed) => {
      // A chain of causes (each event caused by the one before), with clocks in any order, plus one OrderReceived.
      const chain = times.map((ms, i) =>
        entry(`Step${i}`, new Date(Date.UTC(2026, 10, 20) + ms).toISOString(), {
          eventId: `e${i}`,
          offset: i,
          causationId: i > 0 ? `e${i - 1}` : null,
        }),
      );
      const receivedAt = new Date(Date.UTC(2026, 10, 20) + (seed % 10_000)).toISOString();
      const all = [...chain, entry('OrderReceived', receivedAt, { eventId: 'r', offset: 99 })];
      const ordered = causalOrder(all);
      const at = new Map(ordered.map((e, i) => [e.eventId, i]));
      for (let i = 1; i < chain.length; i++) assert.ok(at.get(`e${i}`)! > at.get(`e${i - 1}`)!);
      assert.equal(ordered[0]!.type, 'OrderReceived', 'the order opens its timeline');
      assert.equal(ordered.length, all.length);
    }),
    { numRuns: 200 },
  );
});
