import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startWmsSimulator, TEST_TIMINGS, type WmsSimulator } from '../../src/index.js';
import { ADMIN, call } from '../../src/kit/index.js';

function orderBody(externalRef = `S-${randomUUID()}`): Record<string, unknown> {
  return {
    externalRef,
    warehouse: 'WH',
    shipTo: { name: 'Ada', street1: 'Street 1', city: 'Berlin', postalCode: '10115', countryCode: 'DE' },
    lines: [{ sku: 'SKU-A', qty: 1 }],
    requestedShipDate: '2030-01-15',
  };
}

describe('wms simulator: fault injection and hostile input', () => {
  let sim: WmsSimulator;

  before(async () => {
    sim = await startWmsSimulator({ port: 0, ...TEST_TIMINGS, autoAdvance: false });
  });
  after(() => sim.close());
  beforeEach(async () => {
    await call(sim.url, 'POST', '/sim/admin/reset', undefined, ADMIN);
  });

  test('the admin API needs the bearer token', async () => {
    assert.equal((await call(sim.url, 'GET', '/sim/admin/faults')).status, 401);
    assert.equal((await call(sim.url, 'GET', '/sim/admin/faults', undefined, { authorization: 'Bearer wrong' })).status, 401);
    assert.equal((await call(sim.url, 'GET', '/sim/health')).body.status, 'ok');
  });

  test('an error rate of 429 answers Too Many Requests with Retry-After', async () => {
    await call(sim.url, 'PATCH', '/sim/admin/faults', { errors: { rate: 1, statuses: [429], retryAfterSeconds: 7 } }, ADMIN);
    const res = await call(sim.url, 'POST', '/v1/outbound-orders', orderBody());
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '7');
    assert.equal(res.body.code, 'rate_limited');
    await call(sim.url, 'PATCH', '/sim/admin/faults', { errors: { rate: 0 } }, ADMIN);
    const list = await call(sim.url, 'GET', '/v1/outbound-orders');
    assert.equal(list.body.items.length, 0, 'a refused call has no effect');
  });

  test('failNext fails exactly the next N calls of the chosen route', async () => {
    await call(sim.url, 'PATCH', '/sim/admin/faults', { failNext: { count: 2, status: 500, routes: ['POST /v1/outbound-orders'] } }, ADMIN);
    assert.equal((await call(sim.url, 'GET', '/v1/inventory')).status, 200, 'other routes unaffected');
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(sim.url, 'POST', '/v1/outbound-orders', orderBody())).status);
    assert.deepEqual(statuses, [500, 500, 201]);
  });

  test('a downtime window answers 503 with Retry-After, then the API is back', async () => {
    const set = await call(sim.url, 'POST', '/sim/admin/downtime', { seconds: 0.4 }, ADMIN);
    assert.equal(set.status, 201);
    const during = await call(sim.url, 'GET', '/v1/inventory');
    assert.equal(during.status, 503);
    assert.equal(during.headers.get('retry-after'), '1');
    assert.equal((await call(sim.url, 'GET', '/sim/admin/faults', undefined, ADMIN)).status, 200, 'admin stays reachable');
    await new Promise((r) => setTimeout(r, 450));
    assert.equal((await call(sim.url, 'GET', '/v1/inventory')).status, 200);

    const from = new Date(Date.now() + 60_000).toISOString();
    const to = new Date(Date.now() + 120_000).toISOString();
    await call(sim.url, 'POST', '/sim/admin/downtime', { from, to }, ADMIN);
    assert.equal((await call(sim.url, 'GET', '/v1/inventory')).status, 200, 'a future window is not active yet');
    assert.equal((await call(sim.url, 'POST', '/sim/admin/downtime', { from: to, to: from }, ADMIN)).status, 422);
  });

  test('latency delays answers by at least the fixed part', async () => {
    await call(sim.url, 'PATCH', '/sim/admin/faults', { latency: { fixedMs: 120, jitterMs: 30 } }, ADMIN);
    const started = Date.now();
    assert.equal((await call(sim.url, 'GET', '/v1/inventory')).status, 200);
    assert.ok(Date.now() - started >= 115);
  });

  test('timeout-but-succeed: the client gives up, the order exists exactly once', async () => {
    await call(sim.url, 'PATCH', '/sim/admin/faults', { timeoutButSucceed: { routes: ['POST /v1/outbound-orders'], mode: 'hang', count: 1 } }, ADMIN);
    const ref = `S-${randomUUID()}`;
    await assert.rejects(call(sim.url, 'POST', '/v1/outbound-orders', orderBody(ref), {}, AbortSignal.timeout(200)), { name: 'TimeoutError' });
    const retry = await call(sim.url, 'POST', '/v1/outbound-orders', orderBody(ref));
    assert.equal(retry.status, 200, 'the retry finds the order the lost call created');
    const found = await call(sim.url, 'GET', `/v1/outbound-orders?externalRef=${ref}`);
    assert.equal(found.body.items.length, 1);
  });

  test('fault settings are validated and reset restores the start state', async () => {
    const bad = await call(sim.url, 'PATCH', '/sim/admin/faults', { errors: { rate: 2 }, bogus: true }, ADMIN);
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.errors.map((e: { field: string }) => e.field).sort(), ['(body)', 'errors.rate']);
    await call(sim.url, 'PUT', '/sim/admin/faults', { latency: { fixedMs: 5 } }, ADMIN);
    await call(sim.url, 'POST', '/v1/outbound-orders', orderBody());
    await call(sim.url, 'POST', '/sim/admin/reset', undefined, ADMIN);
    const faults = await call(sim.url, 'GET', '/sim/admin/faults', undefined, ADMIN);
    assert.equal(faults.body.config.latency.fixedMs, 0);
    assert.equal((await call(sim.url, 'GET', '/v1/outbound-orders')).body.items.length, 0);
  });

  test('malformed and hostile bodies get 4xx problem bodies and the simulator keeps serving', async () => {
    const cases: Array<[string, string, Record<string, string>, number]> = [
      ['broken JSON', '{"externalRef": ', {}, 400],
      ['a bare number', '42', {}, 400],
      ['an array', '[1,2,3]', {}, 422],
      ['text/plain', 'hello', { 'content-type': 'text/plain' }, 415],
      ['prototype pollution', '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}', {}, 422],
      ['deep nesting', `${'['.repeat(5000)}${']'.repeat(5000)}`, {}, 400],
      ['2 MB', JSON.stringify({ externalRef: 'x'.repeat(2_000_000) }), {}, 413],
      ['wrong types everywhere', JSON.stringify({ externalRef: 1, warehouse: {}, shipTo: [], lines: 'x', requestedShipDate: null }), {}, 422],
    ];
    for (const [name, body, headers, expected] of cases) {
      const res = await call(sim.url, 'POST', '/v1/outbound-orders', body, headers);
      assert.equal(res.status, expected, name);
      assert.equal(res.body.status, expected, `${name}: problem body`);
      assert.equal(typeof res.body.code, 'string');
    }
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal((await call(sim.url, 'GET', '/nope')).status, 404);
    assert.equal((await call(sim.url, 'POST', '/v1/outbound-orders', orderBody())).status, 201);
  });
});
