import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { startTmsSimulator, TEST_TIMINGS } from '@odx/sim-tms';
import { postSignedWebhook } from '@odx/sim-wms/kit';
import { payloadOf, payloadsOf } from '@odx/runtime/testing';
import { parseEventType } from '@odx/schemas';
import { ADMIN, SECRET, call, eventually, packedOrder, sleep, startBridge, type RunningBridge } from '../support/bridge-kit.js';

const postWebhook = (b: RunningBridge, body: string, o: { secret?: string; timestamp?: number; id?: string } = {}) =>
  postSignedWebhook(b.webhookUrl, o.secret ?? SECRET, body, o);

test('booking, then signed tracking webhooks become milestones and ShipmentDelivered, one each', async (t) => {
  const tms = await startTmsSimulator({ port: 0, ...TEST_TIMINGS, webhookSecret: SECRET });
  t.after(() => tms.close());
  const b = await startBridge(t, tms.url);
  const sub = await call(tms.url, 'POST', '/sim/admin/subscriptions', { url: b.webhookUrl }, ADMIN);
  assert.ok(sub.status < 300, JSON.stringify(sub.body));
  // Every delivery twice: duplicates are dropped by webhook-id.
  await call(tms.url, 'PATCH', '/sim/admin/faults', { webhooks: { duplicateRate: 1, duplicateDelayMs: 10 } }, ADMIN);
  const shipments = await b.collect(b.topics.shipments);
  const { order, packed } = packedOrder();
  await b.publish([{ eventType: 'OrderConfirmed', payload: order }]);
  await b.publish([{ eventType: 'ShipmentPacked', payload: packed }]);

  await eventually(() => shipments.find((m) => m.eventType === 'ShipmentDelivered'), 20_000, 'ShipmentDelivered');
  await sleep(500);
  const mine = shipments.filter((m) => m.key === packed.shipmentId && m.eventType !== 'ShipmentPacked').sort((x, y) => x.offset - y.offset);
  // Concurrent (duplicated) deliveries may land in arrival order; the carrier's occurredAt orders them.
  assert.deepEqual(mine.map((m) => m.eventType).sort(), [
    'ShipmentBooked',
    'ShipmentDelivered',
    'ShipmentMilestoneRecorded',
    'ShipmentMilestoneRecorded',
    'ShipmentMilestoneRecorded',
  ]);
  assert.equal(mine[0]!.eventType, 'ShipmentBooked');
  const milestones = payloadsOf(mine, 'ShipmentMilestoneRecorded').sort(
    (x, y) => new Date(x.milestone.occurredAt).getTime() - new Date(y.milestone.occurredAt).getTime(),
  );
  assert.deepEqual(
    milestones.map((m) => m.milestone.code),
    ['PICKED_UP', 'IN_TRANSIT', 'OUT_FOR_DELIVERY'],
  );
  const made = tms.shipments.findByReference(packed.shipmentId)!;
  for (const m of milestones) {
    assert.ok(parseEventType('ShipmentMilestoneRecorded').isValid(m));
    assert.deepEqual(
      [m.shipmentId, m.orderId, m.carrierCode, m.trackingNumber],
      [packed.shipmentId, order.order.orderId, made.carrier.code, made.trackingNumber],
    );
  }
  const delivered = payloadOf(
    mine.find((m) => m.eventType === 'ShipmentDelivered')!,
    'ShipmentDelivered',
  );
  assert.ok(parseEventType('ShipmentDelivered').isValid(delivered));
  assert.equal(delivered.shipmentId, packed.shipmentId);
  const records = b.rt.db.collection<{ _id: string; closed: boolean }>('tms_bridge_bookings');
  await eventually(
    async () => ((await records.findOne({ _id: packed.shipmentId }))?.closed ? true : undefined),
    5_000,
    'the watchdog stops following a delivered shipment',
  );

  // An injected exception becomes ShipmentException.
  const again = packedOrder();
  await b.publish([{ eventType: 'OrderConfirmed', payload: again.order }]);
  await b.publish([{ eventType: 'ShipmentPacked', payload: again.packed }]);
  await eventually(() => tms.shipments.findByReference(again.packed.shipmentId), 20_000, 'second booking');
  const id = tms.shipments.findByReference(again.packed.shipmentId)!.id;
  const ex = await call(
    tms.url,
    'POST',
    `/sim/admin/shipments/${id}/exception`,
    { code: 'LOST', description: 'parcel lost in hub' },
    ADMIN,
  );
  assert.ok(ex.status < 300, JSON.stringify(ex.body));
  const exc = await eventually(
    () => shipments.find((m) => m.eventType === 'ShipmentException' && m.key === again.packed.shipmentId),
    20_000,
    'ShipmentException',
  );
  const p = payloadOf(exc, 'ShipmentException');
  assert.ok(parseEventType('ShipmentException').isValid(p));
  assert.deepEqual([p.exceptionCode, p.severity, p.description], ['LOST', 'CRITICAL', 'parcel lost in hub']);
});

test('a bad signature or a stale timestamp gets 401 and publishes nothing; a replayed delivery publishes once', async (t) => {
  const b = await startBridge(t, 'http://127.0.0.1:9');
  const shipments = await b.collect(b.topics.shipments);
  const body = JSON.stringify({
    type: 'tracking.in_transit',
    timestamp: new Date().toISOString(),
    data: {
      shipmentId: 'SHP-000009',
      reference: 'SHIP-X1',
      orderRef: 'O-1',
      trackingNumber: '1ZODX9',
      carrier: { code: 'UPS', name: 'UPS', scac: 'UPSN' },
      status: 'in_transit',
      event: {
        eventId: 'EVT-9',
        status: 'in_transit',
        occurredAt: new Date().toISOString(),
        description: 'Departed',
        exceptionCode: null,
        location: null,
      },
      estimatedDeliveryAt: null,
      packages: [],
      version: 3,
    },
  });
  const bad = await postWebhook(b, body, { secret: 'whsec_' + Buffer.from('not-the-secret').toString('base64') });
  assert.equal(bad.status, 401);
  const stale = await postWebhook(b, body, { timestamp: Math.floor(Date.now() / 1000) - 3_600 });
  assert.equal(stale.status, 401);
  const unsigned = await call(b.url, 'POST', '/v1/webhooks/tms', body, { 'content-type': 'application/json' });
  assert.equal(unsigned.status, 401);
  await sleep(500);
  assert.equal(await b.messageCount(b.topics.shipments), 0, 'nothing published');

  const id = `msg_${randomUUID()}`;
  const ok = await postWebhook(b, body, { id });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  const replay = await postWebhook(b, body, { id });
  assert.equal(replay.status, 200);
  assert.equal((replay.body as { status: string }).status, 'duplicate');
  await eventually(() => (shipments.length === 1 ? true : undefined), 10_000, 'one event');
  assert.equal(await b.messageCount(b.topics.shipments), 1);
  assert.equal(shipments[0]!.eventType, 'ShipmentMilestoneRecorded');
  assert.equal(shipments[0]!.key, 'SHIP-X1');
});

test('watchdog: a booking with no tracking news in time raises ShipmentException (DELAYED) once', async (t) => {
  const tms = await startTmsSimulator({ port: 0, ...TEST_TIMINGS, autoAdvance: false, webhookSecret: SECRET });
  t.after(() => tms.close());
  const b = await startBridge(t, tms.url, { TMS_MILESTONE_TIMEOUT_MS: '500', TMS_WATCHDOG_INTERVAL_MS: '100' });
  const shipments = await b.collect(b.topics.shipments);
  const { order, packed } = packedOrder();
  await b.publish([{ eventType: 'OrderConfirmed', payload: order }]);
  await b.publish([{ eventType: 'ShipmentPacked', payload: packed }]);
  const late = await eventually(() => shipments.find((m) => m.eventType === 'ShipmentException'), 20_000, 'late exception');
  const p = payloadOf(late, 'ShipmentException');
  assert.ok(parseEventType('ShipmentException').isValid(p));
  assert.deepEqual([p.shipmentId, p.exceptionCode, p.reportedBy], [packed.shipmentId, 'DELAYED', 'tms-bridge']);
  assert.match(p.description, /^late/);
  await sleep(800);
  assert.equal(shipments.filter((m) => m.eventType === 'ShipmentException').length, 1, 'once per silence');

  // News (a milestone) restarts the clock: a new silence is reported again, under a new event id.
  const sub = await call(tms.url, 'POST', '/sim/admin/subscriptions', { url: b.webhookUrl }, ADMIN);
  assert.ok(sub.status < 300, JSON.stringify(sub.body));
  const id = tms.shipments.findByReference(packed.shipmentId)!.id;
  const adv = await call(tms.url, 'POST', `/sim/admin/shipments/${id}/advance`, {}, ADMIN);
  assert.ok(adv.status < 300, JSON.stringify(adv.body));
  await eventually(() => shipments.find((m) => m.eventType === 'ShipmentMilestoneRecorded'), 10_000, 'the milestone');
  await eventually(
    () => (shipments.filter((m) => m.eventType === 'ShipmentException').length === 2 ? true : undefined),
    10_000,
    'a second late exception',
  );
  const ids = new Set(payloadsOf(shipments, 'ShipmentException').map((p) => p.meta.eventId));
  assert.equal(ids.size, 2);
});

test('out-of-order tracking: a late milestone is published once as history, a repeated one not at all, and delivery never twice', async (t) => {
  const b = await startBridge(t, 'http://127.0.0.1:9');
  const shipments = await b.collect(b.topics.shipments);
  const body = (type: string, eventId: string) =>
    JSON.stringify({
      type: `tracking.${type}`,
      timestamp: new Date().toISOString(),
      data: {
        shipmentId: 'SHP-000077',
        reference: 'SHIP-MONO',
        orderRef: 'O-7',
        trackingNumber: '1ZODX77',
        carrier: { code: 'UPS', name: 'UPS', scac: 'UPSN' },
        status: type,
        event: {
          eventId,
          status: type,
          occurredAt: new Date().toISOString(),
          description: type,
          exceptionCode: type === 'exception' ? 'DELAYED' : null,
          location: null,
        },
        estimatedDeliveryAt: null,
        packages: [],
        version: 3,
      },
    });
  const answers: string[] = [];
  for (const [type, id] of [
    ['picked_up', 'E1'],
    ['delivered', 'E4'],
    ['in_transit', 'E2'],
    ['out_for_delivery', 'E3'],
    ['in_transit', 'E2b'],
    ['delivered', 'E4b'],
    ['exception', 'E5'],
  ] as const) {
    const r = await postWebhook(b, body(type, id));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    answers.push((r.body as { status: string }).status);
  }
  assert.deepEqual(
    answers,
    ['published', 'published', 'late', 'late', 'stale', 'stale', 'published'],
    'late milestones count once; repeats never; exceptions always',
  );
  await eventually(() => (shipments.length === 5 ? true : undefined), 10_000, 'five events');
  await sleep(300);
  assert.deepEqual(
    shipments.map((m) => m.eventType),
    ['ShipmentMilestoneRecorded', 'ShipmentDelivered', 'ShipmentMilestoneRecorded', 'ShipmentMilestoneRecorded', 'ShipmentException'],
  );
  assert.deepEqual(
    payloadsOf(shipments, 'ShipmentMilestoneRecorded').map((p) => p.milestone.code),
    ['PICKED_UP', 'IN_TRANSIT', 'OUT_FOR_DELIVERY'],
  );
});
