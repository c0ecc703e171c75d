// The TMS simulator shares the kit's JSON nesting cap: deeper is a 400 naming the cap and TMS_SIM_MAX_JSON_DEPTH.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, simulatorSettings } from '@odx/sim-wms/kit';
import { startTmsSimulator, TEST_TIMINGS, type TmsSimulator } from '../../src/index.js';

const rates = (extra: string): string =>
  `{"shipFrom":{"postalCode":"10115","countryCode":"DE"},"shipTo":{"postalCode":"20095","countryCode":"DE"},"packages":[{"weightKg":1,"lengthCm":1,"widthCm":1,"heightCm":1}],"extra":${extra}}`;

describe('tms simulator: JSON nesting cap', () => {
  let sim: TmsSimulator;
  let small: TmsSimulator;
  before(async () => {
    sim = await startTmsSimulator({ port: 0, ...TEST_TIMINGS, autoAdvance: false });
    small = await startTmsSimulator({ port: 0, ...TEST_TIMINGS, autoAdvance: false, maxJsonDepth: 4 });
  });
  after(async () => {
    await sim.close();
    await small.close();
  });

  test('64 levels are read; 65 and 1 MB of [ are a 400 json_too_deep naming TMS_SIM_MAX_JSON_DEPTH', async () => {
    assert.equal((await call(sim.url, 'POST', '/v1/rates', rates(`${'['.repeat(63)}${']'.repeat(63)}`))).status, 200);
    for (const body of [rates(`${'['.repeat(64)}${']'.repeat(64)}`), '['.repeat(1_000_000)]) {
      const res = await call(sim.url, 'POST', '/v1/rates', body);
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 'json_too_deep');
      assert.match(res.body.detail, /nested deeper than 64 levels \(.*; setting TMS_SIM_MAX_JSON_DEPTH\)/);
    }
    assert.equal((await call(sim.url, 'GET', '/sim/health')).status, 200);
  });

  test('the cap is an option and a setting', async () => {
    assert.equal((await call(small.url, 'POST', '/v1/rates', rates('[[[1]]]'))).status, 200, 'the body and 3 levels in it');
    assert.match((await call(small.url, 'POST', '/v1/rates', rates('[[[[1]]]]'))).body.detail, /nested deeper than 4 levels/);
    assert.equal(small.options.maxJsonDepth, 4);
    assert.equal(simulatorSettings('TMS_SIM', 8071, {}, { TMS_SIM_MAX_JSON_DEPTH: '9' }).maxJsonDepth, 9);
    assert.throws(() => simulatorSettings('TMS_SIM', 8071, {}, { TMS_SIM_MAX_JSON_DEPTH: '-1' }), /--max-json-depth \/ TMS_SIM_MAX_JSON_DEPTH: at least 1/);
  });
});
