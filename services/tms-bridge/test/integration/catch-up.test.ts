// Catch-up for lost TMS tracking webhooks, on the real stack with the TMS
// simulator: the TMS gives a webhook up after its retry policy, and the
// bridge's catch-up lists the shipments changed since its cursor and publishes
// the tracking events it missed, once, with the webhook path's event ids.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalEventOf, ChangeCursorStore } from '@odx/runtime';
import { payloadOf, testAuthHeader } from '@odx/runtime/testing';
import { startTmsSimulator, TEST_TIMINGS, type TmsSimulator } from '@odx/sim-tms';
import { postSignedWebhook } from '@odx/sim-wms/kit';
import { mapTrackingWebhook } from '../../src/mapping/map-tracking.js';
import { trackingWebhookSchema } from '../../src/tms/tms-types.js';
import {
  ADMIN,
  SECRET,
  call,
  eventually,
  packedOrder,
  sleep,
  startBridge,
  type Cleanup,
  type Collected,
  type RunningBridge,
} from '../support/bridge-kit.js';

/** Nothing listens there: deliveries fail until the TMS gives them up. */
const DEAD_URL = 'http://127.0.0.1:9/webhooks/tms';
const TRACKING = new Set(['ShipmentMilestoneRecorded', 'ShipmentDelivered', 'ShipmentException']);

interface Delivery {
  webhookId: string;
  eventType: string;
  status: string;
  payload: unknown;
}

async function tmsAndBridge(t: Cleanup, env: Record<string, string>): Promise<{ tms: TmsSimulator; b: RunningBridge }> {
  // Tracking moves only when the test says so; a webhook nobody takes is given up within a second.
  const tms = await startTmsSimulator({
    port: 0,
    ...TEST_TIMINGS,
    autoAdvance: false,
    delivery: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 50, timeoutMs: 1_000 },
    webhookSecret: SECRET,
  });
  t.after(() => tms.close());
  const b = await startBridge(t, tms.url, env);
  const sub = await call(tms.url, 'PUT', '/sim/admin/subscriptions', { items: [{ url: DEAD_URL }] }, ADMIN);
  assert.ok(sub.status < 300, JSON.stringify(sub.body));
  return { tms, b };
}

/** Books `n` shipments through the bridge (OrderConfirmed + ShipmentPacked); returns their TMS ids by ODX shipment id. */
async function book(
  b: RunningBridge,
  tms: TmsSimulator,
  n: number,
): Promise<Array<{ orderId: string; shipmentId: string; tmsId: string }>> {
  const made = Array.from({ length: n }, () => packedOrder());
  for (const { order, packed } of made) {
    await b.publish([{ eventType: 'OrderConfirmed', payload: order }]);
    await b.publish([{ eventType: 'ShipmentPacked', payload: packed }]);
  }
  return eventually(
    () => {
      const found = made.map(({ order, packed }) => ({
        orderId: order.order.orderId,
        shipmentId: packed.shipmentId,
        tmsId: tms.shipments.findByReference(packed.shipmentId)?.id,
      }));
      return found.every((f) => f.tmsId !== undefined) ? found.map((f) => ({ ...f, tmsId: f.tmsId! })) : undefined;
    },
    30_000,
    `${n} bookings`,
  );
}

async function advance(tms: TmsSimulator, tmsId: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const res = await call(tms.url, 'POST', `/sim/admin/shipments/${tmsId}/advance`, {}, ADMIN);
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }
}

async function givenUp(tms: TmsSimulator, expect: number): Promise<Delivery[]> {
  return eventually(
    async () => {
      const items = (await call(tms.url, 'GET', '/sim/admin/deliveries?limit=1000', undefined, ADMIN)).body.items as Delivery[];
      const failed = items.filter((d) => d.status === 'failed');
      return failed.length >= expect && items.every((d) => d.status !== 'scheduled') ? failed : undefined;
    },
    30_000,
    `${expect} webhooks given up by the TMS`,
  );
}

const catchUp = async (b: RunningBridge, body: unknown = {}) => call(b.url, 'POST', '/v1/catch-up', body, await testAuthHeader('operator'));
const tracking = (messages: Collected[], shipmentId?: string): Collected[] =>
  messages
    .filter((m) => TRACKING.has(m.eventType) && (shipmentId === undefined || m.key === shipmentId))
    .sort((x, y) => x.offset - y.offset);
const eventIdOf = (m: Collected): string => {
  const event = canonicalEventOf(m);
  if (!event) throw new Error(`not a canonical event: ${m.eventType}`);
  return event.payload.meta.eventId;
};

test('tracking webhooks given up by the TMS: catch-up publishes every missing milestone and exception once, with the webhook ids; late webhooks and a second run publish nothing', async (t) => {
  const { tms, b } = await tmsAndBridge(t, { ODX_TMS_BRIDGE_CATCHUP_INTERVAL_MS: '0', ODX_TMS_BRIDGE_CATCHUP_PAGE_SIZE: '2' });
  const shipments = await b.collect(b.topics.shipments);
  const booked = await book(b, tms, 3);
  await advance(tms, booked[0]!.tmsId, 2);
  const ex = await call(
    tms.url,
    'POST',
    `/sim/admin/shipments/${booked[0]!.tmsId}/exception`,
    { code: 'DELAYED', description: 'held at hub' },
    ADMIN,
  );
  assert.equal(ex.status, 200);
  await advance(tms, booked[0]!.tmsId, 2);
  await advance(tms, booked[1]!.tmsId, 4);
  await advance(tms, booked[2]!.tmsId, 1);
  const lost = await givenUp(tms, 4 + 1 + 4 + 1);
  assert.equal(tracking(shipments).length, 0, 'no tracking webhook reached the bridge');

  const run = await catchUp(b);
  assert.equal(run.status, 200, JSON.stringify(run.body));
  assert.equal(run.body.eventsPublished, 10);
  assert.ok(run.body.pages >= 2, `paged: ${run.body.pages} pages of 2`);
  await eventually(() => (tracking(shipments).length === 10 ? true : undefined), 15_000, '10 tracking events');

  const first = tracking(shipments, booked[0]!.shipmentId);
  assert.deepEqual(
    first.map((m) => m.eventType),
    ['ShipmentMilestoneRecorded', 'ShipmentMilestoneRecorded', 'ShipmentException', 'ShipmentMilestoneRecorded', 'ShipmentDelivered'],
    'in the order the carrier reported',
  );
  assert.deepEqual(
    first.filter((m) => m.eventType === 'ShipmentMilestoneRecorded').map((m) => payloadOf(m, 'ShipmentMilestoneRecorded').milestone.code),
    ['PICKED_UP', 'IN_TRANSIT', 'OUT_FOR_DELIVERY'],
  );
  assert.deepEqual(
    [payloadOf(first[2]!, 'ShipmentException').exceptionCode, payloadOf(first[2]!, 'ShipmentException').description],
    ['DELAYED', 'held at hub'],
  );
  assert.equal(payloadOf(first[4]!, 'ShipmentDelivered').orderId, booked[0]!.orderId);
  assert.equal(tracking(shipments, booked[2]!.shipmentId).length, 1);

  // The same ids the webhooks carried: event ids come from facts both paths see (TMS shipment, reference, tracking event id and status).
  const expected = new Set(
    lost.map((d) => mapTrackingWebhook(trackingWebhookSchema.parse(d.payload), { company: b.rt.config.company }).payload.meta.eventId),
  );
  assert.deepEqual(new Set(tracking(shipments).map(eventIdOf)), expected);

  // The watchdog heard the news: delivered shipments are closed.
  const records = b.rt.db.collection<{ _id: string; closed: boolean }>('tms_bridge_bookings');
  assert.equal((await records.findOne({ _id: booked[1]!.shipmentId }))?.closed, true);

  // The TMS's webhooks arrive after all: nothing new.
  for (const d of lost) {
    const late = await postSignedWebhook(b.webhookUrl, SECRET, JSON.stringify(d.payload), { id: d.webhookId });
    assert.equal(late.status, 200, JSON.stringify(late.body));
    assert.equal(late.body.status, 'stale', `${d.eventType} after catch-up`);
  }
  const again = await catchUp(b);
  assert.equal(again.status, 200);
  assert.equal(again.body.eventsPublished, 0, 'a second run publishes nothing');
  await sleep(500);
  assert.equal(tracking(shipments).length, 10);
  const cursor = await new ChangeCursorStore(b.rt.db).load(`${b.config.consumer.groupId}:tms-shipments`);
  const last = tms.shipments
    .list({ limit: 100 })
    .sort((x, y) => (x.updatedAt === y.updatedAt ? (x.id < y.id ? -1 : 1) : x.updatedAt < y.updatedAt ? -1 : 1))
    .at(-1)!;
  assert.deepEqual(cursor, { updatedAt: last.updatedAt, id: last.id });

  const metrics = await (await fetch(`${b.url}/metrics`)).text();
  assert.match(metrics, /odx_catchup_events_published_total\{[^}]*feed="tms-shipments"[^}]*\} 10/);
});

test('a malformed shipment page is a clear 502 and the cursor stays; one order can be caught up on its own; a full run does the rest', async (t) => {
  const { tms, b } = await tmsAndBridge(t, { ODX_TMS_BRIDGE_CATCHUP_INTERVAL_MS: '0' });
  const shipments = await b.collect(b.topics.shipments);
  const cursors = new ChangeCursorStore(b.rt.db);
  const cursorId = `${b.config.consumer.groupId}:tms-shipments`;
  const [one, two] = await book(b, tms, 2);
  const settled = await catchUp(b);
  assert.equal(settled.status, 200);
  assert.equal(settled.body.eventsPublished, 0, 'booked, no tracking yet');
  const before = await cursors.load(cursorId);
  assert.ok(before);

  await advance(tms, one!.tmsId, 2);
  await advance(tms, two!.tmsId, 4);
  await givenUp(tms, 6);
  for (const mode of ['truncated', 'html']) {
    await call(tms.url, 'PATCH', '/sim/admin/faults', { malformedResponses: { routes: ['GET /v1/shipments'], mode, count: 1 } }, ADMIN);
    const bad = await catchUp(b);
    assert.equal(bad.status, 502, JSON.stringify(bad.body));
    assert.equal(bad.body.errorClass, 'tms.bad-response');
    assert.match(bad.body.detail, /TMS answered GET \/v1\/shipments with a body that is not a JSON object/);
    assert.deepEqual(await cursors.load(cursorId), before, `${mode}: the cursor did not move`);
  }
  assert.equal(tracking(shipments).length, 0);

  const single = await catchUp(b, { orderRef: one!.orderId });
  assert.equal(single.status, 200, JSON.stringify(single.body));
  assert.deepEqual(single.body, { orderRef: one!.orderId, records: 1, eventsPublished: 2 });
  assert.deepEqual(await cursors.load(cursorId), before, 'one order does not move the cursor');
  assert.equal((await catchUp(b, { orderRef: 'NO-SUCH-ORDER' })).status, 404);
  assert.equal((await catchUp(b, { everything: true })).status, 400);

  const rest = await catchUp(b);
  assert.equal(rest.body.eventsPublished, 4, 'only what the single-order run did not publish');
  await eventually(() => (tracking(shipments).length === 6 ? true : undefined), 15_000, 'six tracking events');
  assert.equal(new Set(tracking(shipments).map(eventIdOf)).size, 6);
});
