import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deterministicEventId } from '@odx/runtime';
import { parseEventType } from '@odx/schemas';
import { mapSaleOrder, type OdooRecord, type SaleOrderContext } from '../../src/mapping/map-sale-order.js';
import { decimal, odooDate, toOdooDatetime } from '../../src/odoo/odoo-values.js';
import { versionAdapter } from '../../src/odoo/version-adapter.js';
import { laterSecondsDomain, nextSecond, restOfSecondDomain } from '../../src/poll/poll-domain.js';

// Records shaped exactly as Odoo 17's search_read/read return them over JSON-RPC.
const order: OdooRecord = {
  id: 42,
  name: 'S00042',
  state: 'sale',
  client_order_ref: 'PO-7781',
  origin: false,
  partner_id: [7, 'Northwind Traders'],
  partner_invoice_id: [7, 'Northwind Traders'],
  partner_shipping_id: [8, 'Northwind Traders, Dock 4'],
  date_order: '2026-11-26 09:15:02',
  commitment_date: '2026-11-30 12:00:00',
  warehouse_id: [1, 'Main Warehouse'],
  currency_id: [1, 'EUR'],
  amount_untaxed: 120.5,
  amount_tax: 25.31,
  amount_total: 145.81,
  order_line: [101, 102, 103],
  carrier_id: [3, 'DHL Express'],
  note: false,
  payment_term_id: [2, '30 Days'],
  incoterm: false,
  write_date: '2026-11-26 09:15:03',
  write_uid: [2, 'Mitchell Admin'],
};
const ctx: SaleOrderContext = {
  adapter: versionAdapter(17),
  company: 'acme',
  lines: new Map<number, OdooRecord>([
    [
      101,
      {
        id: 101,
        sequence: 10,
        product_id: [55, '[SKU-00055] Pallet wrap'],
        name: 'Pallet wrap 500mm',
        product_uom_qty: 10,
        product_uom: [1, 'Units'],
        price_unit: 10.05,
        discount: 0,
        price_subtotal: 100.5,
        price_total: 121.61,
        tax_id: [1],
        display_type: false,
      },
    ],
    [
      102,
      {
        id: 102,
        sequence: 11,
        product_id: false,
        name: 'Section: extras',
        product_uom_qty: 0,
        product_uom: false,
        price_unit: 0,
        discount: 0,
        price_subtotal: 0,
        price_total: 0,
        tax_id: [],
        display_type: 'line_section',
      },
    ],
    [
      103,
      {
        id: 103,
        sequence: 12,
        product_id: [56, '[SKU-00056] Tape'],
        name: 'Tape',
        product_uom_qty: 4,
        product_uom: [1, 'Units'],
        price_unit: 5,
        discount: 0,
        price_subtotal: 20,
        price_total: 24.2,
        tax_id: [1],
        display_type: false,
      },
    ],
  ]),
  partners: new Map<number, OdooRecord>([
    [
      7,
      {
        id: 7,
        name: 'Northwind Traders',
        ref: 'C00007',
        vat: 'BE0123456789',
        email: 'orders@northwind.example',
        phone: false,
        street: 'Rue 1',
        street2: false,
        city: 'Brussels',
        zip: '1000',
        state_id: false,
        country_id: [20, 'Belgium'],
        country_code: 'BE',
        parent_id: false,
      },
    ],
    [
      8,
      {
        id: 8,
        name: 'Dock 4',
        ref: false,
        vat: false,
        email: false,
        phone: '+32 2 555 0101',
        street: 'Havenlaan 9',
        street2: 'Dock 4',
        city: 'Antwerp',
        zip: '2000',
        state_id: false,
        country_id: [20, 'Belgium'],
        country_code: 'BE',
        parent_id: [7, 'Northwind Traders'],
      },
    ],
  ]),
  products: new Map<number, OdooRecord>([
    [55, { id: 55, default_code: 'SKU-00055', barcode: '5400000000552', name: 'Pallet wrap' }],
    [56, { id: 56, default_code: 'SKU-00056', barcode: false, name: 'Tape' }],
  ]),
  warehouses: new Map<number, OdooRecord>([[1, { id: 1, code: 'WH', name: 'Main Warehouse' }]]),
};

test('a confirmed sale.order becomes an OrderConfirmed that validates against the canonical schema', () => {
  const e = mapSaleOrder(order, ctx);
  assert.ok(e && e.eventType === 'OrderConfirmed');
  assert.equal(e.key, '42');
  const o = e.payload.order;
  assert.equal(o.orderId, '42');
  assert.equal(o.odooId, '42');
  assert.equal(o.clientOrderRef, 'PO-7781');
  assert.equal(o.warehouseCode, 'WH');
  assert.equal(o.currency, 'EUR');
  assert.equal(o.amountTotal, '145.8100');
  assert.equal(o.lines.length, 2, 'section lines carry no goods');
  assert.deepEqual(
    o.lines.map((l) => [l.sku, l.quantity, l.unitPrice, l.taxAmount, l.gtin]),
    [
      ['SKU-00055', '10.0000', '10.050000', '21.1100', '5400000000552'],
      ['SKU-00056', '4.0000', '5.000000', '4.2000', null],
    ],
  );
  assert.equal(o.shipTo.street2, 'Dock 4');
  assert.equal(o.shipTo.companyName, 'Northwind Traders');
  assert.equal(o.shipTo.countryCode, 'BE');
  assert.equal(o.customer.ref, 'C00007');
  assert.equal(o.carrierCode, 'DHL Express');
  assert.deepEqual(e.payload.confirmedAt, new Date('2026-11-26T09:15:02Z'));
  const type = parseEventType('OrderConfirmed');
  assert.ok(type.isValid(e.payload, { errorHook: (path) => assert.fail(`invalid at ${path.join('.')}`) }));
});

test('event ids are deterministic per confirmation, not per write', () => {
  const a = mapSaleOrder(order, ctx)!;
  const b = mapSaleOrder({ ...order, write_date: '2026-11-27 10:00:00', qty_delivered: 1 }, ctx)!;
  assert.equal(a.payload.meta.eventId, b.payload.meta.eventId, 'a later write to the confirmed order re-emits the same id');
  const reconfirmed = mapSaleOrder({ ...order, date_order: '2026-11-28 08:00:00' }, ctx)!;
  assert.notEqual(reconfirmed.payload.meta.eventId, a.payload.meta.eventId);
  assert.match(a.payload.meta.eventId, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(deterministicEventId('x', 1), deterministicEventId('x', 1));
  assert.notEqual(deterministicEventId('x', 1), deterministicEventId('x1'));
});

test('cancelled orders become OrderCancelled; drafts and quotations nothing', () => {
  const c = mapSaleOrder({ ...order, state: 'cancel' }, ctx);
  assert.ok(c && c.eventType === 'OrderCancelled');
  assert.equal(c.payload.orderId, '42');
  assert.equal(c.payload.cancelledBy, 'Mitchell Admin');
  assert.ok(parseEventType('OrderCancelled').isValid(c.payload));
  assert.equal(mapSaleOrder({ ...order, state: 'draft' }, ctx), null);
  assert.equal(mapSaleOrder({ ...order, state: 'sent' }, ctx), null);
});

test('orders received by ODX keep their ODX order id (kept in origin)', () => {
  const e = mapSaleOrder({ ...order, origin: 'odx:edi:northwind:PO-7781' }, ctx)!;
  assert.equal(e.key, 'odx:edi:northwind:PO-7781');
  assert.ok(e.eventType === 'OrderConfirmed');
  assert.equal(e.payload.order.channel, 'external');
});

test('hostile or missing values map to safe defaults, never a crash', () => {
  const e = mapSaleOrder(
    { id: 9, state: 'sale', partner_id: false, order_line: [999], amount_total: 'NaN', date_order: 'garbage', write_date: false },
    ctx,
  );
  assert.ok(e && e.eventType === 'OrderConfirmed');
  assert.equal(e.payload.order.amountTotal, '0.0000');
  assert.equal(e.payload.order.lines.length, 0);
  assert.ok(parseEventType('OrderConfirmed').isValid(e.payload));
});

test('Odoo value conversions', () => {
  assert.equal(decimal(0.1 + 0.2, 4), '0.3000');
  assert.equal(decimal(-0.00001, 4), '0.0000');
  assert.equal(decimal(false, 2), '0.00');
  assert.deepEqual(odooDate('2026-01-02 03:04:05'), new Date('2026-01-02T03:04:05Z'));
  assert.deepEqual(odooDate('2026-01-02'), new Date('2026-01-02T00:00:00Z'));
  assert.equal(odooDate(false), null);
  assert.equal(toOdooDatetime(new Date('2026-01-02T03:04:05.999Z')), '2026-01-02 03:04:05');
  assert.deepEqual(restOfSecondDomain({ writeDate: '2026-01-02 03:04:05', id: 7 }), [
    ['write_date', '>=', '2026-01-02 03:04:05'],
    ['write_date', '<', '2026-01-02 03:04:06'],
    ['id', '>', 7],
  ]);
  assert.deepEqual(laterSecondsDomain({ writeDate: '2026-12-31 23:59:59', id: 7 }), [['write_date', '>=', '2027-01-01 00:00:00']]);
  assert.deepEqual(laterSecondsDomain(undefined), []);
  assert.equal(nextSecond('2024-02-28 23:59:59'), '2024-02-29 00:00:00');
  assert.throws(() => nextSecond('yesterday'), /not an Odoo datetime/);
  assert.equal(versionAdapter(16).moveDoneQuantityField, 'quantity_done');
  assert.equal(versionAdapter(18).isStorable({ type: 'consu', is_storable: true }), true);
  assert.throws(() => versionAdapter(15), /not supported/);
});
