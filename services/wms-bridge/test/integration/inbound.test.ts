// Procure-to-pay and returns through the WMS, on the real stack with the WMS
// simulator: expected receipts released from PurchaseOrderConfirmed and
// ReturnAuthorized, receipts completed on the simulator's dock, and the
// GoodsReceived / ReturnReceived the bridge publishes from receipt.completed,
// counted by event id under redelivery, replays and a restart.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { startWmsSimulator, TEST_TIMINGS, type WmsSimulator } from '@odx/sim-wms';
import { postSignedWebhook } from '@odx/sim-wms/kit';
import { canonicalEventOf } from '@odx/runtime';
import { payloadOf } from '@odx/runtime/testing';
import type { PurchaseOrderConfirmed, ReturnAuthorized } from '@odx/schemas';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import { ADMIN, SECRET, call, eventually, startBridge, type Cleanup, type Collected, type RunningBridge } from '../support/bridge-kit.js';

async function wmsAndBridge(t: Cleanup, autoAdvance = false): Promise<{ wms: WmsSimulator; b: RunningBridge }> {
  const wms = await startWmsSimulator({ port: 0, ...TEST_TIMINGS, webhookSecret: SECRET, autoAdvance });
  t.after(() => wms.close());
  const b = await startBridge(t, wms.url);
  await subscribe(wms, b);
  return { wms, b };
}

async function subscribe(wms: WmsSimulator, b: RunningBridge): Promise<void> {
  const res = await call(wms.url, 'PUT', '/sim/admin/subscriptions', { items: [{ url: b.webhookUrl }] }, ADMIN);
  assert.ok(res.status < 300, JSON.stringify(res.body));
}

/** A PurchaseOrderConfirmed for a fresh PO in WH1 (the WMS's WH): 10 of SKU-A and 4 of SKU-B still to come. */
function purchaseOrder(eventId: string = randomUUID()): PurchaseOrderConfirmed {
  const id = `PO${randomUUID().slice(0, 8)}`;
  const event = sampleEvent('PurchaseOrderConfirmed', { meta: sampleMeta({ eventId, correlationId: id }) });
  const [a, b] = event.purchaseOrder.lines;
  event.purchaseOrder = {
    ...event.purchaseOrder,
    purchaseOrderId: id,
    name: `P-${id}`,
    warehouseCode: 'WH1',
    lines: [
      { ...a!, lineId: `${id}-1`, sku: 'SKU-A', quantity: '10.0000', quantityReceived: '0.0000', uom: 'EA' },
      { ...b!, lineId: `${id}-2`, sku: 'SKU-B', quantity: '4.0000', quantityReceived: '0.0000', uom: 'EA' },
    ],
  };
  return event;
}

/** A ReturnAuthorized of 3 SKU-A (expected back to stock) and 2 SKU-B (expected to be scrapped). */
function authorizedReturn(): ReturnAuthorized {
  const id = `R${randomUUID().slice(0, 8)}`;
  const event = sampleEvent('ReturnAuthorized', { meta: sampleMeta({ eventId: randomUUID(), correlationId: id }) });
  const [a, b] = event.return.lines;
  event.return = {
    ...event.return,
    returnId: id,
    rmaNumber: `RMA-${id}`,
    warehouseCode: 'WH1',
    lines: [
      { ...a!, lineId: `${id}-1`, sku: 'SKU-A', quantity: '3.0000', uom: 'EA', lotNumber: null, expectedDisposition: 'RESTOCK' },
      { ...b!, lineId: `${id}-2`, sku: 'SKU-B', quantity: '2.0000', uom: 'EA', lotNumber: 'LOT-7', expectedDisposition: 'SCRAP' },
    ],
  };
  return event;
}

const publishPo = (b: RunningBridge, ...events: PurchaseOrderConfirmed[]) =>
  b.rt.producer.publish(
    events.map((e) => ({
      eventType: 'PurchaseOrderConfirmed',
      key: e.purchaseOrder.purchaseOrderId,
      payload: e,
      topic: b.topics.purchasing,
    })),
  );

/** Messages of one event type, by event id (a repeat of an id shows as a count above 1). */
function byEventId(messages: Collected[], eventType: string): Map<string, Collected[]> {
  const ids = new Map<string, Collected[]>();
  for (const m of messages.filter((x) => x.eventType === eventType)) {
    const id = canonicalEventOf(m)!.payload.meta.eventId;
    ids.set(id, [...(ids.get(id) ?? []), m]);
  }
  return ids;
}

async function inboundOf(wms: WmsSimulator, externalRef: string): Promise<{ id: string; lines: Array<{ lineRef: string; qty: number }> }> {
  return eventually(
    async () => (await call(wms.url, 'GET', `/v1/inbound-orders?externalRef=${encodeURIComponent(externalRef)}`)).body.items[0],
    20_000,
    `the WMS inbound order ${externalRef}`,
  );
}

const receive = async (wms: WmsSimulator, id: string, body: unknown) => {
  const res = await call(wms.url, 'POST', `/sim/admin/inbound-orders/${id}/receive`, body, ADMIN);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { receiptId: string };
};

/** Settles every webhook the WMS sent so far (answered or given up). */
const settled = (wms: WmsSimulator) => wms.webhooks.idle();

test('a PO is released once (redelivered, confirmed twice), received partially then fully: exactly two GoodsReceived', async (t) => {
  const { wms, b } = await wmsAndBridge(t);
  const purchasing = await b.collect(b.topics.purchasing);
  const po = purchaseOrder();
  const poId = po.purchaseOrder.purchaseOrderId;
  await publishPo(
    b,
    po,
    po,
    purchaseOrder().purchaseOrder.purchaseOrderId === poId ? po : { ...purchaseOrder(), purchaseOrder: po.purchaseOrder },
  );

  const inbound = await inboundOf(wms, `po:${poId}`);
  const all = (await call(wms.url, 'GET', '/v1/inbound-orders?limit=1000')).body.items as Array<{ externalRef: string }>;
  assert.deepEqual(
    all.map((o) => o.externalRef),
    [`po:${poId}`],
    'one inbound order for the PO',
  );
  assert.deepEqual(
    inbound.lines.map((l) => [l.lineRef, l.qty]),
    [
      [`${poId}-1`, 10],
      [`${poId}-2`, 4],
    ],
  );

  const first = await receive(wms, inbound.id, {
    lines: [
      { lineNumber: 1, qty: 6, lots: [{ lotNumber: 'L-1', qty: 6, expiryDate: '2031-01-31' }] },
      { lineNumber: 2, qty: 1, condition: 'DAMAGED' },
    ],
  });
  await eventually(() => (byEventId(purchasing, 'GoodsReceived').size === 1 ? true : undefined), 20_000, 'the first GoodsReceived');
  const second = await receive(wms, inbound.id, {});
  await eventually(() => (byEventId(purchasing, 'GoodsReceived').size === 2 ? true : undefined), 20_000, 'the second GoodsReceived');
  await settled(wms);
  await new Promise((r) => setTimeout(r, 500)); // anything wrongly published arrives

  const received = purchasing.filter((m) => m.eventType === 'GoodsReceived');
  assert.equal(received.length, 2, 'two receipts, two messages');
  assert.equal(byEventId(purchasing, 'GoodsReceived').size, 2);
  const [p1, p2] = received.map((m) => payloadOf(m, 'GoodsReceived'));
  assert.equal(received[0]!.key, poId, 'keyed by the PO');
  assert.deepEqual(
    [
      p1!.purchaseOrderId,
      p1!.purchaseOrderName,
      p1!.meta.source,
      p1!.meta.correlationId,
      p1!.receipt.wmsReceiptId,
      p1!.receipt.warehouseCode,
    ],
    [poId, `P-${poId}`, 'wms', poId, first.receiptId, 'WH1'],
  );
  assert.deepEqual(
    p1!.receipt.lines.map((l) => [l.purchaseLineId, l.quantity, l.condition, l.lots.map((x) => [x.lotNumber, x.quantity])]),
    [
      [`${poId}-1`, '6.0000', 'GOOD', [['L-1', '6.0000']]],
      [`${poId}-2`, '1.0000', 'DAMAGED', []],
    ],
  );
  assert.equal(p2!.receipt.wmsReceiptId, second.receiptId);
  assert.deepEqual(
    p2!.receipt.lines.map((l) => [l.purchaseLineId, l.quantity]),
    [
      [`${poId}-1`, '4.0000'],
      [`${poId}-2`, '3.0000'],
    ],
    'the rest',
  );
  assert.equal(await b.messageCount(b.topics.dlq), 0);
});

test('a return with a restock line and a scrap line: one ReturnReceived with both conditions', async (t) => {
  const { wms, b } = await wmsAndBridge(t);
  const returns = await b.collect(b.topics.returns);
  const rma = authorizedReturn();
  await b.rt.producer.publish([{ eventType: 'ReturnAuthorized', key: rma.return.returnId, payload: rma, topic: b.topics.returns }]);

  const inbound = await inboundOf(wms, `rma:${rma.return.returnId}`);
  const order = (await call(wms.url, 'GET', `/v1/inbound-orders/${inbound.id}`)).body;
  assert.equal(order.type, 'return');
  assert.deepEqual(
    order.lines.map((l: { expectedCondition: string; lotNumber: string | null }) => [l.expectedCondition, l.lotNumber]),
    [
      ['RESTOCK', null],
      ['SCRAP', 'LOT-7'],
    ],
  );
  const onHandBefore = wms.inventory.level('WH', 'SKU-A').onHand;
  const receipt = await receive(wms, inbound.id, {}); // each line in its expected condition
  await eventually(() => (returns.some((m) => m.eventType === 'ReturnReceived') ? true : undefined), 20_000, 'ReturnReceived');
  await settled(wms);
  await new Promise((r) => setTimeout(r, 500));

  const received = returns.filter((m) => m.eventType === 'ReturnReceived');
  assert.equal(received.length, 1);
  assert.equal(received[0]!.key, rma.return.returnId);
  const p = payloadOf(received[0]!, 'ReturnReceived');
  assert.deepEqual(
    [p.returnId, p.rmaNumber, p.orderId, p.receipt.wmsReceiptId],
    [rma.return.returnId, rma.return.rmaNumber, rma.return.orderId, receipt.receiptId],
  );
  assert.equal(p.receipt.receiptId, rma.return.returnPickingId, 'the return picking the receipt completes');
  assert.deepEqual(
    p.receipt.lines.map((l) => [l.returnLineId, l.sku, l.quantity, l.condition, l.locationCode, l.lots.map((x) => x.lotNumber)]),
    [
      [`${rma.return.returnId}-1`, 'SKU-A', '3.0000', 'RESTOCK', 'WH/STOCK', []],
      [`${rma.return.returnId}-2`, 'SKU-B', '2.0000', 'SCRAP', 'WH/SCRAP', ['LOT-7']],
    ],
  );
  assert.equal(wms.inventory.level('WH', 'SKU-A').onHand, onHandBefore + 3, 'restocked goods are back on hand');
});

test('duplicate webhooks, replays and a restart in the middle publish each receipt once', async (t) => {
  const { wms, b: first } = await wmsAndBridge(t);
  // Every receipt.completed twice (same webhook id).
  assert.equal(
    (await call(wms.url, 'PATCH', '/sim/admin/faults', { webhooks: { duplicateRate: 1, duplicateDelayMs: 5 } }, ADMIN)).status,
    200,
  );
  const po = purchaseOrder();
  const poId = po.purchaseOrder.purchaseOrderId;
  await publishPo(first, po);
  const inbound = await inboundOf(wms, `po:${poId}`);
  await receive(wms, inbound.id, { lines: [{ lineNumber: 1, qty: 5 }] });
  await eventually(
    async () => ((await first.messageCount(first.topics.purchasing)) === 2 ? true : undefined),
    20_000,
    'the first receipt published',
  );
  await settled(wms);

  // The same message replayed (same id), and the same receipt under a new message id.
  const [delivery] = (await call(wms.url, 'GET', '/sim/admin/deliveries?eventType=receipt.completed', undefined, ADMIN)).body
    .items as Array<{
    webhookId: string;
    payload: unknown;
  }>;
  const replay = await call(wms.url, 'POST', `/sim/admin/deliveries/${delivery!.webhookId}/replay`, {}, ADMIN);
  assert.ok(replay.status < 300);
  await settled(wms);
  const sameReceipt = await postSignedWebhook(first.webhookUrl, SECRET, JSON.stringify(delivery!.payload));
  assert.equal(sameReceipt.status, 200);
  assert.deepEqual(sameReceipt.body, { status: 'stale', events: [] }, 'a receipt published before is not published again');

  // Restart: the PO is redelivered to the new instance (a fresh group member reading again) and the WMS replays again.
  const b = await first.restart();
  await subscribe(wms, b);
  await publishPo(b, po);
  const again = await postSignedWebhook(b.webhookUrl, SECRET, JSON.stringify(delivery!.payload), { id: delivery!.webhookId });
  assert.equal(again.status, 200);
  assert.deepEqual(again.body, { status: 'duplicate', events: [] });
  await receive(wms, inbound.id, {});
  const purchasing = await b.collect(b.topics.purchasing);
  await eventually(() => (byEventId(purchasing, 'GoodsReceived').size === 2 ? true : undefined), 20_000, 'the second receipt published');
  await settled(wms);
  await new Promise((r) => setTimeout(r, 1_000));

  const ids = byEventId(purchasing, 'GoodsReceived');
  assert.equal(ids.size, 2);
  assert.deepEqual(
    [...ids.values()].map((ms) => ms.length),
    [1, 1],
    'each GoodsReceived published once',
  );
  assert.deepEqual(
    purchasing
      .filter((m) => m.eventType === 'GoodsReceived')
      .map((m) => payloadOf(m, 'GoodsReceived').receipt.lines.map((l) => l.quantity)),
    [['5.0000'], ['5.0000', '4.0000']],
  );
  const inboundOrders = (await call(wms.url, 'GET', '/v1/inbound-orders?limit=1000')).body.items as unknown[];
  assert.equal(inboundOrders.length, 1, 'one inbound order across the restart');
  const log = (await call(wms.url, 'GET', '/sim/admin/deliveries?eventType=receipt.completed&limit=100', undefined, ADMIN)).body
    .items as Array<{
    injected: string | null;
    status: string;
  }>;
  assert.ok(
    log.some((d) => d.injected === 'duplicate'),
    'duplicates were sent',
  );
  assert.ok(
    log.every((d) => d.status === 'succeeded'),
    'every delivery answered 2xx',
  );
});

test('receipt webhooks: bad signature 401, bad JSON 400, unknown receipt and over-receipt 422, duplicate 200; nothing published', async (t) => {
  const { wms, b } = await wmsAndBridge(t);
  const po = purchaseOrder();
  const poId = po.purchaseOrder.purchaseOrderId;
  await publishPo(b, po);
  const inbound = await inboundOf(wms, `po:${poId}`);
  const before = await b.messageCount(b.topics.purchasing);
  const receipt = (lines: unknown[], over: Record<string, unknown> = {}) =>
    JSON.stringify({
      type: 'receipt.completed',
      timestamp: new Date().toISOString(),
      data: {
        receiptId: `RCV-${randomUUID().slice(0, 6)}`,
        inboundOrderId: inbound.id,
        externalRef: `po:${poId}`,
        inboundType: 'purchase',
        warehouse: 'WH',
        completedAt: new Date().toISOString(),
        lines,
        ...over,
      },
    });
  const line = (qty: number, o: Record<string, unknown> = {}) => ({
    lineNumber: 1,
    lineRef: `${poId}-1`,
    sku: 'SKU-A',
    uom: 'EA',
    qty,
    condition: 'GOOD',
    ...o,
  });

  const badSig = await postSignedWebhook(
    b.webhookUrl,
    `whsec_${Buffer.from('another-secret-entirely').toString('base64')}`,
    receipt([line(1)]),
  );
  assert.equal(badSig.status, 401);
  const badJson = await postSignedWebhook(b.webhookUrl, SECRET, '{"type":"receipt.completed","data":{"lines":[');
  assert.equal(badJson.status, 400);
  const badShape = await postSignedWebhook(b.webhookUrl, SECRET, receipt([line(-3)], { completedAt: 'yesterday' }));
  assert.equal(badShape.status, 400);
  assert.deepEqual((badShape.body as { errors: Array<{ field: string }> }).errors.map((e) => e.field).sort(), [
    'data.completedAt',
    'data.lines.0.qty',
  ]);

  const unknown = await postSignedWebhook(b.webhookUrl, SECRET, receipt([line(1)], { externalRef: 'po:never-released' }));
  assert.equal(unknown.status, 422);
  assert.equal(unknown.headers.get('content-type')?.split(';')[0], 'application/problem+json');
  assert.equal((unknown.body as { reason: string }).reason, 'unknown_receipt');
  const unknownLine = await postSignedWebhook(b.webhookUrl, SECRET, receipt([line(1, { lineRef: 'forged' })]));
  assert.equal(unknownLine.status, 422);
  assert.equal((unknownLine.body as { reason: string }).reason, 'unknown_line');
  const overPosted = await postSignedWebhook(b.webhookUrl, SECRET, receipt([line(7), line(4)]));
  assert.equal(overPosted.status, 422);
  assert.deepEqual((overPosted.body as { errors: Array<{ field: string; code: string }> }).errors, [
    {
      field: 'lines[0].qty',
      message: (overPosted.body as { errors: Array<{ message: string }> }).errors[0]!.message,
      code: 'over_receipt',
    },
  ]);

  // The WMS itself over-receives (its tolerance allows it): refused every attempt until the WMS gives it up.
  await call(wms.url, 'PATCH', '/sim/admin/faults', {}, ADMIN);
  await receive(wms, inbound.id, { lines: [{ lineNumber: 1, qty: 12 }], allowOverReceipt: true });
  await settled(wms);
  const [overDelivery] = (await call(wms.url, 'GET', '/sim/admin/deliveries?eventType=receipt.completed', undefined, ADMIN)).body
    .items as Array<{
    status: string;
    attempts: Array<{ status: number }>;
  }>;
  assert.equal(overDelivery!.status, 'failed');
  assert.ok(overDelivery!.attempts.every((a) => a.status === 422));

  // A genuine receipt, then its duplicate delivery.
  const body = receipt([line(2)]);
  const ok = await postSignedWebhook(b.webhookUrl, SECRET, body, { id: 'msg_genuine' });
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body, { status: 'published', events: ['GoodsReceived'] });
  const dup = await postSignedWebhook(b.webhookUrl, SECRET, body, { id: 'msg_genuine' });
  assert.deepEqual([dup.status, dup.body], [200, { status: 'duplicate', events: [] }]);
  assert.equal(await b.messageCount(b.topics.purchasing), before + 1, 'only the genuine receipt was published');
});
