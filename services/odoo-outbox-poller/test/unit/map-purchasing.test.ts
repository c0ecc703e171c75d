import assert from 'node:assert/strict';
import { test } from 'node:test';
import { messageKeyFor, parseEventType } from '@odx/schemas';
import { mapCreditNote, mapInvoice, type AccountingContext } from '../../src/mapping/map-accounting.js';
import { changedFields, mapPurchaseOrderEvents, type PurchaseContext } from '../../src/mapping/map-purchase-order.js';
import { mapGoodsReceived, mapReturnAuthorized, mapReturnReceived, type ReceiptContext } from '../../src/mapping/map-receipt.js';
import type { OdooRecord } from '../../src/mapping/map-sale-order.js';
import { mapVendorBill, matchVendorBill, type VendorBillContext } from '../../src/mapping/map-vendor-bill.js';
import { DEFAULT_MATCH_TOLERANCES, threeWayMatch, type MatchPoLine } from '../../src/mapping/three-way-match.js';
import { versionAdapter } from '../../src/odoo/version-adapter.js';

const m = <T extends OdooRecord>(rs: T[]): Map<number, T> => new Map(rs.map((r) => [r.id, r]));
const valid = (type: Parameters<typeof parseEventType>[0], e: unknown): void => {
  const t = parseEventType(type);
  assert.ok(t.isValid(e, { errorHook: (path, v) => assert.fail(`${type}.${path.join('.')}: ${JSON.stringify(v)}`) }));
};

const purchase: PurchaseContext = {
  company: 'acme',
  lines: m([
    {
      id: 11,
      product_id: [55, '[MFS-1] Wrap'],
      name: '[MFS-1] Wrap',
      product_qty: 10,
      product_uom: [1, 'Units'],
      price_unit: 4.5,
      discount: false,
      taxes_id: [3],
      price_subtotal: 45,
      price_total: 51.75,
      date_planned: '2026-12-01 08:00:00',
      qty_received: 0,
      qty_invoiced: false,
      display_type: false,
    },
    { id: 12, display_type: 'line_note', name: 'deliver to dock 2', product_id: false },
  ]),
  partners: m([{ id: 900, name: 'Midwest Fastener', ref: 'V00001', email: false }]),
  products: m([{ id: 55, default_code: 'SKU-00055', barcode: false, name: 'Wrap' }]),
  pickingTypes: m([{ id: 4, warehouse_id: [1, 'Main'], code: 'incoming' }]),
  warehouses: m([{ id: 1, code: 'WH', name: 'Main' }]),
  supplierInfo: [{ id: 1, partner_id: [900, 'Midwest'], product_tmpl_id: [55, 'Wrap'], product_id: false, product_code: 'MFS-1' }],
};
const po = (over: Partial<OdooRecord> = {}): OdooRecord => ({
  id: 42,
  name: 'P00042',
  state: 'purchase',
  partner_id: [900, 'Midwest Fastener'],
  partner_ref: false,
  date_order: '2026-11-26 09:00:00',
  date_approve: '2026-11-26 09:05:00',
  date_planned: '2026-12-01 08:00:00',
  picking_type_id: [4, 'WH: Receipts'],
  currency_id: [1, 'USD'],
  order_line: [11, 12],
  amount_untaxed: 45,
  amount_tax: 6.75,
  amount_total: 51.75,
  receipt_status: 'pending',
  write_date: '2026-11-26 09:05:00',
  ...over,
});

test('a confirmed purchase.order becomes PurchaseOrderConfirmed keyed by PO, note lines left out; the id survives later writes', () => {
  const { events, version } = mapPurchaseOrderEvents(po(), purchase, undefined);
  assert.equal(events.length, 1);
  const e = events[0]!;
  assert.equal(e.eventType, 'PurchaseOrderConfirmed');
  if (e.eventType !== 'PurchaseOrderConfirmed') return;
  valid('PurchaseOrderConfirmed', e.payload);
  assert.equal(messageKeyFor('PurchaseOrderConfirmed', e.payload), '42');
  const o = e.payload.purchaseOrder;
  assert.deepEqual(
    o.lines.map((l) => [l.lineNumber, l.sku, l.quantity, l.unitPrice, l.vendorProductCode, l.quantityInvoiced, l.discountPercent]),
    [[1, 'SKU-00055', '10.0000', '4.500000', 'MFS-1', '0.0000', '0.0000']],
  );
  assert.equal(o.warehouseCode, 'WH');
  const later = mapPurchaseOrderEvents(po({ write_date: '2026-11-27 10:00:00', receipt_status: 'partial' }), purchase, undefined);
  assert.equal(later.events[0]!.payload.meta.eventId, e.payload.meta.eventId, 're-polls emit the same id');
  // Announced already and nothing commercial changed (a receipt moved receipt_status): nothing.
  assert.deepEqual(mapPurchaseOrderEvents(po({ write_date: '2026-11-27 10:00:00' }), purchase, version!).events, []);
});

test('a changed quantity, price or date of a confirmed PO is PurchaseOrderChanged with the changed paths; the same version has one id', () => {
  const before = mapPurchaseOrderEvents(po(), purchase, undefined).version!;
  const lines = new Map(purchase.lines);
  lines.set(11, { ...lines.get(11)!, product_qty: 8, date_planned: '2026-12-03 08:00:00' });
  const changed = mapPurchaseOrderEvents(po({ write_date: '2026-11-27 10:00:00' }), { ...purchase, lines }, before);
  const e = changed.events[0]!;
  assert.equal(e.eventType, 'PurchaseOrderChanged');
  if (e.eventType !== 'PurchaseOrderChanged') return;
  valid('PurchaseOrderChanged', e.payload);
  assert.deepEqual(e.payload.changedFields, ['lines.plannedDate', 'lines.quantity']);
  const again = mapPurchaseOrderEvents(po({ write_date: '2026-11-27 10:00:09' }), { ...purchase, lines }, before);
  assert.equal(again.events[0]!.payload.meta.eventId, e.payload.meta.eventId);
  assert.deepEqual(changedFields(before, { ...before, lines: {} }), ['lines']);
  // Set back to draft and confirmed again: a new confirmation, not a change.
  const reconfirmed = mapPurchaseOrderEvents(po({ date_approve: '2026-11-28 09:00:00' }), purchase, before);
  assert.equal(reconfirmed.events[0]!.eventType, 'PurchaseOrderConfirmed');
});

test('cancellation: a PO that was confirmed is PurchaseOrderCancelled; a cancelled RFQ and drafts are nothing', () => {
  const [e] = mapPurchaseOrderEvents(po({ state: 'cancel', write_uid: [2, 'Mitchell Admin'] }), purchase, undefined).events;
  assert.equal(e?.eventType, 'PurchaseOrderCancelled');
  valid('PurchaseOrderCancelled', e!.payload);
  assert.deepEqual(mapPurchaseOrderEvents(po({ state: 'cancel', date_approve: false }), purchase, undefined).events, []);
  assert.deepEqual(mapPurchaseOrderEvents(po({ state: 'draft' }), purchase, undefined).events, []);
  assert.deepEqual(mapPurchaseOrderEvents(po({ state: 'something-new' }), purchase, undefined).events, []);
});

test('hostile purchase.order data: false for every optional value, missing relations, unknown lines', () => {
  const { events } = mapPurchaseOrderEvents(
    {
      id: 7,
      state: 'purchase',
      name: false,
      partner_id: false,
      date_order: false,
      date_approve: false,
      order_line: [999, 'x', 11],
      currency_id: false,
      amount_total: 'NaN',
      picking_type_id: false,
    },
    { ...purchase, products: new Map() },
    undefined,
  );
  const e = events[0]!;
  assert.equal(e.eventType, 'PurchaseOrderConfirmed');
  if (e.eventType !== 'PurchaseOrderConfirmed') return;
  valid('PurchaseOrderConfirmed', e.payload);
  assert.equal(e.payload.purchaseOrder.lines.length, 1, 'the unknown line ids are skipped');
  assert.equal(e.payload.purchaseOrder.lines[0]!.sku, 'odoo-product-55');
  assert.equal(e.payload.purchaseOrder.vendor.name, 'unknown');
  assert.equal(e.payload.purchaseOrder.warehouseCode, null);
});

const receipts: ReceiptContext = {
  adapter: versionAdapter(17),
  company: 'acme',
  moves: m([
    {
      id: 301,
      product_id: [55, 'Wrap'],
      name: 'Wrap',
      product_uom_qty: 10,
      quantity: 6,
      product_uom: [1, 'Units'],
      state: 'done',
      purchase_line_id: [11, 'P00042'],
      move_line_ids: [501, 502],
      location_dest_id: [8, 'WH/Stock'],
    },
    { id: 302, product_id: [56, 'Bolt'], product_uom_qty: 4, quantity: 0, state: 'cancel', purchase_line_id: [13, 'x'] },
    {
      id: 401,
      product_id: [55, 'Wrap'],
      product_uom_qty: 3,
      quantity: 2,
      state: 'done',
      origin_returned_move_id: [300, 'x'],
      location_dest_id: [8, 'WH/Stock'],
    },
    {
      id: 402,
      product_id: [55, 'Wrap'],
      product_uom_qty: 1,
      quantity: 1,
      state: 'done',
      origin_returned_move_id: [300, 'x'],
      location_dest_id: [9, 'Virtual Locations/Scrap'],
    },
  ]),
  moveLines: m([
    { id: 501, move_id: [301, 'x'], lot_id: [1, 'LOT-A'], quantity: 4 },
    { id: 502, move_id: [301, 'x'], lot_id: false, lot_name: 'LOT-B', quantity: 2 },
  ]),
  products: m([{ id: 55, default_code: 'SKU-00055', barcode: '5412345678908', name: 'Wrap' }]),
  locations: m([
    { id: 8, complete_name: 'WH/Stock', usage: 'internal', warehouse_id: [1, 'Main'] },
    { id: 9, complete_name: 'Virtual Locations/Scrap', usage: 'inventory', warehouse_id: false },
  ]),
  warehouses: m([{ id: 1, code: 'WH', name: 'Main' }]),
  partners: m([
    { id: 900, name: 'Midwest Fastener' },
    { id: 70, name: 'Dock 4', city: 'Antwerp' },
  ]),
  purchaseOrders: m([{ id: 42, name: 'P00042', receipt_status: 'partial', order_line: [11] }]),
  purchaseLineNumbers: new Map([[11, 1]]),
  originals: m([{ id: 77, name: 'WH/OUT/00077', picking_type_code: 'outgoing', sale_id: [5, 'S00005'], partner_id: [70, 'Dock 4'] }]),
  saleOrders: m([{ id: 5, name: 'S00005', origin: false }]),
  returnRoots: new Map(),
  returnLineByOrigin: new Map([[300, 401]]),
};

test('a validated PO receipt is GoodsReceived (source odoo) with PO line numbers and lots; cancelled rests are left out', () => {
  const picking: OdooRecord = {
    id: 90,
    name: 'WH/IN/00090',
    state: 'done',
    picking_type_code: 'incoming',
    purchase_id: [42, 'P00042'],
    return_id: false,
    backorder_id: false,
    partner_id: [900, 'Midwest Fastener'],
    move_ids: [301, 302],
    location_dest_id: [8, 'WH/Stock'],
    date_done: '2026-12-01 10:00:00',
  };
  const e = mapGoodsReceived(picking, receipts)!;
  valid('GoodsReceived', e);
  assert.equal(messageKeyFor('GoodsReceived', e), '42');
  assert.equal(e.meta.source, 'odoo');
  assert.equal(e.receiptStatus, 'partial');
  assert.deepEqual(
    e.receipt.lines.map((l) => [
      l.purchaseLineId,
      l.lineNumber,
      l.quantity,
      l.quantityExpected,
      l.lots.map((x) => `${x.lotNumber}:${x.quantity}`),
    ]),
    [['11', 1, '6.0000', '10.0000', ['LOT-A:4.0000', 'LOT-B:2.0000']]],
  );
  assert.equal(mapGoodsReceived({ ...picking, state: 'assigned' }, receipts), null, 'not validated yet');
  assert.equal(mapGoodsReceived({ ...picking, picking_type_code: 'outgoing' }, receipts), null, 'a vendor return is not a receipt');
  assert.equal(mapGoodsReceived({ ...picking, picking_type_code: 'mrp_operation' }, receipts), null, 'unknown picking types: nothing');
  assert.equal(mapGoodsReceived({ ...picking, move_ids: false }, receipts), null, 'no moves, no receipt');
});

test('a return picking of a delivery is ReturnAuthorized with the delivery and return refs; validated, ReturnReceived with RESTOCK and SCRAP', () => {
  const ret: OdooRecord = {
    id: 95,
    name: 'WH/IN/00095',
    state: 'assigned',
    picking_type_code: 'incoming',
    purchase_id: false,
    return_id: [77, 'WH/OUT/00077'],
    backorder_id: false,
    partner_id: [70, 'Dock 4'],
    move_ids: [401, 402],
    location_dest_id: [8, 'WH/Stock'],
    origin: 'Return of WH/OUT/00077',
    create_date: '2026-12-02 09:00:00',
  };
  const a = mapReturnAuthorized(ret, receipts)!;
  valid('ReturnAuthorized', a);
  assert.equal(messageKeyFor('ReturnAuthorized', a), '95');
  assert.deepEqual(
    [a.return.orderId, a.return.originalShipmentId, a.return.originalShipmentName, a.return.returnPickingId, a.return.warehouseCode],
    ['5', '77', 'WH/OUT/00077', '95', 'WH'],
  );
  assert.deepEqual(
    a.return.lines.map((l) => [l.lineId, l.quantity, l.originalShipmentLineId]),
    [
      ['401', '3.0000', '300'],
      ['402', '1.0000', '300'],
    ],
  );
  assert.equal(mapReturnReceived(ret, receipts), null, 'not received yet');
  const received = mapReturnReceived({ ...ret, state: 'done', date_done: '2026-12-03 09:00:00' }, receipts)!;
  valid('ReturnReceived', received);
  assert.equal(received.returnId, '95');
  assert.deepEqual(
    received.receipt.lines.map((l) => [l.returnLineId, l.quantity, l.condition]),
    [
      ['401', '2.0000', 'RESTOCK'],
      ['401', '1.0000', 'SCRAP'],
    ],
  );
  // A backorder of the return receives the same RMA and is not authorised again.
  const backorder = { ...ret, id: 96, backorder_id: [95, 'WH/IN/00095'], state: 'done', date_done: '2026-12-04 09:00:00' };
  const ctx = { ...receipts, returnRoots: new Map([[96, 95]]) };
  assert.equal(mapReturnAuthorized(backorder, ctx), null);
  assert.equal(mapReturnReceived(backorder, ctx)!.returnId, '95');
  // A receipt returned to a vendor (return_id an incoming picking) or an unknown original: no RMA.
  assert.equal(mapReturnAuthorized({ ...ret, return_id: [12345, 'gone'] }, receipts), null);
  assert.equal(mapReturnAuthorized({ ...ret, state: 'cancel' }, receipts), null);
});

const poLine = (over: Partial<MatchPoLine> = {}): MatchPoLine => ({
  purchaseLineId: '11',
  lineNumber: 1,
  sku: 'SKU-00055',
  productId: '55',
  description: 'Wrap',
  uom: 'Units',
  quantityOrdered: 10,
  quantityReceived: 10,
  quantityBilled: 10,
  netUnitPrice: 4.5,
  ...over,
});
const billLine = {
  billLineId: '700',
  purchaseLineId: '11',
  sku: 'SKU-00055',
  productId: '55',
  description: 'Wrap',
  uom: 'Units',
  quantity: 10,
  netUnitPrice: 4.5,
};

test('three-way match: in tolerance is silent; over-billing and price differences beyond it are reported with deltas', () => {
  const strict = DEFAULT_MATCH_TOLERANCES;
  assert.deepEqual(threeWayMatch([billLine], new Map([['11', poLine()]]), strict), []);
  assert.deepEqual(threeWayMatch([{ ...billLine, netUnitPrice: 4.51 }], new Map([['11', poLine()]]), strict), [], 'within 0.01');
  assert.deepEqual(
    threeWayMatch([billLine], new Map([['11', poLine({ quantityBilled: 5 })]]), strict),
    [],
    'billing less than received is not a mismatch',
  );
  const [price] = threeWayMatch([{ ...billLine, netUnitPrice: 4.95 }], new Map([['11', poLine()]]), strict);
  assert.deepEqual(
    [price!.reasons, price!.unitPriceDelta, price!.unitPriceOrdered, price!.unitPriceBilled],
    [['PRICE'], '0.450000', '4.500000', '4.950000'],
  );
  const [qty] = threeWayMatch([billLine], new Map([['11', poLine({ quantityReceived: 6 })]]), strict);
  assert.deepEqual(
    [qty!.reasons, qty!.quantityDelta, qty!.quantityReceived, qty!.quantityBilled],
    [['QUANTITY'], '4.0000', '6.0000', '10.0000'],
  );
  // Tolerances: 10 % on price, 1 unit on quantity.
  const loose = { quantityPercent: 0, quantityAbsolute: 1, pricePercent: 10, priceAbsolute: null };
  assert.deepEqual(threeWayMatch([{ ...billLine, netUnitPrice: 4.95 }], new Map([['11', poLine({ quantityReceived: 9 })]]), loose), []);
  assert.equal(threeWayMatch([{ ...billLine, netUnitPrice: 4.96 }], new Map([['11', poLine()]]), loose).length, 1);
  // Percent of received on quantity: 20 % of 5 = 1.
  assert.deepEqual(
    threeWayMatch([billLine], new Map([['11', poLine({ quantityReceived: 5, quantityBilled: 6 })]]), { ...strict, quantityPercent: 20 }),
    [],
  );
  // Float noise is not a mismatch.
  assert.deepEqual(
    threeWayMatch([{ ...billLine, netUnitPrice: 0.1 + 0.2 }], new Map([['11', poLine({ netUnitPrice: 0.3 })]]), {
      ...strict,
      priceAbsolute: null,
    }),
    [],
  );
  const [added] = threeWayMatch([{ ...billLine, billLineId: '701', purchaseLineId: null }], new Map(), strict);
  assert.deepEqual([added!.reasons, added!.quantityOrdered, added!.unitPriceOrdered], [['NOT_ON_ORDER'], '0.0000', null]);
});

const bills: VendorBillContext = {
  company: 'acme',
  tolerances: DEFAULT_MATCH_TOLERANCES,
  lines: m([
    {
      id: 700,
      product_id: [55, 'Wrap'],
      name: 'P00042: Wrap',
      quantity: 10,
      product_uom_id: [1, 'Units'],
      price_unit: 4.95,
      discount: 0,
      price_subtotal: 49.5,
      price_total: 56.93,
      tax_ids: [3],
      purchase_line_id: [11, 'P00042'],
      purchase_order_id: [42, 'P00042'],
      display_type: 'product',
    },
    { id: 701, display_type: 'line_section', name: 'Goods' },
    {
      id: 702,
      product_id: [56, 'Freight'],
      name: 'Freight',
      quantity: 1,
      price_unit: 20,
      display_type: 'product',
      purchase_line_id: false,
    },
  ]),
  partners: m([{ id: 900, name: 'Midwest Fastener', ref: 'V00001' }]),
  products: m([{ id: 55, default_code: 'SKU-00055', name: 'Wrap' }]),
  purchaseLines: m([
    {
      id: 11,
      order_id: [42, 'P00042'],
      product_id: [55, 'Wrap'],
      name: 'Wrap',
      product_qty: 10,
      qty_received: 10,
      qty_invoiced: 10,
      price_unit: 4.5,
      discount: false,
    },
  ]),
  purchaseOrders: m([{ id: 42, name: 'P00042', order_line: [11] }]),
  reversed: new Map(),
};
const bill: OdooRecord = {
  id: 800,
  name: 'BILL/2026/12/0001',
  move_type: 'in_invoice',
  state: 'posted',
  partner_id: [900, 'Midwest Fastener'],
  ref: 'INV-5531',
  invoice_origin: 'P00042',
  invoice_date: '2026-12-05',
  currency_id: [1, 'USD'],
  invoice_line_ids: [700, 701, 702],
  amount_untaxed: 69.5,
  amount_tax: 7.43,
  amount_total: 76.93,
  amount_residual: 76.93,
  reversed_entry_id: false,
  write_date: '2026-12-05 10:00:00',
};

test('a posted vendor bill is VendorBillPosted keyed by its PO; its match finds the price and the line on no PO', () => {
  const e = mapVendorBill(bill, bills)!;
  valid('VendorBillPosted', e);
  assert.equal(messageKeyFor('VendorBillPosted', e), '42');
  assert.deepEqual(
    e.bill.lines.map((l) => [l.lineId, l.purchaseOrderId, l.lineNumber]),
    [
      ['700', '42', 1],
      ['702', null, null],
    ],
  );
  const [mismatch, ...rest] = matchVendorBill(bill, bills);
  assert.equal(rest.length, 0, 'one event per (bill, PO)');
  valid('VendorBillMismatchDetected', mismatch);
  assert.deepEqual(
    mismatch!.lines.map((l) => [l.billLineId, l.reasons]),
    [
      ['702', ['NOT_ON_ORDER']],
      ['700', ['PRICE']],
    ],
  );
  assert.equal(mismatch!.tolerances.priceAbsolute, '0.010000');
  assert.deepEqual(matchVendorBill({ ...bill, move_type: 'in_refund' }, bills), [], 'refunds are not matched');
  const refund = mapVendorBill({ ...bill, move_type: 'in_refund', reversed_entry_id: [799, 'BILL/2026/11/0009'] }, bills)!;
  assert.equal(refund.bill.reversedBillName, 'BILL/2026/11/0009');
  assert.equal(mapVendorBill({ ...bill, state: 'draft' }, bills), null);
  assert.equal(mapVendorBill({ ...bill, invoice_line_ids: [702] }, bills), null, 'a bill on no PO is not procure-to-pay');
  assert.equal(mapVendorBill({ ...bill, move_type: 'entry' }, bills), null, 'unknown move types: nothing');
  assert.equal(mapVendorBill({ ...bill, invoice_line_ids: false }, bills), null);
});

test('a credit note settling a return is CreditNotePosted keyed by the return; another out_refund stays InvoicePosted', () => {
  const ctx: AccountingContext = {
    lines: m([{ id: 1, product_id: [55, 'Wrap'], name: 'Wrap', quantity: 2, price_unit: 10, price_subtotal: 20, price_total: 23 }]),
    partners: m([{ id: 70, name: 'Dock 4' }]),
    products: m([{ id: 55, default_code: 'SKU-00055' }]),
    ordersByName: new Map([['S00005', { id: 5, name: 'S00005', origin: false }]]),
    company: 'acme',
  };
  const refund: OdooRecord = {
    id: 900,
    name: 'RINV/2026/00001',
    move_type: 'out_refund',
    state: 'posted',
    partner_id: [70, 'Dock 4'],
    invoice_origin: 'S00005',
    invoice_line_ids: [1],
    amount_total: 23,
    reversed_entry_id: [850, 'INV/2026/00007'],
    write_date: '2026-12-06 10:00:00',
  };
  const c = mapCreditNote(refund, ctx, { returnId: '95', rmaNumber: 'WH/IN/00095', reversedInvoiceName: 'INV/2026/00007' })!;
  valid('CreditNotePosted', c);
  assert.equal(messageKeyFor('CreditNotePosted', c), '95');
  assert.deepEqual([c.creditNote.moveType, c.reversedInvoiceId, c.creditNote.orderId], ['out_refund', '850', '5']);
  const plain = mapInvoice({ ...refund, reversed_entry_id: false }, ctx)!;
  valid('InvoicePosted', plain);
  assert.equal(plain.invoice.moveType, 'out_refund');
  assert.equal(
    mapCreditNote({ ...refund, reversed_entry_id: false }, ctx, { returnId: '95', rmaNumber: null, reversedInvoiceName: null }),
    null,
  );
  assert.equal(mapInvoice({ ...refund, move_type: 'in_refund' }, ctx), null, 'vendor documents are not customer invoices');
});
