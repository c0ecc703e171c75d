import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { ADMIN, assertSigned, call, startRecordingReceiver, typesOf, type RecordingReceiver } from '../../src/kit/index.js';
import { startWmsSimulator, TEST_TIMINGS, type WmsSimulator } from '../../src/index.js';

const SECRET = `whsec_${Buffer.from(randomUUID()).toString('base64')}`;

function inboundBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    externalRef: `po:${randomUUID().slice(0, 8)}`,
    type: 'purchase',
    warehouse: 'WH',
    reference: 'P00042',
    sender: { name: 'Acme Supplies', code: 'V-7' },
    expectedDate: '2030-01-20',
    lines: [
      { lineRef: 'PL1', sku: 'SKU-A', qty: 10 },
      { lineRef: 'PL2', sku: 'SKU-B', qty: 4, lotNumber: 'LOT-9' },
    ],
    ...overrides,
  };
}

describe('wms simulator: inbound orders and receipts', () => {
  let sim: WmsSimulator;
  let receiver: RecordingReceiver;

  before(async () => {
    receiver = await startRecordingReceiver();
    sim = await startWmsSimulator({
      port: 0,
      ...TEST_TIMINGS,
      webhookSecret: SECRET,
      webhookUrl: receiver.url,
      inventory: [{ warehouse: 'WH', sku: 'SKU-A', onHand: 5 }],
    });
  });
  after(async () => {
    await sim.close();
    await receiver.close();
  });
  beforeEach(async () => {
    await call(sim.url, 'POST', '/sim/admin/reset', undefined, ADMIN);
    receiver.received.length = 0;
    receiver.respondWith(() => 204);
  });

  test('create is idempotent by externalRef (201 then 200); get, list and filters', async () => {
    const body = inboundBody();
    const first = await call(sim.url, 'POST', '/v1/inbound-orders', body);
    assert.equal(first.status, 201);
    assert.equal(first.headers.get('location'), `/v1/inbound-orders/${first.body.id}`);
    assert.match(first.body.id, /^IB-\d{6}$/);
    assert.equal(first.body.status, 'expected');
    assert.deepEqual(
      first.body.lines.map((l: { lineNumber: number; lineRef: string; qty: number; receivedQty: number; lotNumber: string | null }) => [
        l.lineNumber,
        l.lineRef,
        l.qty,
        l.receivedQty,
        l.lotNumber,
      ]),
      [
        [1, 'PL1', 10, 0, null],
        [2, 'PL2', 4, 0, 'LOT-9'],
      ],
    );
    const again = await call(sim.url, 'POST', '/v1/inbound-orders', { ...body, lines: [{ sku: 'X', qty: 1 }] });
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.body.id, first.body.id);
    assert.equal(again.body.lines.length, 2, 'the body of a repeat is not compared');

    await call(sim.url, 'POST', '/v1/inbound-orders', inboundBody({ type: 'return', externalRef: 'rma:1' }));
    assert.equal((await call(sim.url, 'GET', `/v1/inbound-orders/${first.body.id}`)).body.externalRef, body['externalRef']);
    assert.equal((await call(sim.url, 'GET', '/v1/inbound-orders/IB-999999')).status, 404);
    const byRef = await call(sim.url, 'GET', `/v1/inbound-orders?externalRef=${encodeURIComponent(String(body['externalRef']))}`);
    assert.deepEqual(
      byRef.body.items.map((o: { id: string }) => o.id),
      [first.body.id],
    );
    const returns = await call(sim.url, 'GET', '/v1/inbound-orders?type=return');
    assert.deepEqual(
      returns.body.items.map((o: { externalRef: string }) => o.externalRef),
      ['rma:1'],
    );
    const all = await call(sim.url, 'GET', '/v1/inbound-orders?limit=1');
    assert.equal(all.body.items.length, 1);
    assert.ok(all.body.nextPageToken, 'paged like the outbound list');
    assert.equal((await call(sim.url, 'GET', '/v1/inbound-orders?limit=0')).status, 400);
  });

  test('invalid inbound orders get 422 naming each field', async () => {
    const res = await call(
      sim.url,
      'POST',
      '/v1/inbound-orders',
      inboundBody({ type: 'transfer', lines: [{ sku: 'A', qty: 1.5, expectedCondition: 'restock' }] }),
    );
    assert.equal(res.status, 422);
    assert.deepEqual(res.body.errors.map((e: { field: string }) => e.field).sort(), ['lines[0].expectedCondition', 'lines[0].qty', 'type']);
    const warehouse = await call(sim.url, 'POST', '/v1/inbound-orders', inboundBody({ warehouse: 'NOPE' }));
    assert.equal(warehouse.status, 422);
    assert.equal(warehouse.body.errors[0].code, 'unknown_warehouse');
  });

  test('a partial receipt, then the rest: two signed receipt.completed with the counted lines, lots and stock put away', async () => {
    const created = await call(sim.url, 'POST', '/v1/inbound-orders', inboundBody());
    const id = created.body.id as string;
    const partial = await call(
      sim.url,
      'POST',
      `/sim/admin/inbound-orders/${id}/receive`,
      {
        lines: [
          { lineNumber: 1, qty: 6 },
          { lineRef: 'PL2', qty: 1, condition: 'DAMAGED', lots: [{ lotNumber: 'LOT-9', qty: 1, expiryDate: '2031-06-30' }] },
        ],
        receivedBy: 'dock-3',
      },
      ADMIN,
    );
    assert.equal(partial.status, 201, JSON.stringify(partial.body));
    assert.equal(partial.body.inboundStatus, 'receiving');
    assert.deepEqual(
      partial.body.lines.map((l: { receiptLineId: string; qty: number; condition: string; location: string; lots: unknown[] }) => [
        l.receiptLineId,
        l.qty,
        l.condition,
        l.location,
        l.lots,
      ]),
      [
        [`${partial.body.receiptId}/1`, 6, 'GOOD', 'WH/STOCK', []],
        [`${partial.body.receiptId}/2`, 1, 'DAMAGED', 'WH/DAMAGED', [{ lotNumber: 'LOT-9', qty: 1, expiryDate: '2031-06-30' }]],
      ],
    );
    const rest = await call(sim.url, 'POST', `/sim/admin/inbound-orders/${id}/receive`, {}, ADMIN);
    assert.equal(rest.status, 201);
    assert.equal(rest.body.inboundStatus, 'received');
    assert.deepEqual(
      rest.body.lines.map((l: { lineNumber: number; qty: number; lots: Array<{ lotNumber: string; qty: number }> }) => [
        l.lineNumber,
        l.qty,
        l.lots,
      ]),
      [
        [1, 4, []],
        [2, 3, [{ lotNumber: 'LOT-9', qty: 3, expiryDate: null }]],
      ],
      'the remainder, with the expected lot',
    );

    const order = (await call(sim.url, 'GET', `/v1/inbound-orders/${id}`)).body;
    assert.equal(order.status, 'received');
    assert.deepEqual(
      order.lines.map((l: { receivedQty: number }) => l.receivedQty),
      [10, 4],
    );
    assert.equal(order.receipts.length, 2);
    const stock = (await call(sim.url, 'GET', '/v1/inventory?warehouse=WH')).body.items as Array<{ sku: string; onHand: number }>;
    assert.deepEqual(
      stock.map((s) => [s.sku, s.onHand]),
      [
        ['SKU-A', 15],
        ['SKU-B', 3],
      ],
      'GOOD goods raise on-hand, DAMAGED ones do not',
    );

    const hooks = await receiver.waitFor((r) => r.length >= 2);
    assert.deepEqual(typesOf(hooks), ['receipt.completed', 'receipt.completed']);
    for (const hook of hooks) assertSigned(hook, SECRET);
    const data = hooks.map((h) => (h.payload as { data: { receiptId: string; externalRef: string; inboundOrderId: string } }).data);
    assert.deepEqual(
      data.map((d) => d.receiptId),
      [partial.body.receiptId, rest.body.receiptId],
    );
    assert.equal(data[0]!.externalRef, created.body.externalRef);
    assert.equal(data[0]!.inboundOrderId, id);

    const closed = await call(sim.url, 'POST', `/sim/admin/inbound-orders/${id}/receive`, {}, ADMIN);
    assert.equal(closed.status, 409);
    assert.equal(closed.body.code, 'already_received');
    const cancel = await call(sim.url, 'POST', `/v1/inbound-orders/${id}/cancel`, {});
    assert.equal(cancel.status, 409);
    assert.equal(cancel.body.code, 'already_received');
  });

  test('a return receipt takes each line in its own condition; RESTOCK is put away, SCRAP is not', async () => {
    const created = await call(
      sim.url,
      'POST',
      '/v1/inbound-orders',
      inboundBody({ type: 'return', externalRef: 'rma:77', lines: [{ lineRef: 'RL1', sku: 'SKU-A', qty: 5, expectedCondition: 'SCRAP' }] }),
    );
    const receipt = await call(
      sim.url,
      'POST',
      `/sim/admin/inbound-orders/${created.body.id}/receive`,
      {
        lines: [
          { lineNumber: 1, qty: 3, condition: 'RESTOCK' },
          { lineNumber: 1, qty: 2 },
        ],
      },
      ADMIN,
    );
    assert.equal(receipt.status, 201);
    assert.deepEqual(
      receipt.body.lines.map((l: { qty: number; condition: string; location: string }) => [l.qty, l.condition, l.location]),
      [
        [3, 'RESTOCK', 'WH/STOCK'],
        [2, 'SCRAP', 'WH/SCRAP'],
      ],
      'the expected condition is the default',
    );
    assert.equal(receipt.body.inboundStatus, 'received');
    assert.equal((await call(sim.url, 'GET', '/v1/inventory?warehouse=WH&sku=SKU-A')).body.items[0].onHand, 8);
  });

  test('over-receipts and unknown lines get 422 unless over-receipt is allowed; cancelled orders take nothing', async () => {
    const created = await call(sim.url, 'POST', '/v1/inbound-orders', inboundBody());
    const id = created.body.id as string;
    const over = await call(
      sim.url,
      'POST',
      `/sim/admin/inbound-orders/${id}/receive`,
      {
        lines: [
          { lineNumber: 1, qty: 7 },
          { lineNumber: 1, qty: 4 },
        ],
      },
      ADMIN,
    );
    assert.equal(over.status, 422);
    assert.equal(over.body.code, 'over_receipt');
    assert.equal(over.body.errors[0].field, 'lines[0].qty');
    const unknown = await call(sim.url, 'POST', `/sim/admin/inbound-orders/${id}/receive`, { lines: [{ lineRef: 'NOPE', qty: 1 }] }, ADMIN);
    assert.equal(unknown.status, 422);
    assert.equal(unknown.body.errors[0].code, 'unknown_line');
    const badLots = await call(
      sim.url,
      'POST',
      `/sim/admin/inbound-orders/${id}/receive`,
      { lines: [{ lineNumber: 2, qty: 2, lots: [{ lotNumber: 'L', qty: 1 }] }] },
      ADMIN,
    );
    assert.equal(badLots.status, 422);
    assert.equal((await call(sim.url, 'GET', `/v1/inbound-orders/${id}`)).body.lines[0].receivedQty, 0, 'nothing half-received');

    const allowed = await call(
      sim.url,
      'POST',
      `/sim/admin/inbound-orders/${id}/receive`,
      { lines: [{ lineNumber: 1, qty: 12 }], allowOverReceipt: true },
      ADMIN,
    );
    assert.equal(allowed.status, 201);
    assert.equal(allowed.body.lines[0].qty, 12);

    const other = await call(sim.url, 'POST', '/v1/inbound-orders', inboundBody());
    const cancelled = await call(sim.url, 'POST', `/v1/inbound-orders/${other.body.id}/cancel`, { reason: 'supplier cancelled' });
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.status, 'cancelled');
    assert.equal((await call(sim.url, 'POST', `/v1/inbound-orders/${other.body.id}/cancel`, {})).status, 200, 'idempotent');
    const late = await call(sim.url, 'POST', `/sim/admin/inbound-orders/${other.body.id}/receive`, {}, ADMIN);
    assert.equal(late.status, 409);
    assert.equal(late.body.code, 'already_cancelled');
    assert.equal((await call(sim.url, 'POST', '/sim/admin/inbound-orders/IB-999999/receive', {}, ADMIN)).status, 404);
  });

  test('receipt.completed is retried with the same webhook-id until the receiver answers 2xx', async () => {
    receiver.respondWith((_hook, index) => (index < 2 ? 503 : 200));
    const created = await call(sim.url, 'POST', '/v1/inbound-orders', inboundBody());
    await call(sim.url, 'POST', `/sim/admin/inbound-orders/${created.body.id}/receive`, {}, ADMIN);
    const hooks = await receiver.waitFor((r) => r.length >= 3);
    await sim.webhooks.idle();
    assert.equal(new Set(hooks.map((h) => h.webhookId)).size, 1);
    const log = await call(sim.url, 'GET', '/sim/admin/deliveries?eventType=receipt.completed', undefined, ADMIN);
    assert.deepEqual(
      log.body.items[0].attempts.map((a: { status: number }) => a.status),
      [503, 503, 200],
    );
    assert.equal(log.body.items[0].status, 'succeeded');
  });
});
