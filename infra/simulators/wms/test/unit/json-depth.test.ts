// JSON bodies nested deeper than the cap are refused before they are parsed, with a 400 naming the cap and its
// setting; the cap is an option, a flag and an environment variable.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startWmsSimulator, TEST_TIMINGS, type WmsSimulator } from '../../src/index.js';
import { ADMIN, call, simulatorSettings } from '../../src/kit/index.js';

const order = (extra: unknown): string =>
  JSON.stringify({
    externalRef: `S-${Math.random()}`,
    warehouse: 'WH',
    shipTo: { name: 'Ada', street1: 'Street 1', city: 'Berlin', postalCode: '10115', countryCode: 'DE' },
    lines: [{ sku: 'SKU-A', qty: 1 }],
    requestedShipDate: '2030-01-15',
    extra,
  });
/** `levels` arrays within each other. */
const nested = (levels: number): unknown => JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`);

/** CPU time of `fn`, as the other hostile-input tests measure (a shared machine stretches wall time). */
async function cpuMs(fn: () => Promise<unknown>): Promise<number> {
  const before = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

describe('wms simulator: JSON nesting cap', () => {
  let sim: WmsSimulator;
  let small: WmsSimulator;
  before(async () => {
    sim = await startWmsSimulator({ port: 0, ...TEST_TIMINGS, autoAdvance: false });
    small = await startWmsSimulator({ port: 0, ...TEST_TIMINGS, autoAdvance: false, maxJsonDepth: 3 });
  });
  after(async () => {
    await sim.close();
    await small.close();
  });

  test('64 levels are read; 65 are a 400 json_too_deep naming the cap and WMS_SIM_MAX_JSON_DEPTH', async () => {
    // The order is one level, `extra` the rest.
    assert.equal((await call(sim.url, 'POST', '/v1/outbound-orders', order(nested(63)))).status, 201);
    const deep = await call(sim.url, 'POST', '/v1/outbound-orders', order(nested(64)));
    assert.equal(deep.status, 400);
    assert.equal(deep.body.code, 'json_too_deep');
    assert.match(deep.body.detail, /nested deeper than 64 levels \(the cap on objects and arrays within each other; setting WMS_SIM_MAX_JSON_DEPTH\)/);
    assert.equal((await call(sim.url, 'GET', '/v1/outbound-orders')).body.items.length, 1, 'the refused order was not created');
  });

  test('hostile bodies: 1 MB of [ and 100,000 objects are refused in one pass; brackets inside strings do not count', async () => {
    for (const [name, body] of [
      ['1 MB of [', '['.repeat(1_000_000)],
      ['100,000 objects', '{"a":'.repeat(100_000)],
      ['escaped quotes do not hide brackets', `{"a":"\\"",${'"b":['.repeat(70)}`],
    ] as const) {
      let status = 0;
      let code = '';
      const ms = await cpuMs(async () => {
        const res = await call(sim.url, 'POST', '/v1/outbound-orders', body);
        status = res.status;
        code = res.body.code;
      });
      assert.equal(status, 400, name);
      assert.equal(code, 'json_too_deep', name);
      assert.ok(ms < 1_000, `${name}: ${ms.toFixed(0)} ms of CPU`);
    }
    const inString = await call(sim.url, 'POST', '/v1/outbound-orders', order('['.repeat(100_000)));
    assert.equal(inString.status, 201, JSON.stringify(inString.body).slice(0, 200));
    assert.equal((await call(sim.url, 'GET', '/sim/health')).status, 200);
  });

  test('the cap is an option: with maxJsonDepth 3, the admin API and /v1 refuse 4 levels', async () => {
    const faults = await call(small.url, 'PATCH', '/sim/admin/faults', { errors: { statuses: [[500]] } }, ADMIN);
    assert.equal(faults.status, 400);
    assert.match(faults.body.detail, /nested deeper than 3 levels .*WMS_SIM_MAX_JSON_DEPTH/);
    assert.equal((await call(small.url, 'PATCH', '/sim/admin/faults', { errors: { rate: 0 } }, ADMIN)).status, 200);
    assert.equal((await call(small.url, 'POST', '/v1/outbound-orders', order([1]))).status, 201, 'the order and a list in it: 2 levels');
    assert.equal((await call(small.url, 'POST', '/v1/outbound-orders', order([[[1]]]))).body.code, 'json_too_deep');
  });

  test('settings: --max-json-depth, else WMS_SIM_MAX_JSON_DEPTH, else 64; a bad value names the flag and the variable', () => {
    assert.equal(simulatorSettings('WMS_SIM', 8070, {}, {}).maxJsonDepth, 64);
    assert.equal(simulatorSettings('WMS_SIM', 8070, {}, { WMS_SIM_MAX_JSON_DEPTH: '12' }).maxJsonDepth, 12);
    assert.equal(simulatorSettings('WMS_SIM', 8070, { 'max-json-depth': '7' }, { WMS_SIM_MAX_JSON_DEPTH: '12' }).maxJsonDepth, 7);
    for (const [value, message] of [
      ['0', /--max-json-depth \/ WMS_SIM_MAX_JSON_DEPTH: at least 1/],
      ['1001', /--max-json-depth \/ WMS_SIM_MAX_JSON_DEPTH: at most 1000/],
      ['1.5', /--max-json-depth \/ WMS_SIM_MAX_JSON_DEPTH: a whole number/],
      ['deep', /--max-json-depth \/ WMS_SIM_MAX_JSON_DEPTH/],
    ] as const) {
      assert.throws(() => simulatorSettings('WMS_SIM', 8070, {}, { WMS_SIM_MAX_JSON_DEPTH: value }), message, value);
    }
    assert.throws(() => simulatorSettings('WMS_SIM', 8070, {}, { WMS_SIM_ADMIN_TOKEN: '' }), /--admin-token \/ WMS_SIM_ADMIN_TOKEN/);
  });
});
