import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { dlqTopicName } from '@odx/runtime';
import { payloadOf, payloadsOf, testAuthHeader } from '@odx/runtime/testing';
import { parseEventType, type InventoryLevelChanged } from '@odx/schemas';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import { startWmsSimulator, TEST_TIMINGS } from '@odx/sim-wms';
import { ADMIN, call, eventually, startBridge, type RunningBridge } from '../support/bridge-kit.js';

function level(
  sku: string,
  onHand: string,
  o: { asOfMinutesAgo?: number; eventId?: string; locationCode?: string | null } = {},
): InventoryLevelChanged {
  const e = sampleEvent('InventoryLevelChanged', { meta: sampleMeta({ eventId: o.eventId ?? randomUUID(), source: 'odoo' }) });
  e.level = {
    ...e.level,
    sku,
    productId: `P-${sku}`,
    warehouseCode: 'WH1',
    locationCode: o.locationCode ?? null,
    lotNumber: null,
    uom: 'EA',
    onHand,
    reserved: '0.0000',
    available: onHand,
    asOf: new Date(Date.now() - (o.asOfMinutesAgo ?? 0) * 60_000),
  };
  return e;
}

async function publishLevels(b: RunningBridge, levels: InventoryLevelChanged[]): Promise<void> {
  await b.rt.producer.publish(
    levels.map((payload) => ({ eventType: 'InventoryLevelChanged', key: payload.level.sku, payload, topic: b.topics.inventory })),
  );
}

test('reconciliation on demand: the last InventoryLevelChanged per SKU and warehouse against the WMS, mismatches published with deltas', async (t) => {
  const wms = await startWmsSimulator({
    port: 0,
    ...TEST_TIMINGS,
    autoAdvance: false,
    inventory: [
      { warehouse: 'WH', sku: 'SKU-A', onHand: 100 },
      { warehouse: 'WH', sku: 'SKU-B', onHand: 50 },
      { warehouse: 'WH', sku: 'SKU-C', onHand: 7 },
    ],
  });
  t.after(() => wms.close());
  const b = await startBridge(t, wms.url);
  const inventory = await b.collect(b.topics.inventory);

  const a = level('SKU-A', '100.0000');
  // SKU-B: the newer level (45) arrives before the older one (50); the newer wins.
  const bNew = level('SKU-B', '45.0000', { asOfMinutesAgo: 1 });
  const bOld = level('SKU-B', '50.0000', { asOfMinutesAgo: 10 });
  const bin = level('SKU-A', '3.0000', { locationCode: 'WH1/Stock/A-01' });
  const d = level('SKU-D', '10.5000');
  await publishLevels(b, [a, a, bNew, bOld, bin, d]); // SKU-A's event twice
  await b.rt.producer.publishRaw([
    { topic: b.topics.inventory, key: Buffer.from('SKU-X'), value: Buffer.from('not avro at all'), headers: {} },
  ]);
  const levels = b.rt.db.collection('wms_bridge_inventory_levels');
  await eventually(
    async () => ((await levels.countDocuments()) === 4 ? true : undefined),
    20_000,
    'four warehouse-total levels stored (duplicate and bin level dropped)',
  );
  await eventually(
    async () => ((await b.messageCount(dlqTopicName(b.topics.inventory, `${b.config.consumer.groupId}-levels`))) === 1 ? true : undefined),
    20_000,
    'the undecodable message in the DLQ',
  );

  const res = await call(b.url, 'POST', '/v1/reconciliations', {}, await testAuthHeader('operator'));
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const report = res.body as {
    runId: string;
    warehouses: string[];
    compared: number;
    mismatchCount: number;
    unknownToOdooCount: number;
    mismatches: Array<{ sku: string; difference: string }>;
  };
  assert.deepEqual(report.warehouses, ['WH1']);
  assert.deepEqual(
    [report.compared, report.mismatchCount, report.unknownToOdooCount],
    [3, 2, 1],
    'A matches; B and D differ; C is unknown to Odoo',
  );
  assert.deepEqual(
    report.mismatches.map((m) => [m.sku, m.difference]),
    [
      ['SKU-B', '5.0000'],
      ['SKU-D', '-10.5000'],
    ],
  );

  const found = await eventually(
    () => {
      const mine = inventory.filter(
        (m) =>
          m.eventType === 'InventoryMismatchDetected' && payloadOf(m, 'InventoryMismatchDetected').reconciliationRunId === report.runId,
      );
      return mine.length === 2 ? mine : undefined;
    },
    20_000,
    'two InventoryMismatchDetected',
  );
  const bEvent = payloadsOf(found, 'InventoryMismatchDetected').find((p) => p.sku === 'SKU-B')!;
  assert.ok(parseEventType('InventoryMismatchDetected').isValid(bEvent));
  assert.deepEqual(
    [bEvent.warehouseCode, bEvent.odooOnHand, bEvent.wmsOnHand, bEvent.difference, bEvent.tolerance, bEvent.productId],
    ['WH1', '45.0000', '50.0000', '5.0000', '0.0000', 'P-SKU-B'],
  );
  assert.equal(found.find((m) => payloadOf(m, 'InventoryMismatchDetected').sku === 'SKU-B')!.key, 'SKU-B');

  // Bad requests: 400 problem+json naming the field, nothing run.
  for (const bad of [
    '{',
    JSON.stringify({ warehouses: 'WH1' }),
    JSON.stringify({ warehouses: [] }),
    JSON.stringify({ warehouses: ['WH1'], sql: 'drop' }),
    JSON.stringify({ warehouses: Array.from({ length: 101 }, (_, i) => `W${i}`) }),
  ]) {
    const r = await call(b.url, 'POST', '/v1/reconciliations', bad, {
      'content-type': 'application/json',
      ...(await testAuthHeader('operator')),
    });
    assert.equal(r.status, 400, `${bad.slice(0, 40)} -> ${r.status}`);
    assert.equal(r.headers.get('content-type')?.split(';')[0], 'application/problem+json');
  }

  // Two requests at once: the second is refused while the first runs (the WMS is slow).
  await call(wms.url, 'PATCH', '/sim/admin/faults', { latency: { fixedMs: 500, jitterMs: 0 } }, ADMIN);
  const [first, second] = await Promise.all([
    call(b.url, 'POST', '/v1/reconciliations', { warehouses: ['WH1'] }, await testAuthHeader('operator')),
    new Promise((r) => setTimeout(r, 100)).then(async () =>
      call(b.url, 'POST', '/v1/reconciliations', {}, await testAuthHeader('operator')),
    ),
  ]);
  assert.deepEqual([first.status, second.status], [200, 409]);
  // The WMS down: 503, and the circuit is not the bridge's problem to hide.
  await call(wms.url, 'PUT', '/sim/admin/faults', {}, ADMIN);
  await call(wms.url, 'POST', '/sim/admin/downtime', { seconds: 5 }, ADMIN);
  assert.equal((await call(b.url, 'POST', '/v1/reconciliations', {}, await testAuthHeader('operator'))).status, 503);
  await call(wms.url, 'DELETE', '/sim/admin/downtime', undefined, ADMIN);

  // The sweeper: superseded levels go, the latest stay; per-order state past retention goes.
  const orders = b.rt.db.collection<{ _id: string; refs: string[]; at: Date }>('wms_bridge_orders');
  await orders.insertMany([
    { _id: 'OLD-1', refs: ['OLD-1'], at: new Date(Date.now() - 40 * 86_400_000) },
    { _id: 'NEW-1', refs: ['NEW-1'], at: new Date() },
  ]);
  assert.equal(await b.bridge.sweep(), 2, 'the old order state and the superseded SKU-B level');
  assert.deepEqual(
    (await orders.find().toArray()).map((o) => o._id),
    ['NEW-1'],
  );
  assert.deepEqual((await levels.find().toArray()).map((l) => l._id).sort(), [a.meta.eventId, bNew.meta.eventId, d.meta.eventId].sort());
});

test('scheduled reconciliation runs on its own and names the run after its time slot', async (t) => {
  const wms = await startWmsSimulator({
    port: 0,
    ...TEST_TIMINGS,
    autoAdvance: false,
    inventory: [{ warehouse: 'WH', sku: 'SKU-A', onHand: 9 }],
  });
  t.after(() => wms.close());
  const b = await startBridge(t, wms.url, { WMS_RECONCILE_INTERVAL_MS: '1000', WMS_RECONCILE_TOLERANCE: '0.5' });
  const inventory = await b.collect(b.topics.inventory);
  await publishLevels(b, [level('SKU-A', '12.0000'), level('SKU-Z', '0.2500')]); // SKU-Z: within tolerance of the WMS's 0
  const m = await eventually(() => inventory.find((x) => x.eventType === 'InventoryMismatchDetected'), 20_000, 'a scheduled mismatch');
  const p = payloadOf(m, 'InventoryMismatchDetected');
  assert.deepEqual([p.sku, p.difference, p.tolerance], ['SKU-A', '-3.0000', '0.5000']);
  assert.match(p.reconciliationRunId ?? '', /^recon-\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
  assert.ok(!payloadsOf(inventory, 'InventoryMismatchDetected').some((p) => p.sku === 'SKU-Z'));
});
