import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyError } from '@odx/runtime';
import { startWmsSimulator, TEST_TIMINGS } from '@odx/sim-wms';
import { WmsClient } from '../../src/wms/wms-client.js';
import { ADMIN, call } from '../support/bridge-kit.js';

const request = (externalRef: string, sku = 'SKU-A') => ({
  externalRef,
  warehouse: 'WH',
  lines: [{ lineRef: '1', sku, qty: 2, uom: 'EA' }],
  requestedShipDate: '2030-01-15',
  shipTo: { name: 'Ada', street1: 'Str 1', city: 'Berlin', postalCode: '10115', countryCode: 'DE' },
});

test('WMS client: idempotent create, 429/503 transient with Retry-After, timeouts transient, 4xx permanent with the WMS message, circuit', async (t) => {
  const wms = await startWmsSimulator({ port: 0, ...TEST_TIMINGS, autoAdvance: false });
  t.after(() => wms.close());
  const client = new WmsClient({
    url: wms.url,
    apiKey: 'k',
    timeoutMs: 300,
    circuit: { resetTimeoutMs: 500, volumeThreshold: 3, errorThresholdPercentage: 50 },
  });
  t.after(() => client.shutdown());

  const first = await client.createOrder(request('S1'), 'key-1');
  const again = await client.createOrder(request('S1'), 'key-2');
  assert.deepEqual([first.created, again.created, again.order.id], [true, false, first.order.id]);
  assert.equal((await client.findByExternalRef('S1'))?.id, first.order.id);
  assert.equal(await client.findByExternalRef('nope'), null);
  assert.equal(await client.getOrder('OB-404'), null);

  await call(wms.url, 'PATCH', '/sim/admin/faults', { failNext: { count: 1, status: 429, retryAfterSeconds: 7, routes: [] } }, ADMIN);
  const limited = classifyError(await client.createOrder(request('S2'), 'k').catch((e: unknown) => e));
  assert.deepEqual([limited.kind, limited.errorClass, limited.retryAfterMs], ['transient', 'wms.http.429', 7000]);

  const invalid = classifyError(await client.createOrder({ ...request('S3'), warehouse: 'NOWHERE' }, 'k').catch((e: unknown) => e));
  assert.deepEqual([invalid.kind, invalid.errorClass], ['permanent', 'wms.validation']);
  assert.match(invalid.message, /422 validation_failed: .*warehouse/);

  await call(
    wms.url,
    'PATCH',
    '/sim/admin/faults',
    { timeoutButSucceed: { routes: ['POST /v1/outbound-orders'], mode: 'hang', count: 1 } },
    ADMIN,
  );
  const hung = classifyError(await client.createOrder(request('S4'), 'k').catch((e: unknown) => e));
  assert.deepEqual([hung.kind, hung.errorClass], ['transient', 'wms.timeout']);
  // The WMS did create it; the retry finds it instead of a second one.
  assert.equal((await client.createOrder(request('S4'), 'k')).created, false);

  // A fresh breaker (the calls above filled this one's window with mostly successes).
  const client2 = new WmsClient({
    url: wms.url,
    apiKey: null,
    timeoutMs: 300,
    circuit: { resetTimeoutMs: 500, volumeThreshold: 3, errorThresholdPercentage: 50 },
  });
  t.after(() => client2.shutdown());
  await call(wms.url, 'POST', '/sim/admin/downtime', { seconds: 2 }, ADMIN);
  for (let i = 0; i < 4; i++) await client2.createOrder(request(`D${i}`), 'k').catch(() => undefined);
  assert.equal(client2.circuit.state, 'open');
  const open = classifyError(await client2.createOrder(request('D9'), 'k').catch((e: unknown) => e));
  assert.equal(open.circuitOpen, true, 'calls are refused while open');
  await call(wms.url, 'DELETE', '/sim/admin/downtime', undefined, ADMIN);
  await new Promise((r) => setTimeout(r, 600));
  assert.equal((await client2.createOrder(request('D9'), 'k')).created, true, 'the trial call after the reset timeout closes it');
  assert.equal(client2.circuit.state, 'closed');
});
