import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadBridgeConfig } from '../../src/config.js';

test('defaults apply and the warehouse map is parsed', () => {
  const c = loadBridgeConfig({
    WMS_WEBHOOK_SECRET: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LQ==',
    WMS_WAREHOUSE_MAP: 'WH1=WH, WH2=EAST',
  });
  assert.equal(c.wms.url, 'http://127.0.0.1:8070');
  assert.deepEqual(c.warehouses, { map: { WH1: 'WH', WH2: 'EAST' }, defaultWarehouse: 'WH' });
  assert.deepEqual(c.topics, {
    orders: 'odx.orders.v1',
    shipments: 'odx.shipments.v1',
    inventory: 'odx.inventory.v1',
    purchasing: 'odx.purchasing.v1',
    returns: 'odx.returns.v1',
  });
  assert.deepEqual(c.consumer, { groupId: 'wms-bridge', retryDelaysMs: [1000, 10000, 60000], partitionConcurrency: 3 });
});

test('a missing secret or a bad value stops the service with a message naming the variable', () => {
  assert.throws(() => loadBridgeConfig({}), /WMS_WEBHOOK_SECRET: is required/);
  assert.throws(
    () => loadBridgeConfig({ WMS_WEBHOOK_SECRET: 'long-enough', WMS_WAREHOUSE_MAP: 'WH1:WH' }),
    /WMS_WAREHOUSE_MAP: .*ODOO_CODE=WMS_CODE/,
  );
  assert.throws(() => loadBridgeConfig({ WMS_WEBHOOK_SECRET: 'long-enough', WMS_URL: 'not a url' }), /WMS_URL/);
});
