import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEventType } from '@odx/schemas';
import { sampleEvent } from '@odx/schemas/fixtures';
import { mapPurchaseOrderToInbound, mapReturnToInbound, type InboundRelease } from '../../src/mapping/map-inbound.js';
import { checkReceipt, mapReceipt, receiptEventId } from '../../src/mapping/map-receipt.js';
import { mapReturnSuggested } from '../../src/mapping/map-return-suggested.js';
import { outboundOrderSchema, receiptSchema, type WmsReceipt } from '../../src/wms/wms-types.js';

const warehouses = { map: { WH1: 'WH' }, defaultWarehouse: 'WH' };
const ctx = { company: 'acme', warehouses };

function receipt(release: InboundRelease, lines: Array<Partial<WmsReceipt['lines'][number]>>, receiptId = 'RCV-000001'): WmsReceipt {
  return receiptSchema.parse({
    receiptId,
    inboundOrderId: 'IB-000001',
    externalRef: release.externalRef,
    inboundType: release.kind,
    warehouse: 'WH',
    receivedBy: 'dock-1',
    completedAt: '2030-01-20T10:00:00.000Z',
    lines: lines.map((l, i) => ({
      receiptLineId: `${receiptId}/${i + 1}`,
      lineNumber: i + 1,
      lineRef: release.lines[0]!.lineRef,
      sku: release.lines[0]!.sku,
      uom: 'EA',
      qty: 1,
      lots: [],
      ...l,
    })),
  });
}

test('PurchaseOrderConfirmed -> an inbound order of what is still to come; dropship and received-in-full POs release nothing', () => {
  const event = sampleEvent('PurchaseOrderConfirmed');
  event.purchaseOrder.lines[0]!.quantityReceived = '120.0000'; // of 200
  const plan = mapPurchaseOrderToInbound(event, warehouses)!;
  assert.equal(plan.request.externalRef, 'po:77');
  assert.equal(plan.request.type, 'purchase');
  assert.equal(plan.request.warehouse, 'WH', 'WH1 maps to the WMS warehouse WH');
  assert.equal(plan.request.reference, 'P00077');
  assert.deepEqual(
    plan.request.lines.map((l) => [l.lineRef, l.sku, l.qty, l.uom]),
    event.purchaseOrder.lines.map((l, i) => [l.lineId, l.sku, i === 0 ? 80 : Number(l.quantity), l.uom]),
  );
  assert.deepEqual(
    plan.release.lines.map((l) => l.lineNumber),
    [1, 2],
  );
  assert.equal(plan.release.warehouseCode, 'WH1');

  assert.equal(mapPurchaseOrderToInbound({ ...event, purchaseOrder: { ...event.purchaseOrder, warehouseCode: null } }, warehouses), null);
  const full = structuredClone(event);
  for (const l of full.purchaseOrder.lines) l.quantityReceived = l.quantity;
  assert.equal(mapPurchaseOrderToInbound(full, warehouses), null);
  const fractional = structuredClone(event);
  fractional.purchaseOrder.lines[1]!.quantity = '10.5000';
  assert.throws(() => mapPurchaseOrderToInbound(fractional, warehouses), /whole number/);
});

test('ReturnAuthorized -> a return receipt with lots and expected conditions', () => {
  const event = sampleEvent('ReturnAuthorized');
  const plan = mapReturnToInbound(event, warehouses);
  assert.equal(plan.request.externalRef, 'rma:301');
  assert.equal(plan.request.type, 'return');
  assert.equal(plan.request.reference, 'RMA-2025-0301');
  assert.deepEqual(plan.request.lines, [
    { lineRef: '1', sku: 'BOLT-M8-50', qty: 2, uom: 'BX', lotNumber: 'LOT-2025-0311', expectedCondition: 'SCRAP' },
    { lineRef: '2', sku: 'WASH-M8', qty: 1, uom: 'BG', expectedCondition: 'RESTOCK' },
  ]);
  assert.equal(plan.release.pickingId, '1377');
  assert.throws(() => mapReturnToInbound({ ...event, return: { ...event.return, lines: [] } }, warehouses), /no lines/);
});

test('a WMS receipt -> GoodsReceived (valid Avro) with PO line facts, lots and a deterministic id', () => {
  const { release } = mapPurchaseOrderToInbound(sampleEvent('PurchaseOrderConfirmed'), warehouses)!;
  const r = receipt(release, [
    { qty: 150, condition: 'GOOD', location: 'WH/STOCK', lots: [{ lotNumber: 'L1', qty: 150, expiryDate: '2031-06-30' }] },
    { lineRef: release.lines[1]!.lineRef, sku: release.lines[1]!.sku, qty: 2, condition: 'damaged' },
  ]);
  const event = mapReceipt(r, release, ctx);
  assert.equal(event.eventType, 'GoodsReceived');
  if (event.eventType !== 'GoodsReceived') return;
  assert.ok(parseEventType('GoodsReceived').isValid(event.payload), 'valid against the schema');
  const p = event.payload;
  assert.equal(p.purchaseOrderId, '77');
  assert.equal(p.meta.source, 'wms');
  assert.equal(p.meta.eventId, receiptEventId(r));
  assert.equal(mapReceipt(r, release, ctx).payload.meta.eventId, p.meta.eventId, 'same receipt, same id');
  assert.notEqual(receiptEventId({ ...r, receiptId: 'RCV-000002' }), p.meta.eventId);
  assert.deepEqual([p.receipt.wmsReceiptId, p.receipt.warehouseCode, p.receipt.receivedBy], ['RCV-000001', 'WH1', 'dock-1']);
  assert.deepEqual(
    p.receipt.lines.map((l) => [
      l.purchaseLineId,
      l.lineNumber,
      l.quantityExpected,
      l.quantity,
      l.condition,
      l.lots.map((x) => x.lotNumber),
    ]),
    [
      ['1501', 1, '200.0000', '150.0000', 'GOOD', ['L1']],
      ['1502', 2, '10.0000', '2.0000', 'DAMAGED', []],
    ],
  );
});

test('a WMS return receipt -> ReturnReceived with a condition per line', () => {
  const { release } = mapReturnToInbound(sampleEvent('ReturnAuthorized'), warehouses);
  const r = receipt(release, [
    { qty: 2, condition: 'SCRAP' },
    { lineRef: '2', sku: 'WASH-M8', qty: 1, condition: 'RESTOCK' },
  ]);
  const event = mapReceipt(r, release, ctx);
  assert.equal(event.eventType, 'ReturnReceived');
  if (event.eventType !== 'ReturnReceived') return;
  assert.ok(parseEventType('ReturnReceived').isValid(event.payload));
  assert.deepEqual(
    [event.payload.returnId, event.payload.rmaNumber, event.payload.orderId, event.payload.receipt.receiptId],
    ['301', 'RMA-2025-0301', '42', '1377'],
  );
  assert.deepEqual(
    event.payload.receipt.lines.map((l) => [l.returnLineId, l.purchaseLineId, l.condition]),
    [
      ['1', null, 'SCRAP'],
      ['2', null, 'RESTOCK'],
    ],
  );
});

test('checkReceipt: unknown lines, another SKU, the other kind and more than released (over all receipts) are named', () => {
  const { release } = mapPurchaseOrderToInbound(sampleEvent('PurchaseOrderConfirmed'), warehouses)!;
  assert.deepEqual(checkReceipt(receipt(release, [{ qty: 200 }]), release, new Map()), []);
  assert.deepEqual(
    checkReceipt(receipt(release, [{ qty: 0.1 }, { qty: 0.2 }]), release, new Map([['1501', 199.7 * 10_000]])),
    [],
    'decimal sums compared exactly',
  );
  const over = checkReceipt(receipt(release, [{ qty: 150 }, { qty: 60 }]), release, new Map());
  assert.deepEqual(
    over.map((p) => [p.code, p.field]),
    [['over_receipt', 'lines[0].qty']],
  );
  assert.deepEqual(
    checkReceipt(receipt(release, [{ qty: 1 }]), release, new Map([['1501', 200 * 10_000]])).map((p) => p.code),
    ['over_receipt'],
    'a later receipt counts what came before',
  );
  assert.deepEqual(
    checkReceipt(receipt(release, [{ lineRef: 'nope' }, { sku: 'OTHER' }, { lineRef: null }]), release, new Map()).map((p) => [
      p.code,
      p.field,
    ]),
    [
      ['unknown_line', 'lines[0].lineRef'],
      ['sku_mismatch', 'lines[1].sku'],
      ['unknown_line', 'lines[2].lineRef'],
    ],
  );
  assert.deepEqual(
    checkReceipt({ ...receipt(release, [{ qty: 1 }]), inboundType: 'return' }, release, new Map()).map((p) => p.code),
    ['type_mismatch'],
  );
});

test('an order cancelled after it shipped -> ReturnSuggested with the shipment facts, one id per shipped set', () => {
  const cancelled = sampleEvent('OrderCancelled');
  const shipped = outboundOrderSchema.parse({
    id: 'OB-000009',
    externalRef: `${cancelled.orderId}#1310`,
    warehouse: 'WH',
    status: 'shipped',
    shipTo: { name: 'Ada', street1: 'Str 1', city: 'Berlin', postalCode: '10115', countryCode: 'DE' },
    lines: [
      { lineNumber: 1, lineRef: '901', sku: 'SKU-A', qty: 3, uom: 'EA', pickedQty: 3, shippedQty: 3 },
      { lineNumber: 2, lineRef: '902', sku: 'SKU-B', qty: 2, uom: 'EA', pickedQty: 0, shippedQty: 0 },
    ],
    carrierHint: 'DHL',
    shortPicked: true,
    packages: [],
    bolNumber: 'BOL00000001',
    version: 4,
    shippedAt: '2030-01-16T08:00:00.000Z',
  });
  const event = mapReturnSuggested(cancelled, [shipped], ctx, new Date('2030-01-17T00:00:00Z'));
  assert.ok(parseEventType('ReturnSuggested').isValid(event));
  assert.equal(event.meta.causationId, cancelled.meta.eventId);
  assert.equal(event.meta.source, 'odx');
  assert.equal(event.cancellationReason, cancelled.reason);
  const [goods] = event.shipments;
  assert.deepEqual(
    [goods!.shipmentId, goods!.wmsOrderId, goods!.warehouseCode, goods!.bookingRef, goods!.carrierCode],
    ['1310', 'OB-000009', 'WH1', 'BOL00000001', 'DHL'],
  );
  assert.deepEqual(
    goods!.lines.map((l) => [l.orderLineId, l.quantity]),
    [['901', '3.0000']],
    'only what left the warehouse',
  );
  const again = mapReturnSuggested({ ...cancelled, meta: { ...cancelled.meta, eventId: crypto.randomUUID() } }, [shipped], ctx);
  assert.equal(again.meta.eventId, event.meta.eventId, 'a second cancellation suggests the same return');
});
