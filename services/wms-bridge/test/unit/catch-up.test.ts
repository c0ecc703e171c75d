import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PermanentError } from '@odx/runtime';
import { loadBridgeConfig } from '../../src/config.js';
import { reachedStage } from '../../src/mapping/reached-stage.js';
import { parseOrderPage } from '../../src/wms/order-page.js';

const SECRET = { WMS_WEBHOOK_SECRET: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LQ==' };

test('the stage a listed order has reached: its status, or for a cancelled order how far its timestamps say it got', () => {
  assert.equal(reachedStage({ status: 'received' }), null);
  assert.equal(reachedStage({ status: 'picked' }), 'picked');
  assert.equal(reachedStage({ status: 'packed' }), 'packed');
  assert.equal(reachedStage({ status: 'shipped' }), 'shipped');
  assert.equal(reachedStage({ status: 'cancelled', pickedAt: null, packedAt: null }), null);
  assert.equal(reachedStage({ status: 'cancelled', pickedAt: '2030-01-14T09:00:00.000Z', packedAt: null }), 'picked');
  assert.equal(reachedStage({ status: 'cancelled', pickedAt: '2030-01-14T09:00:00.000Z', packedAt: '2030-01-14T10:00:00.000Z' }), 'packed');
});

const order = {
  id: 'OB-000001',
  externalRef: 'S42',
  warehouse: 'WH',
  status: 'packed',
  updatedAt: '2030-01-14T10:00:00.000Z',
  version: 3,
  shipTo: { name: 'Ada', street1: 'Str 1', city: 'Berlin', postalCode: '10115', countryCode: 'DE' },
  lines: [{ lineNumber: 1, lineRef: '901', sku: 'SKU-A', qty: 3, uom: 'EA', pickedQty: 3, shippedQty: 0 }],
  shortPicked: false,
  packages: [],
};

test("an order page is read with each order's updatedAt; anything else is a permanent wms.bad-response naming the fault", () => {
  assert.deepEqual(
    parseOrderPage({ items: [order], nextPageToken: 'abc' }).items.map((o) => [o.id, o.updatedAt]),
    [['OB-000001', '2030-01-14T10:00:00.000Z']],
  );
  assert.equal(parseOrderPage({ items: [] }).nextPageToken, null, 'no token: the last page');
  const fails = (body: unknown, message: RegExp): void => {
    assert.throws(
      () => parseOrderPage(body),
      (err: unknown) => err instanceof PermanentError && err.errorClass === 'wms.bad-response' && message.test(err.message),
    );
  };
  fails(null, /not a JSON object \(truncated, or not JSON\)/);
  fails('<html>', /not a JSON object/);
  fails({ orders: [] }, /items: /);
  fails({ items: [{ ...order, updatedAt: undefined }] }, /items\.0\.updatedAt/);
  fails({ items: [{ ...order, status: 'lost' }] }, /items\.0\.status/);
});

test('catch-up settings: defaults, and bad values name the variable', () => {
  assert.deepEqual(loadBridgeConfig(SECRET).catchUp, {
    intervalMs: 60_000,
    overlapMs: 30_000,
    pageSize: 100,
    initialLookbackMs: 86_400_000,
    concurrency: 4,
  });
  const set = loadBridgeConfig({
    ...SECRET,
    ODX_WMS_BRIDGE_CATCHUP_INTERVAL_MS: '0',
    ODX_WMS_BRIDGE_CATCHUP_OVERLAP_MS: '5000',
    ODX_WMS_BRIDGE_CATCHUP_PAGE_SIZE: '1000',
    ODX_WMS_BRIDGE_CATCHUP_INITIAL_LOOKBACK_MS: '0',
    ODX_WMS_BRIDGE_CATCHUP_CONCURRENCY: '8',
  });
  assert.deepEqual(set.catchUp, { intervalMs: 0, overlapMs: 5_000, pageSize: 1_000, initialLookbackMs: 0, concurrency: 8 });
  assert.throws(
    () => loadBridgeConfig({ ...SECRET, ODX_WMS_BRIDGE_CATCHUP_PAGE_SIZE: '5000' }),
    /ODX_WMS_BRIDGE_CATCHUP_PAGE_SIZE: must be at most 1000/,
  );
  assert.throws(() => loadBridgeConfig({ ...SECRET, ODX_WMS_BRIDGE_CATCHUP_INTERVAL_MS: '-1' }), /ODX_WMS_BRIDGE_CATCHUP_INTERVAL_MS/);
  assert.throws(() => loadBridgeConfig({ ...SECRET, ODX_WMS_BRIDGE_CATCHUP_OVERLAP_MS: 'soon' }), /ODX_WMS_BRIDGE_CATCHUP_OVERLAP_MS/);
});
