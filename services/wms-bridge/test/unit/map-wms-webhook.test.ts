import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEventType } from '@odx/schemas';
import { mapInventoryAdjustment, mapOrderStage } from '../../src/mapping/map-wms-webhook.js';
import { stagesToPublish } from '../../src/mapping/order-stages.js';
import { outboundOrderSchema } from '../../src/wms/wms-types.js';

const ctx = { company: 'acme', warehouses: { map: { WH1: 'WH' }, defaultWarehouse: 'WH' } };

const shippedOrder = outboundOrderSchema.parse({
  id: 'OB-000007',
  externalRef: 'S42~WH',
  warehouse: 'WH',
  status: 'shipped',
  shipTo: { name: 'Ada', street1: 'Str 1', city: 'Berlin', postalCode: '10115', countryCode: 'DE' },
  lines: [
    { lineNumber: 1, lineRef: '901', sku: 'SKU-A', qty: 30, uom: 'EA', allocatedQty: 30, pickedQty: 28, shippedQty: 28 },
    { lineNumber: 2, lineRef: '902', sku: 'SKU-B', qty: 2, uom: 'EA', allocatedQty: 2, pickedQty: 2, shippedQty: 2 },
  ],
  requestedShipDate: '2030-01-15',
  carrierHint: 'DHL',
  shortPicked: true,
  packages: [
    {
      packageId: 'LPN1',
      sscc: '006141410000000012',
      packageType: 'CARTON',
      weightKg: 11.6,
      dimensions: { lengthCm: 60, widthCm: 40, heightCm: 40 },
      contents: [{ lineNumber: 1, lineRef: '901', sku: 'SKU-A', qty: 24 }],
    },
    {
      packageId: 'LPN2',
      sscc: '006141410000000029',
      packageType: 'CARTON',
      weightKg: 3.25,
      dimensions: null,
      contents: [
        { lineNumber: 1, lineRef: '901', sku: 'SKU-A', qty: 4 },
        { lineNumber: 2, lineRef: '902', sku: 'SKU-B', qty: 2 },
      ],
    },
  ],
  bolNumber: 'BOL-1',
  version: 4,
  createdAt: '2030-01-14T08:00:00.000Z',
  pickedAt: '2030-01-14T09:00:00.000Z',
  packedAt: '2030-01-14T10:00:00.000Z',
  shippedAt: '2030-01-14T11:00:00.000Z',
  cancelledAt: null,
});

test('each stage of a WMS order maps to a valid canonical event with a stable id', () => {
  const picked = mapOrderStage(shippedOrder, 'picked', ctx);
  const packed = mapOrderStage(shippedOrder, 'packed', ctx);
  const dispatched = mapOrderStage(shippedOrder, 'shipped', ctx);
  for (const e of [picked, packed, dispatched]) {
    assert.doesNotThrow(() => parseEventType(e.eventType).toBuffer(e.payload), `${e.eventType} fits its Avro schema`);
  }
  assert.equal(picked.eventType, 'ShipmentPicked');
  if (picked.eventType !== 'ShipmentPicked' || packed.eventType !== 'ShipmentPacked' || dispatched.eventType !== 'ShipmentDispatched')
    return;
  assert.deepEqual([picked.payload.shipmentId, picked.payload.orderId, picked.payload.warehouseCode], ['S42~WH', 'S42', 'WH1']);
  assert.deepEqual(
    picked.payload.lines.map((l) => [l.orderLineId, l.quantity]),
    [
      ['901', '28.0000'],
      ['902', '2.0000'],
    ],
  );
  assert.equal(picked.payload.shortPicked, true);
  assert.equal(picked.payload.pickedAt.toISOString(), '2030-01-14T09:00:00.000Z');
  assert.equal(packed.payload.totalWeightKg, '14.8500');
  assert.deepEqual(packed.payload.packages[0]!.dimensions, { lengthCm: '60.00', widthCm: '40.00', heightCm: '40.00' });
  assert.equal(packed.payload.packages[1]!.contents.length, 2);
  assert.equal(dispatched.payload.shipment.bookingRef, 'BOL-1');
  assert.equal(dispatched.payload.dispatchedAt.toISOString(), '2030-01-14T11:00:00.000Z');
  assert.equal(
    mapOrderStage(shippedOrder, 'picked', ctx).payload.meta.eventId,
    picked.payload.meta.eventId,
    'same order and stage, same id',
  );
  assert.notEqual(packed.payload.meta.eventId, picked.payload.meta.eventId);
  // A WMS whose ids start over gives another order the same WMS id: its events are not repeats.
  const reused = mapOrderStage({ ...shippedOrder, externalRef: 'S77~WH' }, 'picked', ctx);
  assert.notEqual(reused.payload.meta.eventId, picked.payload.meta.eventId, 'same WMS id, another order: another event id');
});

test('a stock correction maps to InventoryAdjusted; unknown reasons become OTHER with the reason as reference', () => {
  const e = mapInventoryAdjustment(
    {
      adjustmentId: 'ADJ-1',
      warehouse: 'WH',
      sku: 'SKU-A',
      delta: -3,
      onHand: 97,
      reason: 'water damage',
      adjustedAt: '2030-01-14T09:00:00.000Z',
    },
    ctx,
  );
  assert.doesNotThrow(() => parseEventType('InventoryAdjusted').toBuffer(e.payload));
  if (e.eventType !== 'InventoryAdjusted') return assert.fail('wrong type');
  assert.deepEqual(
    [e.payload.adjustment.quantityDelta, e.payload.adjustment.reasonCode, e.payload.adjustment.reference, e.payload.resultingOnHand],
    ['-3.0000', 'OTHER', 'water damage', '97.0000'],
  );
});

test('stages never go backwards; a later snapshot fills in the stages not yet published', () => {
  assert.deepEqual(stagesToPublish('picked', []), ['picked']);
  assert.deepEqual(stagesToPublish('shipped', []), ['picked', 'packed', 'shipped']);
  assert.deepEqual(stagesToPublish('shipped', ['picked']), ['packed', 'shipped']);
  assert.deepEqual(stagesToPublish('picked', ['picked', 'packed', 'shipped']), []);
  assert.deepEqual(stagesToPublish('packed', ['packed']), []);
  assert.deepEqual(stagesToPublish('picked', ['cancelled']), [], 'nothing after a cancellation');
});
