import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyError } from '@odx/runtime';
import { sampleEvent } from '@odx/schemas/fixtures';
import { mapOrderToWms } from '../../src/mapping/map-order-to-wms.js';
import { orderIdOf } from '../../src/mapping/external-ref.js';

const warehouses = { map: { WH1: 'WH', WH2: 'EAST' }, defaultWarehouse: 'WH' };

function wholeUnitOrder() {
  const event = sampleEvent('OrderConfirmed');
  event.order.lines[1]!.quantity = '3.0000';
  return event;
}

test('an order becomes one WMS order per shipping warehouse, the primary one keyed by the ODX order id', () => {
  const event = wholeUnitOrder();
  const requests = mapOrderToWms(event, warehouses);
  assert.deepEqual(
    requests.map((r) => [r.externalRef, r.warehouse]),
    [
      ['42', 'WH'],
      ['42~EAST', 'EAST'],
    ],
  );
  const [primary, east] = requests;
  assert.deepEqual(primary!.lines, [{ lineRef: '901', sku: 'BOLT-M8-50', qty: 40, uom: 'BX' }]);
  assert.deepEqual(east!.lines, [{ lineRef: '902', sku: 'WASH-M8', qty: 3, uom: 'BG' }]);
  assert.equal(primary!.requestedShipDate, event.order.promisedDeliveryDate!.toISOString().slice(0, 10));
  assert.equal(primary!.carrierHint, 'UPSN');
  assert.deepEqual(primary!.shipTo, {
    name: 'Northwind DC 7',
    company: 'Northwind Retail Inc.',
    street1: '1200 Logistics Pkwy',
    street2: 'Dock 4',
    city: 'Reno',
    region: 'NV',
    postalCode: '89502',
    countryCode: 'US',
  });
  assert.equal(orderIdOf('42~EAST'), '42');
  assert.equal(orderIdOf('42'), '42');
});

test('orders without a warehouse go to the default one; unmapped codes pass through', () => {
  const event = wholeUnitOrder();
  event.order.warehouseCode = null;
  event.order.lines[1]!.warehouseCode = 'NORTH';
  assert.deepEqual(
    mapOrderToWms(event, warehouses).map((r) => [r.externalRef, r.warehouse]),
    [
      ['42', 'WH'],
      ['42~NORTH', 'NORTH'],
    ],
  );
});

test('fractional quantities and incomplete ship-to addresses are permanent mapping errors naming the problem', () => {
  const fractional = sampleEvent('OrderConfirmed'); // line 2 is 2.5 bags
  assert.throws(
    () => mapOrderToWms(fractional, warehouses),
    (err: unknown) => {
      const c = classifyError(err);
      return c.kind === 'permanent' && c.errorClass === 'wms-bridge.mapping' && /line 2: quantity 2.5000/.test(c.message);
    },
  );
  const noCity = wholeUnitOrder();
  noCity.order.shipTo.city = null;
  assert.throws(() => mapOrderToWms(noCity, warehouses), /ship-to lacks city/);
});
