import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sampleEvent } from '@odx/schemas/fixtures';
import { fulfilmentRefFor, orderIdOf, shipmentIdOf } from '../../src/mapping/external-ref.js';
import { mapFulfillmentToWms } from '../../src/mapping/map-order-to-wms.js';
import { handledEventTypes } from '../../src/orders/order-handler.js';
import { loadBridgeConfig } from '../../src/config.js';

const warehouses = { map: { WH1: 'WH' }, defaultWarehouse: 'WH' };

test('external references: order releases, split warehouses and released pickings keep order and shipment ids apart', () => {
  assert.deepEqual([orderIdOf('S1'), shipmentIdOf('S1')], ['S1', 'S1']);
  assert.deepEqual([orderIdOf('S1~EAST'), shipmentIdOf('S1~EAST')], ['S1', 'S1~EAST']);
  const ref = fulfilmentRefFor('S1', '1310');
  assert.deepEqual([ref, orderIdOf(ref), shipmentIdOf(ref)], ['S1#1310', 'S1', '1310']);
  assert.deepEqual([orderIdOf(fulfilmentRefFor(null, '9')), shipmentIdOf(fulfilmentRefFor(null, '9'))], ['', '9']);
});

test('FulfillmentRequested -> one WMS order for the picking, whole units, mapped warehouse', () => {
  const e = sampleEvent('FulfillmentRequested');
  const r = mapFulfillmentToWms(e, warehouses);
  assert.equal(r.externalRef, `${e.shipment.orderId}#${e.shipment.shipmentId}`);
  assert.equal(r.warehouse, 'WH');
  assert.deepEqual(
    r.lines.map((l) => [l.sku, l.qty]),
    e.shipment.lines.map((l) => [l.sku, Number(l.quantity)]),
  );
  assert.throws(() => mapFulfillmentToWms({ ...e, shipment: { ...e.shipment, lines: [] } }, warehouses), /no lines/);
  assert.throws(
    () => mapFulfillmentToWms({ ...e, shipment: { ...e.shipment, lines: [{ ...e.shipment.lines[0]!, quantity: '1.5000' }] } }, warehouses),
    /whole number/,
  );
  assert.throws(
    () => mapFulfillmentToWms({ ...e, shipment: { ...e.shipment, shipTo: { ...e.shipment.shipTo, city: null } } }, warehouses),
    /city/,
  );
});

test('release modes: the event types acted on, and the setting', () => {
  const inbound = ['PurchaseOrderConfirmed', 'ReturnAuthorized'];
  assert.deepEqual([...handledEventTypes('order-confirmed')].sort(), ['OrderCancelled', 'OrderConfirmed', ...inbound]);
  assert.deepEqual([...handledEventTypes('fulfillment-requested')].sort(), ['FulfillmentRequested', 'OrderCancelled', ...inbound]);
  assert.deepEqual([...handledEventTypes('both')].sort(), ['FulfillmentRequested', 'OrderCancelled', 'OrderConfirmed', ...inbound]);
  const env = { WMS_WEBHOOK_SECRET: 'long-enough' };
  assert.equal(loadBridgeConfig(env).releaseOn, 'order-confirmed');
  assert.throws(() => loadBridgeConfig({ ...env, ODX_WMS_BRIDGE_RELEASE_ON: 'whenever' }), /ODX_WMS_BRIDGE_RELEASE_ON/);
  assert.throws(() => loadBridgeConfig({ ...env, WMS_RECONCILE_TOLERANCE: '-1' }), /WMS_RECONCILE_TOLERANCE/);
  assert.equal(loadBridgeConfig({ ...env, WMS_RECONCILE_TOLERANCE: '0.5' }).reconciliation.tolerance, 5_000n);
});
