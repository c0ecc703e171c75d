import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWmsSimulator, TEST_TIMINGS } from '@odx/sim-wms';
import { canonicalEventOf } from '@odx/runtime';
import { payloadOf } from '@odx/runtime/testing';
import type { OrderCancelled } from '@odx/schemas';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import { ADMIN, SECRET, call, confirmedOrder, eventually, startBridge } from '../support/bridge-kit.js';

test('OrderConfirmed creates the WMS outbound order once, also when the event is redelivered', async (t) => {
  const wms = await startWmsSimulator({ port: 0, ...TEST_TIMINGS, autoAdvance: false });
  t.after(() => wms.close());
  const b = await startBridge(t, wms.url);

  const event = confirmedOrder();
  await b.publishOrders([event]);
  const created = await eventually(() => wms.orders.list({ externalRef: event.order.orderId, limit: 10 })[0], 20_000, 'the WMS order');
  assert.equal(created.warehouse, 'WH', 'WH1 is mapped to the WMS warehouse WH');
  assert.deepEqual(
    created.lines.map((l) => [l.lineRef, l.sku, l.qty]),
    event.order.lines.map((l) => [l.lineId, l.sku, Number(l.quantity)]),
  );

  // The same event again (same event id), and a second confirmation of the same order (new event id).
  const again = confirmedOrder({ orderId: event.order.orderId });
  await b.publishOrders([event, again]);
  const marker = confirmedOrder();
  await b.publishOrders([marker]);
  await eventually(() => wms.orders.list({ externalRef: marker.order.orderId, limit: 10 })[0], 20_000, 'a later order');
  const all = wms.orders.list({ limit: 1000 });
  assert.equal(all.filter((o) => o.externalRef === event.order.orderId).length, 1);
  assert.equal(all.length, 2, 'one WMS order per ODX order');
  assert.equal(await b.messageCount(b.topics.dlq), 0);

  assert.equal((await call(b.url, 'GET', '/healthz')).status, 200);
  const ready = await call(b.url, 'GET', '/readyz');
  assert.equal(ready.status, 200, JSON.stringify(ready.body));
  assert.match(JSON.stringify(ready.body), /wms-circuit/);
  assert.match(String((await call(b.url, 'GET', '/metrics')).body), /odx_/);
});

test('a 422 from the WMS sends that order to the DLQ with the reason; other orders go on', async (t) => {
  const wms = await startWmsSimulator({
    port: 0,
    ...TEST_TIMINGS,
    autoAdvance: false,
    faults: {
      rejections: [
        {
          route: 'POST /v1/outbound-orders',
          field: 'lines.*.sku',
          values: ['SKU-BLOCKED'],
          status: 422,
          message: 'SKU is blocked for outbound',
        },
      ],
    },
  });
  t.after(() => wms.close());
  const b = await startBridge(t, wms.url);
  const dlq = await b.collect(b.topics.dlq);

  const good = Array.from({ length: 5 }, () => confirmedOrder());
  const bad = confirmedOrder({ skus: ['SKU-A', 'SKU-BLOCKED'] });
  await b.publishOrders([good[0]!, good[1]!, bad, ...good.slice(2)]);

  await eventually(
    () => (wms.orders.list({ limit: 100 }).length === 5 && dlq.length === 1 ? true : undefined),
    20_000,
    '5 orders in the WMS and 1 in the DLQ',
  );
  const [dead] = dlq;
  assert.equal(dead!.key, bad.order.orderId);
  assert.equal(dead!.headers['odx.errors.class'], 'wms.validation');
  assert.equal(dead!.headers['odx.errors.kind'], 'permanent');
  assert.match(dead!.headers['odx.errors.message']!, /422.*SKU is blocked for outbound.*lines\[1\]\.sku/);
  assert.equal(dead!.headers['odx.errors.attempt'], '1', 'a permanent error is not retried');
  assert.deepEqual(new Set(wms.orders.list({ limit: 100 }).map((o) => o.externalRef)), new Set(good.map((e) => e.order.orderId)));
});

test('OrderCancelled cancels an order not yet shipped; after shipping it suggests a return (one ReturnSuggested with the shipment facts), nothing in the DLQ', async (t) => {
  const wms = await startWmsSimulator({ port: 0, ...TEST_TIMINGS, autoAdvance: false });
  t.after(() => wms.close());
  const b = await startBridge(t, wms.url);
  const orders = await b.collect(b.topics.orders);
  const open = confirmedOrder();
  const shipped = confirmedOrder();
  await b.publishOrders([open, shipped]);
  const [wOpen, wShipped] = await eventually(
    () => {
      const [x] = wms.orders.list({ externalRef: open.order.orderId, limit: 1 });
      const [y] = wms.orders.list({ externalRef: shipped.order.orderId, limit: 1 });
      return x && y ? ([x, y] as const) : undefined;
    },
    20_000,
    'both orders in the WMS',
  );
  for (let i = 0; i < 3; i++) await call(wms.url, 'POST', `/sim/admin/orders/${wShipped.id}/advance`, undefined, ADMIN);

  const cancel = (orderId: string): OrderCancelled => ({
    meta: {
      eventId: crypto.randomUUID(),
      occurredAt: new Date(),
      source: 'odoo',
      correlationId: orderId,
      causationId: null,
      company: 'acme',
    },
    orderId,
    orderName: `SO-${orderId}`,
    clientOrderRef: 'PO-CUST-1',
    reason: 'customer changed mind',
    cancelledBy: 'test',
    cancelledAt: new Date(),
  });
  const cShipped = cancel(shipped.order.orderId);
  const publish = (e: OrderCancelled) =>
    b.rt.producer.publish([{ eventType: 'OrderCancelled', key: e.orderId, payload: e, topic: b.topics.orders }]);
  await publish(cancel(open.order.orderId));
  await publish(cShipped);
  await publish(cShipped); // redelivered

  await eventually(() => (wms.orders.get(wOpen.id)?.status === 'cancelled' ? true : undefined), 20_000, 'the open order cancelled');
  await eventually(() => (orders.some((m) => m.eventType === 'ReturnSuggested') ? true : undefined), 20_000, 'ReturnSuggested');
  await new Promise((r) => setTimeout(r, 1_500)); // a retry or a second suggestion would land by now

  const suggested = orders.filter((m) => m.eventType === 'ReturnSuggested');
  assert.equal(suggested.length, 1);
  assert.equal(suggested[0]!.key, shipped.order.orderId, 'on the order partition, after its OrderCancelled');
  const p = payloadOf(suggested[0]!, 'ReturnSuggested');
  assert.deepEqual(
    [p.orderId, p.orderName, p.clientOrderRef, p.cancellationReason, p.meta.causationId],
    [shipped.order.orderId, `SO-${shipped.order.orderId}`, 'PO-CUST-1', 'customer changed mind', cShipped.meta.eventId],
  );
  const [goods] = p.shipments;
  const wms0 = wms.orders.get(wShipped.id)!;
  assert.deepEqual(
    [p.shipments.length, goods!.wmsOrderId, goods!.externalRef, goods!.warehouseCode, goods!.bookingRef, goods!.shippedAt?.toISOString()],
    [1, wShipped.id, shipped.order.orderId, 'WH1', wms0.bolNumber, wms0.shippedAt],
  );
  assert.deepEqual(
    goods!.lines.map((l) => [l.orderLineId, l.sku, l.quantity]),
    shipped.order.lines.map((l) => [l.lineId, l.sku, l.quantity]),
  );
  assert.equal(wms.orders.get(wShipped.id)?.status, 'shipped');
  assert.equal(await b.messageCount(b.topics.dlq), 0, 'no DLQ record');
});

test('FulfillmentRequested mode: a released picking becomes one WMS order; its progress carries the shipment and order ids; own events cost no claims', async (t) => {
  const wms = await startWmsSimulator({ port: 0, ...TEST_TIMINGS, webhookSecret: SECRET });
  t.after(() => wms.close());
  const b = await startBridge(t, wms.url, { ODX_WMS_BRIDGE_RELEASE_ON: 'fulfillment-requested' });
  assert.ok((await call(wms.url, 'POST', '/sim/admin/subscriptions', { url: b.webhookUrl }, ADMIN)).status < 300);
  const shipments = await b.collect(b.topics.shipments);

  const orderId = `T-${crypto.randomUUID().slice(0, 12)}`;
  const shipmentId = `P-${crypto.randomUUID().slice(0, 8)}`;
  const fr = sampleEvent('FulfillmentRequested', { meta: sampleMeta({ eventId: crypto.randomUUID(), correlationId: orderId }) });
  fr.shipment = { ...fr.shipment, shipmentId, orderId, warehouseCode: 'WH1' };
  const publishFr = () =>
    b.rt.producer.publish([{ eventType: 'FulfillmentRequested', key: shipmentId, payload: fr, topic: b.topics.shipments }]);
  await publishFr();
  await publishFr(); // redelivered
  await b.publishOrders([confirmedOrder()]); // not this mode's trigger

  const mine = await eventually(
    () => {
      const xs = shipments.filter((m) => m.key === shipmentId && m.eventType !== 'FulfillmentRequested');
      return xs.length >= 3 ? xs : undefined;
    },
    20_000,
    'three progress events',
  );
  assert.deepEqual(
    mine.map((m) => m.eventType),
    ['ShipmentPicked', 'ShipmentPacked', 'ShipmentDispatched'],
  );
  const picked = payloadOf(mine[0]!, 'ShipmentPicked');
  assert.deepEqual(
    [picked.shipmentId, picked.orderId, picked.warehouseCode, picked.meta.correlationId],
    [shipmentId, orderId, 'WH1', orderId],
  );
  const all = (await call(wms.url, 'GET', '/v1/outbound-orders?limit=1000')).body as { items: Array<{ externalRef: string }> };
  assert.deepEqual(
    all.items.map((o) => o.externalRef),
    [`${orderId}#${shipmentId}`],
    'one WMS order, for the picking only',
  );

  const keys = b.rt.db.collection<{ key: string }>('odx_idempotency_keys');
  const group = b.config.consumer.groupId;
  assert.ok(await keys.findOne({ key: `${group}:${fr.meta.eventId}` }), 'the FulfillmentRequested was claimed');
  for (const m of mine) {
    const eventId = canonicalEventOf(m)?.payload.meta.eventId;
    assert.ok(eventId, `${m.eventType} is a canonical event`);
    assert.equal(await keys.findOne({ key: `${group}:${eventId}` }), null, `${m.eventType} skipped without a claim`);
  }
  assert.equal(await b.messageCount(b.topics.dlq), 0);
});
