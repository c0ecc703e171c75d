import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { startTmsSimulator, TEST_TIMINGS, type TmsSimulator } from '@odx/sim-tms';
import { dlqTopicName, type OutgoingEvent } from '@odx/runtime';
import { payloadOf, payloadsOf } from '@odx/runtime/testing';
import { parseEventType } from '@odx/schemas';
import { ADMIN, call, eventually, packedOrder, sleep, startBridge, type Cleanup, type RunningBridge } from '../support/bridge-kit.js';

async function tmsWithBridge(t: Cleanup, env: Record<string, string> = {}): Promise<{ tms: TmsSimulator; b: RunningBridge }> {
  // No webhook receiver: these tests are about booking only.
  const tms = await startTmsSimulator({ port: 0, ...TEST_TIMINGS, autoAdvance: false });
  t.after(() => tms.close());
  const b = await startBridge(t, tms.url, env);
  return { tms, b };
}

function bookingsFor(tms: TmsSimulator, reference: string): number {
  return tms.shipments.list({ limit: 1000 }).filter((s) => s.reference === reference).length;
}

test('ShipmentPacked -> rates, one booking by shipment id, ShipmentBooked on Kafka', async (t) => {
  const { tms, b } = await tmsWithBridge(t);
  const shipments = await b.collect(b.topics.shipments);
  const { order, packed } = packedOrder({ promisedInDays: 30 });
  await b.publish([{ eventType: 'OrderConfirmed', payload: order }]);
  await b.publish([{ eventType: 'ShipmentPacked', payload: packed }]);

  const booked = await eventually(() => shipments.find((m) => m.eventType === 'ShipmentBooked'), 20_000, 'ShipmentBooked');
  const e = payloadOf(booked, 'ShipmentBooked');
  assert.ok(parseEventType('ShipmentBooked').isValid(e), 'valid against the schema');
  assert.equal(booked.key, packed.shipmentId);
  const made = tms.shipments.findByReference(packed.shipmentId)!;
  assert.ok(made, 'booked in the TMS under the shipment id');
  assert.equal(bookingsFor(tms, packed.shipmentId), 1);
  assert.equal(made.orderRef, order.order.orderId);
  assert.deepEqual(
    [e.shipmentId, e.orderId, e.carrierCode, e.serviceLevel, e.bookingRef, e.trackingNumber, e.currency],
    [packed.shipmentId, order.order.orderId, made.carrier.code, made.service.code, made.id, made.trackingNumber, made.cost.currency],
  );
  assert.equal(e.freightCost, Number(made.cost.amount).toFixed(4));
  assert.equal(e.labelUri, made.label.url);
  assert.equal(e.packageTrackingNumbers[packed.packages[0]!.packageId], made.packages[0]!.trackingNumber);
  assert.equal(e.meta.causationId, packed.meta.eventId);

  // Promise far away: the cheapest quote overall (the TMS lists cheapest first).
  const rates = await call(tms.url, 'POST', '/v1/rates', {
    shipFrom: { postalCode: '10115', countryCode: 'DE', city: 'Berlin' },
    shipTo: { postalCode: '80331', countryCode: 'DE' },
    packages: [{ weightKg: 18.75, lengthCm: 60, widthCm: 40, heightCm: 35.5 }],
  });
  const cheapest = (rates.body as { rates: Array<{ service: { code: string } }> }).rates[0]!;
  assert.equal(made.service.code, cheapest.service.code);
});

test('the TMS times out on a booking it actually made: no double booking, one ShipmentBooked', async (t) => {
  const { tms, b } = await tmsWithBridge(t);
  const shipments = await b.collect(b.topics.shipments);
  const fault = await call(
    tms.url,
    'PATCH',
    '/sim/admin/faults',
    { timeoutButSucceed: { routes: ['POST /v1/shipments'], mode: 'hang', count: 1 } },
    ADMIN,
  );
  assert.equal(fault.status, 200, JSON.stringify(fault.body));
  const { order, packed } = packedOrder();
  await b.publish([{ eventType: 'OrderConfirmed', payload: order }]);
  await b.publish([{ eventType: 'ShipmentPacked', payload: packed }]);

  await eventually(() => shipments.find((m) => m.eventType === 'ShipmentBooked'), 20_000, 'ShipmentBooked');
  const counters = await call(tms.url, 'GET', '/sim/admin/faults', undefined, ADMIN);
  assert.match(JSON.stringify(counters.body), /"timeoutButSucceed":1/, 'the booking answer was really lost');
  await sleep(1_500); // room for a wrong second booking or event
  assert.equal(bookingsFor(tms, packed.shipmentId), 1, 'exactly one booking');
  const booked = shipments.filter((m) => m.eventType === 'ShipmentBooked');
  assert.equal(booked.length, 1, 'exactly one ShipmentBooked');
  assert.equal(payloadOf(booked[0]!, 'ShipmentBooked').bookingRef, tms.shipments.findByReference(packed.shipmentId)!.id);
});

test('a redelivered ShipmentPacked (same event, and a new event id for the same shipment) books once', async (t) => {
  const { tms, b } = await tmsWithBridge(t);
  const shipments = await b.collect(b.topics.shipments);
  const { order, packed } = packedOrder();
  await b.publish([{ eventType: 'OrderConfirmed', payload: order }]);
  await b.publish([
    { eventType: 'ShipmentPacked', payload: packed },
    { eventType: 'ShipmentPacked', payload: packed },
  ]);
  await eventually(() => shipments.find((m) => m.eventType === 'ShipmentBooked'), 20_000, 'ShipmentBooked');
  const again = { ...packed, meta: { ...packed.meta, eventId: randomUUID() } };
  await b.publish([{ eventType: 'ShipmentPacked', payload: again }]);
  await eventually(
    () => (shipments.filter((m) => m.eventType === 'ShipmentBooked').length >= 2 ? true : undefined),
    20_000,
    'the second (re-)publication',
  );
  await sleep(1_000);
  assert.equal(bookingsFor(tms, packed.shipmentId), 1, 'exactly one booking');
  const booked = shipments.filter((m) => m.eventType === 'ShipmentBooked');
  assert.equal(booked.length, 2, 'the same event id redelivered is skipped; the new one republishes the existing booking');
  const ids = new Set(payloadsOf(booked, 'ShipmentBooked').map((p) => p.meta.eventId));
  assert.equal(ids.size, 1, 'with the same deterministic event id');
});

test('ShipmentPacked before its OrderConfirmed waits (retry topic) and books once the order is known', async (t) => {
  const { tms, b } = await tmsWithBridge(t);
  const shipments = await b.collect(b.topics.shipments);
  const { order, packed } = packedOrder();
  await b.publish([{ eventType: 'ShipmentPacked', payload: packed }]);
  await sleep(300);
  await b.publish([{ eventType: 'OrderConfirmed', payload: order }]);
  await eventually(() => shipments.find((m) => m.eventType === 'ShipmentBooked'), 20_000, 'ShipmentBooked');
  assert.equal(bookingsFor(tms, packed.shipmentId), 1);
});

test('OrderCancelled voids the booking before dispatch; a later ShipmentPacked is not booked; once collected it lands in the DLQ', async (t) => {
  const { tms, b } = await tmsWithBridge(t);
  const shipments = await b.collect(b.topics.shipments);
  const ordersDlq = await b.collect(dlqTopicName(b.topics.orders, b.config.consumer.groupId));
  const cancel = (orderId: string): OutgoingEvent => ({
    eventType: 'OrderCancelled',
    key: orderId,
    topic: b.topics.orders,
    payload: {
      meta: { eventId: randomUUID(), occurredAt: new Date(), source: 'odoo', correlationId: orderId, causationId: null, company: 'acme' },
      orderId,
      orderName: null,
      clientOrderRef: null,
      reason: 'customer cancelled',
      cancelledBy: 'test',
      cancelledAt: new Date(),
    },
  });
  const booked = packedOrder();
  const collected = packedOrder();
  await b.publish([
    { eventType: 'OrderConfirmed', payload: booked.order },
    { eventType: 'OrderConfirmed', payload: collected.order },
  ]);
  await b.publish([
    { eventType: 'ShipmentPacked', payload: booked.packed },
    { eventType: 'ShipmentPacked', payload: collected.packed },
  ]);
  await eventually(
    () => (shipments.filter((m) => m.eventType === 'ShipmentBooked').length === 2 ? true : undefined),
    20_000,
    'two bookings',
  );
  const collectedId = tms.shipments.findByReference(collected.packed.shipmentId)!.id;
  assert.ok(
    (await call(tms.url, 'POST', `/sim/admin/shipments/${collectedId}/advance`, {}, ADMIN)).status < 300,
    'the carrier picked it up',
  );

  await b.rt.producer.publish([cancel(booked.order.order.orderId), cancel(collected.order.order.orderId)]);
  await eventually(
    () => (tms.shipments.findByReference(booked.packed.shipmentId)?.status === 'voided' ? true : undefined),
    20_000,
    'the booking voided',
  );
  const dead = await eventually(() => ordersDlq[0], 20_000, 'the collected one in the DLQ');
  assert.equal(dead.key, collected.order.order.orderId);
  assert.equal(dead.headers['odx.errors.class'], 'tms.already-collected');
  assert.match(dead.headers['odx.errors.message']!, new RegExp(collectedId));
  assert.notEqual(tms.shipments.findByReference(collected.packed.shipmentId)?.status, 'voided');

  // Cancelled before it was packed: never booked.
  const late = packedOrder();
  await b.publish([{ eventType: 'OrderConfirmed', payload: late.order }]);
  await b.rt.producer.publish([cancel(late.order.order.orderId)]);
  await sleep(300);
  await b.publish([{ eventType: 'ShipmentPacked', payload: late.packed }]);
  const marker = packedOrder();
  await b.publish([{ eventType: 'OrderConfirmed', payload: marker.order }]);
  await b.publish([{ eventType: 'ShipmentPacked', payload: marker.packed }]);
  await eventually(() => tms.shipments.findByReference(marker.packed.shipmentId), 20_000, 'a later shipment booked');
  assert.equal(bookingsFor(tms, late.packed.shipmentId), 0, 'the cancelled order was not booked');
});
