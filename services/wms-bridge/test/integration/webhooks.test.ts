import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWmsSimulator, TEST_TIMINGS, type WmsSimulator, type WmsSimulatorOptions } from '@odx/sim-wms';
import { postSignedWebhook, signWebhook } from '@odx/sim-wms/kit';
import { payloadOf } from '@odx/runtime/testing';
import { ADMIN, SECRET, call, confirmedOrder, eventually, startBridge, type Cleanup, type RunningBridge } from '../support/bridge-kit.js';

async function wmsWithBridge(t: Cleanup, options: WmsSimulatorOptions = {}): Promise<{ wms: WmsSimulator; b: RunningBridge }> {
  const wms = await startWmsSimulator({ port: 0, ...TEST_TIMINGS, webhookSecret: SECRET, ...options });
  t.after(() => wms.close());
  const b = await startBridge(t, wms.url);
  const sub = await call(wms.url, 'POST', '/sim/admin/subscriptions', { url: b.webhookUrl }, ADMIN);
  assert.ok(sub.status < 300, `subscribed: ${JSON.stringify(sub.body)}`);
  return { wms, b };
}

/** Posts a webhook signed as the WMS would (with the simulator kit's signer), optionally with another secret or time. */
const postWebhook = (b: RunningBridge, body: string, o: { secret?: string; timestamp?: number; id?: string } = {}) =>
  postSignedWebhook(b.webhookUrl, o.secret ?? SECRET, body, o);

test('WMS progress webhooks become ShipmentPicked, ShipmentPacked, ShipmentDispatched; stock corrections InventoryAdjusted', async (t) => {
  const { wms, b } = await wmsWithBridge(t);
  const shipments = await b.collect(b.topics.shipments);
  const inventory = await b.collect(b.topics.inventory);

  const event = confirmedOrder();
  await b.publishOrders([event]);
  const orderId = event.order.orderId;
  await eventually(() => (shipments.filter((m) => m.key === orderId).length >= 3 ? true : undefined), 20_000, 'three shipment events');
  const mine = shipments.filter((m) => m.key === orderId).sort((x, y) => x.offset - y.offset);
  assert.deepEqual(
    mine.map((m) => m.eventType),
    ['ShipmentPicked', 'ShipmentPacked', 'ShipmentDispatched'],
  );
  const picked = payloadOf(mine[0]!, 'ShipmentPicked');
  assert.equal(picked.orderId, orderId);
  assert.equal(picked.warehouseCode, 'WH1', 'the WMS warehouse WH is reported under its ODX code');
  assert.deepEqual(
    picked.lines.map((l) => [l.orderLineId, l.sku, l.quantity]),
    event.order.lines.map((l) => [l.lineId, l.sku, l.quantity]),
  );
  assert.equal(picked.meta.source, 'wms');
  const packed = payloadOf(mine[1]!, 'ShipmentPacked');
  assert.ok(packed.packages.length >= 1 && packed.packages.every((p) => /^\d{18}$/.test(p.sscc ?? '')), 'packages with SSCCs');
  const dispatched = payloadOf(mine[2]!, 'ShipmentDispatched');
  assert.equal(dispatched.shipment.state, 'dispatched');
  assert.match(dispatched.shipment.bookingRef ?? '', /.+/, 'the bill of lading number');
  assert.equal(mine[2]!.headers['ce_type'], 'com.odx.events.ShipmentDispatched');

  const adj = await call(
    wms.url,
    'POST',
    '/sim/admin/inventory/adjustments',
    { warehouse: 'WH', sku: 'SKU-A', delta: -3, reason: 'DAMAGE' },
    ADMIN,
  );
  assert.equal(adj.status, 201);
  await eventually(() => (inventory.length === 1 ? true : undefined), 20_000, 'InventoryAdjusted');
  const adjusted = payloadOf(inventory[0]!, 'InventoryAdjusted');
  assert.equal(inventory[0]!.key, 'SKU-A');
  assert.deepEqual(
    [adjusted.adjustment.warehouseCode, adjusted.adjustment.quantityDelta, adjusted.adjustment.reasonCode],
    ['WH1', '-3.0000', 'DAMAGE'],
  );
  assert.equal(adjusted.resultingOnHand, `${(adj.body as { onHand: number }).onHand}.0000`);
});

test('duplicated, out-of-order and replayed webhooks give one event per stage, in order, and the order ends dispatched', async (t) => {
  const { wms, b } = await wmsWithBridge(t);
  // Every message twice, and messages created within 300 ms held and sent newest first.
  const faults = await call(
    wms.url,
    'PATCH',
    '/sim/admin/faults',
    { webhooks: { duplicateRate: 1, duplicateDelayMs: 10, outOfOrderWindowMs: 300 } },
    ADMIN,
  );
  assert.equal(faults.status, 200);
  const shipments = await b.collect(b.topics.shipments);

  const events = Array.from({ length: 5 }, () => confirmedOrder());
  await b.publishOrders(events);
  await eventually(
    () => (wms.orders.list({ limit: 100 }).filter((o) => o.status === 'shipped').length === 5 ? true : undefined),
    20_000,
    'all orders shipped',
  );
  await eventually(
    async () => {
      const log = await call(wms.url, 'GET', '/sim/admin/deliveries?limit=1000', undefined, ADMIN);
      const items = (log.body as { items: Array<{ status: string }> }).items;
      return items.length >= 30 && items.every((d) => d.status === 'succeeded') ? true : undefined;
    },
    20_000,
    'every delivery (with its duplicate) answered 2xx',
  );
  const log = (await call(wms.url, 'GET', '/sim/admin/deliveries?limit=1000', undefined, ADMIN)).body as {
    items: Array<{ webhookId: string; eventType: string; injected: string | null; reordered: boolean }>;
  };
  assert.ok(
    log.items.some((d) => d.injected === 'duplicate'),
    'duplicates were sent',
  );
  assert.ok(
    log.items.some((d) => d.reordered),
    'deliveries were reordered',
  );

  // A captured delivery replayed as is (same id, still inside the window): accepted, nothing new.
  const first = log.items.find((d) => d.eventType === 'order.picked')!;
  const replay = await call(wms.url, 'POST', `/sim/admin/deliveries/${first.webhookId}/replay`, {}, ADMIN);
  assert.ok(replay.status < 300);
  // The same message re-signed 15 minutes in the past: outside the window, refused.
  const old = await call(wms.url, 'POST', `/sim/admin/deliveries/${first.webhookId}/replay`, { ageSeconds: 900 }, ADMIN);
  assert.ok(old.status < 300);
  await wms.webhooks.idle();
  const replays = (
    (await call(wms.url, 'GET', `/sim/admin/deliveries?webhookId=${first.webhookId}`, undefined, ADMIN)).body as {
      items: Array<{ injected: string | null; attempts: Array<{ status: number }> }>;
    }
  ).items
    .filter((d) => d.injected === 'replay')
    .map((d) => d.attempts.at(-1)?.status);
  assert.deepEqual(replays.sort(), [200, 401]);

  await new Promise((r) => setTimeout(r, 1_000)); // let anything wrongly published arrive
  assert.equal(shipments.length, 15, `one event per stage and order (got ${shipments.map((m) => m.eventType).join(', ')})`);
  for (const e of events) {
    const mine = shipments.filter((m) => m.key === e.order.orderId).sort((x, y) => x.offset - y.offset);
    assert.deepEqual(
      mine.map((m) => m.eventType),
      ['ShipmentPicked', 'ShipmentPacked', 'ShipmentDispatched'],
      `order ${e.order.orderId}`,
    );
    assert.equal(new Set(mine.map((m) => m.headers['ce_id'])).size, 3);
  }
});

test('bad signatures, old timestamps and missing headers get 401 and publish nothing', async (t) => {
  const wms = await startWmsSimulator({ port: 0, ...TEST_TIMINGS, webhookSecret: SECRET, autoAdvance: false });
  t.after(() => wms.close());
  const b = await startBridge(t, wms.url);
  const created = await call(wms.url, 'POST', '/v1/outbound-orders', {
    externalRef: 'S-401',
    warehouse: 'WH',
    shipTo: { name: 'Ada', street1: 'Str 1', city: 'Berlin', postalCode: '10115', countryCode: 'DE' },
    lines: [{ sku: 'SKU-A', qty: 1 }],
    requestedShipDate: '2030-01-15',
  });
  const picked = (await call(wms.url, 'POST', `/sim/admin/orders/${(created.body as { id: string }).id}/advance`, undefined, ADMIN)).body;
  const body = JSON.stringify({ type: 'order.picked', timestamp: new Date().toISOString(), data: picked });

  const wrongSecret = await postWebhook(b, body, { secret: `whsec_${Buffer.from('not-the-secret').toString('base64')}` });
  assert.equal(wrongSecret.status, 401);
  assert.equal(wrongSecret.headers.get('content-type')?.split(';')[0], 'application/problem+json');
  assert.equal((wrongSecret.body as { reason: string }).reason, 'no_matching_signature');
  const stale = await postWebhook(b, body, { timestamp: Math.floor(Date.now() / 1000) - 3_600 });
  assert.equal(stale.status, 401);
  assert.equal((stale.body as { reason: string }).reason, 'timestamp_out_of_tolerance');
  const tampered = await call(b.url, 'POST', '/v1/webhooks/wms', body.replace('"SKU-A"', '"SKU-Z"'), {
    'content-type': 'application/json',
    'webhook-id': 'msg_1',
    'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
    'webhook-signature': signWebhook(SECRET, 'msg_1', Math.floor(Date.now() / 1000), body),
  });
  assert.equal(tampered.status, 401, 'a body changed after signing');
  const unsigned = await call(b.url, 'POST', '/v1/webhooks/wms', body, { 'content-type': 'application/json' });
  assert.equal(unsigned.status, 401);

  // The genuine one still goes through afterwards (the rejected ones did not claim its id).
  const ok = await postWebhook(b, body, { id: 'msg_1' });
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body, { status: 'published', events: ['ShipmentPicked'] });
  assert.equal(await b.messageCount(b.topics.shipments), 1, 'only the genuine delivery was published');
});

test('malformed or hostile bodies get 400 problem+json and publish nothing', async (t) => {
  const wms = await startWmsSimulator({ port: 0, ...TEST_TIMINGS, webhookSecret: SECRET, autoAdvance: false });
  t.after(() => wms.close());
  const b = await startBridge(t, wms.url);

  const malformed = await postWebhook(b, '{"type":"order.picked","data":{');
  assert.equal(malformed.status, 400);
  assert.equal(malformed.headers.get('content-type')?.split(';')[0], 'application/problem+json');
  assert.match((malformed.body as { detail: string }).detail, /malformed JSON/);

  const wrongShape = await postWebhook(
    b,
    JSON.stringify({ type: 'order.shipped', timestamp: 'x', data: { id: 'OB-1', lines: 'all of them', __proto__: { admin: true } } }),
  );
  assert.equal(wrongShape.status, 400);
  assert.ok((wrongShape.body as { errors: unknown[] }).errors.length > 0, 'names the offending fields');

  const notAnObject = await postWebhook(b, '[1,2,3]');
  assert.equal(notAnObject.status, 400);
  const empty = await postWebhook(b, '');
  assert.equal(empty.status, 400);
  const tooBig = await postWebhook(b, JSON.stringify({ type: 'order.picked', pad: 'x'.repeat(1_100_000) }));
  assert.equal(tooBig.status, 413);

  const unknownType = await postWebhook(b, JSON.stringify({ type: 'order.rerouted', timestamp: new Date().toISOString(), data: {} }));
  assert.equal(unknownType.status, 200, 'a signed event type the bridge does not translate is acknowledged');
  assert.deepEqual(unknownType.body, { status: 'ignored', events: [] });

  assert.equal(await b.messageCount(b.topics.shipments), 0);
  assert.equal(await b.messageCount(b.topics.inventory), 0);
});
