import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startRecordingReceiver, type RecordingReceiver } from '../../src/kit/index.js';
import { DEFAULT_WEBHOOK_SECRET, isValidSscc, startWmsSimulator, TEST_TIMINGS, type WmsSimulator } from '../../src/index.js';
import { gs1CheckDigit } from '../../src/sscc.js';
import { ADMIN, assertSigned, call, typesOf } from '../../src/kit/index.js';

function orderBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    externalRef: `S-${randomUUID()}`,
    warehouse: 'WH',
    shipTo: { name: 'Ada Buyer', street1: 'Invalidenstr. 1', city: 'Berlin', postalCode: '10115', countryCode: 'DE' },
    lines: [
      { lineRef: 'L1', sku: 'SKU-A', qty: 30 },
      { lineRef: 'L2', sku: 'SKU-B', qty: 2 },
    ],
    requestedShipDate: '2030-01-15',
    carrierHint: 'DHL',
    ...overrides,
  };
}

describe('wms simulator: outbound orders', () => {
  let sim: WmsSimulator;
  let receiver: RecordingReceiver;

  before(async () => {
    receiver = await startRecordingReceiver();
    sim = await startWmsSimulator({ port: 0, ...TEST_TIMINGS, webhookUrl: receiver.url, inventory: [{ warehouse: 'WH', sku: 'SKU-A', onHand: 100 }] });
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

  test('the same externalRef returns the existing order (201 then 200), never a second one', async () => {
    const body = orderBody();
    const first = await call(sim.url, 'POST', '/v1/outbound-orders', body);
    const again = await call(sim.url, 'POST', '/v1/outbound-orders', body);
    assert.equal(first.status, 201);
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.body.id, first.body.id);
    const byRef = await call(sim.url, 'GET', `/v1/outbound-orders?externalRef=${encodeURIComponent(String(body['externalRef']))}`);
    assert.equal(byRef.body.items.length, 1);
    const byId = await call(sim.url, 'GET', `/v1/outbound-orders/${first.body.id}`);
    assert.equal(byId.body.externalRef, body['externalRef']);
  });

  test('invalid orders get 422 naming each field', async () => {
    const res = await call(sim.url, 'POST', '/v1/outbound-orders', orderBody({ warehouse: '', lines: [{ sku: 'X', qty: 0 }], requestedShipDate: '15/01/2030' }));
    assert.equal(res.status, 422);
    assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    const fields = res.body.errors.map((e: { field: string }) => e.field).sort();
    assert.deepEqual(fields, ['lines[0].qty', 'requestedShipDate', 'warehouse']);

    const unknownWarehouse = await call(sim.url, 'POST', '/v1/outbound-orders', orderBody({ warehouse: 'NOPE' }));
    assert.equal(unknownWarehouse.status, 422);
    assert.equal(unknownWarehouse.body.errors[0].field, 'warehouse');
  });

  test('a configured rejection refuses chosen SKUs with 422 and the offending field', async () => {
    const patch = await call(sim.url, 'PATCH', '/sim/admin/faults', { rejections: [{ route: 'POST /v1/outbound-orders', field: 'lines.*.sku', values: ['SKU-B'], message: 'unknown SKU' }] }, ADMIN);
    assert.equal(patch.status, 200);
    const res = await call(sim.url, 'POST', '/v1/outbound-orders', orderBody());
    assert.equal(res.status, 422);
    assert.deepEqual(res.body.errors, [{ field: 'lines[1].sku', message: 'unknown SKU: SKU-B', code: 'rejected_value' }]);
    const ok = await call(sim.url, 'POST', '/v1/outbound-orders', orderBody({ lines: [{ sku: 'SKU-A', qty: 1 }] }));
    assert.equal(ok.status, 201);
  });

  test('orders go received → picked → packed → shipped with signed webhooks, SSCC packages and stock moved', async () => {
    const created = await call(sim.url, 'POST', '/v1/outbound-orders', orderBody());
    assert.equal(created.body.status, 'received');
    const stockAfterCreate = await call(sim.url, 'GET', '/v1/inventory?warehouse=WH&sku=SKU-A');
    assert.deepEqual(stockAfterCreate.body.items, [{ warehouse: 'WH', sku: 'SKU-A', onHand: 100, allocated: 30, available: 70 }]);

    const hooks = await receiver.waitFor((r) => r.length >= 3);
    assert.deepEqual(typesOf(hooks), ['order.picked', 'order.packed', 'order.shipped']);
    for (const hook of hooks) assertSigned(hook, DEFAULT_WEBHOOK_SECRET);
    assert.equal(new Set(hooks.map((h) => h.webhookId)).size, 3, 'one webhook-id per message');

    const shipped = (hooks[2]!.payload as { data: any }).data;
    assert.equal(shipped.id, created.body.id);
    assert.equal(shipped.status, 'shipped');
    assert.ok(shipped.packages.length >= 2, '32 units need two cartons');
    for (const pkg of shipped.packages) {
      assert.ok(isValidSscc(pkg.sscc), `valid SSCC ${pkg.sscc}`);
      assert.ok(pkg.weightKg > 0 && pkg.dimensions.lengthCm > 0);
    }
    const packedUnits = shipped.packages.flatMap((p: any) => p.contents).reduce((n: number, c: any) => n + c.qty, 0);
    assert.equal(packedUnits, 32);

    const stock = await call(sim.url, 'GET', '/v1/inventory?warehouse=WH&sku=SKU-A');
    assert.deepEqual(stock.body.items, [{ warehouse: 'WH', sku: 'SKU-A', onHand: 70, allocated: 0, available: 70 }]);
  });

  test('short stock is short-picked', async () => {
    await call(sim.url, 'PUT', '/sim/admin/inventory', { items: [{ warehouse: 'WH', sku: 'SKU-A', onHand: 5 }] }, ADMIN);
    const created = await call(sim.url, 'POST', '/v1/outbound-orders', orderBody({ lines: [{ sku: 'SKU-A', qty: 8 }] }));
    const [picked] = await receiver.waitFor((r) => r.length >= 1);
    const data = (picked!.payload as { data: any }).data;
    assert.equal(data.id, created.body.id);
    assert.equal(data.shortPicked, true);
    assert.equal(data.lines[0].pickedQty, 5);
  });

  test('cancel: allowed before shipping (idempotent, stock released), 409 once shipped', async () => {
    const manual = await startWmsSimulator({ port: 0, ...TEST_TIMINGS, autoAdvance: false });
    try {
      const a = await call(manual.url, 'POST', '/v1/outbound-orders', orderBody({ lines: [{ sku: 'SKU-Z', qty: 3 }] }));
      const cancelled = await call(manual.url, 'POST', `/v1/outbound-orders/${a.body.id}/cancel`, { reason: 'customer changed mind' });
      assert.equal(cancelled.status, 200);
      assert.equal(cancelled.body.status, 'cancelled');
      const again = await call(manual.url, 'POST', `/v1/outbound-orders/${a.body.id}/cancel`);
      assert.equal(again.status, 200);
      const stock = await call(manual.url, 'GET', '/v1/inventory?sku=SKU-Z');
      assert.equal(stock.body.items[0].allocated, 0);

      const b = await call(manual.url, 'POST', '/v1/outbound-orders', orderBody());
      for (let i = 0; i < 3; i++) assert.equal((await call(manual.url, 'POST', `/sim/admin/orders/${b.body.id}/advance`, undefined, ADMIN)).status, 200);
      const refused = await call(manual.url, 'POST', `/v1/outbound-orders/${b.body.id}/cancel`);
      assert.equal(refused.status, 409);
      assert.equal(refused.body.code, 'already_shipped');
      assert.equal((await call(manual.url, 'POST', '/v1/outbound-orders/OB-999999/cancel')).status, 404);
    } finally {
      await manual.close();
    }
  });

  test('an admin stock adjustment emits a signed inventory.adjusted webhook', async () => {
    const res = await call(sim.url, 'POST', '/sim/admin/inventory/adjustments', { warehouse: 'WH', sku: 'SKU-A', delta: -4, reason: 'DAMAGED' }, ADMIN);
    assert.equal(res.status, 201);
    const [hook] = await receiver.waitFor((r) => r.length >= 1);
    assertSigned(hook!, DEFAULT_WEBHOOK_SECRET);
    assert.equal((hook!.payload as any).type, 'inventory.adjusted');
    assert.deepEqual(
      { ...(hook!.payload as any).data, adjustedAt: undefined, adjustmentId: undefined },
      { warehouse: 'WH', sku: 'SKU-A', delta: -4, onHand: 96, allocated: 0, available: 96, reason: 'DAMAGED', adjustedAt: undefined, adjustmentId: undefined },
    );
    const negative = await call(sim.url, 'POST', '/sim/admin/inventory/adjustments', { warehouse: 'WH', sku: 'SKU-A', delta: -1000 }, ADMIN);
    assert.equal(negative.status, 422);
  });

  test('GS1 check digits match published examples', () => {
    assert.equal(gs1CheckDigit('400638133393'), 1); // EAN-13 4006381333931
    assert.equal(gs1CheckDigit('03600029145'), 2); // UPC-A 036000291452
    assert.ok(isValidSscc('006141410000000012'));
    assert.ok(!isValidSscc('006141410000000013'));
  });
});
