import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadBridgeConfig } from '../../src/config.js';

test('defaults apply; ship-from, levels, carriers and dimensions are parsed', () => {
  const c = loadBridgeConfig({ TMS_WEBHOOK_SECRET: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LQ==' });
  assert.equal(c.tms.url, 'http://127.0.0.1:8071');
  assert.equal(c.rating.policy, 'cheapest-on-time');
  assert.deepEqual(c.rating.defaultShipFrom, { countryCode: 'DE', postalCode: '10115', city: 'Berlin' });
  assert.deepEqual(c.topics, { orders: 'odx.orders.v1', shipments: 'odx.shipments.v1' });
  assert.deepEqual(c.consumer, { groupId: 'tms-bridge', retryDelaysMs: [1000, 10000, 60000], partitionConcurrency: 3 });
  assert.equal(c.watchdog.milestoneTimeoutMs, 48 * 3_600_000);

  const d = loadBridgeConfig({
    TMS_WEBHOOK_SECRET: 'long-enough',
    TMS_SHIP_FROM: 'WH1=DE:10115:Berlin, WH2=AT:1010',
    TMS_RATE_POLICY: 'fastest',
    TMS_EXCLUDED_CARRIERS: 'NRL, DPD',
    TMS_SERVICE_LEVEL_MAP: 'white_glove=express',
    TMS_DEFAULT_PACKAGE_CM: '50x40x30',
    TMS_MILESTONE_TIMEOUT_MS: '0',
  });
  assert.deepEqual(d.rating.shipFrom, {
    WH1: { countryCode: 'DE', postalCode: '10115', city: 'Berlin' },
    WH2: { countryCode: 'AT', postalCode: '1010' },
  });
  assert.equal(d.rating.policy, 'fastest');
  assert.deepEqual(d.rating.excludedCarriers, ['NRL', 'DPD']);
  assert.deepEqual(d.rating.serviceLevelMap, { WHITE_GLOVE: 'express' });
  assert.deepEqual(d.rating.defaultPackageCm, { lengthCm: 50, widthCm: 40, heightCm: 30 });
  assert.equal(d.watchdog.milestoneTimeoutMs, 0);
});

test('a missing secret or a bad value stops the service with a message naming the variable', () => {
  assert.throws(() => loadBridgeConfig({}), /TMS_WEBHOOK_SECRET/);
  assert.throws(() => loadBridgeConfig({ TMS_WEBHOOK_SECRET: 'long-enough', TMS_SHIP_FROM: 'WH1:DE' }), /TMS_SHIP_FROM/);
  assert.throws(() => loadBridgeConfig({ TMS_WEBHOOK_SECRET: 'long-enough', TMS_RATE_POLICY: 'random' }), /TMS_RATE_POLICY/);
});
