import assert from 'node:assert/strict';
import { test } from 'node:test';
import { messageKeyFor, parseEventType } from '@odx/schemas';
import { mapInvoice, mapInvoicePayment, type AccountingContext } from '../../src/mapping/map-accounting.js';
import type { OdooRecord } from '../../src/mapping/map-sale-order.js';
import { mapDonePicking, mapQuant, type StockContext } from '../../src/mapping/map-stock.js';
import { versionAdapter } from '../../src/odoo/version-adapter.js';

const m = <T extends OdooRecord>(rs: T[]): Map<number, T> => new Map(rs.map((r) => [r.id, r]));
const stock: StockContext = {
  adapter: versionAdapter(17),
  company: 'acme',
  products: m([{ id: 55, default_code: 'SKU-00055', barcode: false, name: 'Wrap' }]),
  locations: m([
    { id: 8, complete_name: 'WH/Stock', usage: 'internal', warehouse_id: [1, 'Main'] },
    { id: 5, complete_name: 'Partners/Customers', usage: 'customer', warehouse_id: false },
  ]),
  warehouses: m([{ id: 1, code: 'WH', name: 'Main' }]),
  moves: m([
    {
      id: 300,
      product_id: [55, 'Wrap'],
      product_uom_qty: 10,
      quantity: 9,
      product_uom: [1, 'Units'],
      sale_line_id: [101, 'x'],
      state: 'done',
    },
  ]),
  partners: m([{ id: 8, name: 'Dock 4', street: 'Havenlaan 9', city: 'Antwerp', zip: '2000', country_code: 'BE' }]),
  orders: m([{ id: 42, name: 'S00042', client_order_ref: 'PO-7781', origin: false }]),
};

test('stock.quant in a warehouse becomes InventoryLevelChanged keyed by SKU; other locations map to nothing', () => {
  const e = mapQuant(
    {
      id: 9,
      product_id: [55, 'Wrap'],
      location_id: [8, 'WH/Stock'],
      quantity: 120,
      reserved_quantity: 20,
      write_date: '2026-11-26 10:00:00',
    },
    stock,
  )!;
  assert.equal(e.level.warehouseCode, 'WH');
  assert.equal(e.level.available, '100.0000');
  assert.ok(parseEventType('InventoryLevelChanged').isValid(e));
  assert.equal(messageKeyFor('InventoryLevelChanged', e), 'SKU-00055');
  assert.equal(mapQuant({ id: 10, product_id: [55, 'Wrap'], location_id: [5, 'Customers'], quantity: 3 }, stock), null);
});

test('a done outgoing picking becomes ShipmentDispatched with shipped quantities; others nothing', () => {
  const p: OdooRecord = {
    id: 77,
    name: 'WH/OUT/00077',
    state: 'done',
    picking_type_code: 'outgoing',
    partner_id: [8, 'Dock 4'],
    sale_id: [42, 'S00042'],
    move_ids: [300],
    date_done: '2026-11-27 15:00:00',
    carrier_id: [3, 'DHL Express'],
    carrier_tracking_ref: '1Z999',
    location_id: [8, 'WH/Stock'],
  };
  const e = mapDonePicking(p, stock)!;
  assert.equal(e.shipment.orderId, '42');
  assert.equal(e.shipment.warehouseCode, 'WH');
  assert.deepEqual(
    e.shipment.lines.map((l) => [l.sku, l.quantity, l.orderLineId]),
    [['SKU-00055', '9.0000', '101']],
  );
  assert.equal(e.shipment.trackingNumber, '1Z999');
  assert.ok(parseEventType('ShipmentDispatched').isValid(e));
  assert.equal(mapDonePicking({ ...p, state: 'assigned' }, stock), null);
  assert.equal(mapDonePicking({ ...p, picking_type_code: 'incoming' }, stock), null);
});

test('posted customer invoices become InvoicePosted, payments PaymentReceived', () => {
  const ctx: AccountingContext = {
    company: 'acme',
    products: stock.products,
    partners: m([{ id: 7, name: 'Northwind', ref: 'C00007' }]),
    lines: m([
      {
        id: 501,
        product_id: [55, 'Wrap'],
        name: 'Wrap',
        quantity: 9,
        product_uom_id: [1, 'Units'],
        price_unit: 10.05,
        discount: 0,
        price_subtotal: 90.45,
        price_total: 109.44,
        tax_ids: [1],
        sale_line_ids: [101],
        display_type: 'product',
      },
    ]),
    ordersByName: new Map([['S00042', { id: 42, name: 'S00042', client_order_ref: 'PO-7781' }]]),
  };
  const inv: OdooRecord = {
    id: 900,
    name: 'INV/2026/00001',
    move_type: 'out_invoice',
    state: 'posted',
    payment_state: 'not_paid',
    partner_id: [7, 'Northwind'],
    invoice_origin: 'S00042',
    invoice_date: '2026-11-28',
    currency_id: [1, 'EUR'],
    invoice_line_ids: [501],
    amount_untaxed: 90.45,
    amount_tax: 18.99,
    amount_total: 109.44,
    amount_residual: 109.44,
    write_date: '2026-11-28 09:00:00',
  };
  const posted = mapInvoice(inv, ctx)!;
  assert.equal(posted.invoice.orderId, '42');
  assert.equal(posted.invoice.clientOrderRef, 'PO-7781');
  assert.equal(posted.invoice.lines[0]!.taxAmount, '18.9900');
  assert.ok(parseEventType('InvoicePosted').isValid(posted));
  assert.equal(mapInvoicePayment(inv, ctx), null, 'not paid: no payment');
  const paid = mapInvoicePayment({ ...inv, payment_state: 'paid', amount_residual: 0 }, ctx)!;
  assert.equal(paid.payment.amount, '109.4400');
  assert.ok(parseEventType('PaymentReceived').isValid(paid));
  assert.equal(mapInvoice({ ...inv, state: 'draft' }, ctx), null);
  assert.equal(mapInvoice({ ...inv, move_type: 'in_invoice' }, ctx), null);
  // An order ODX received (EDI, shop) keeps the id it was received under, on its invoice too.
  const received = {
    ...ctx,
    ordersByName: new Map([['S00042', { id: 42, name: 'S00042', client_order_ref: 'PO-7781', origin: 'odx:edi:northwind:PO-7781' }]]),
  };
  assert.equal(mapInvoice(inv, received)!.invoice.orderId, 'odx:edi:northwind:PO-7781');
  // Re-posting the same invoice version gives the same id; a later posting keeps it (keyed on the invoice name).
  assert.equal(mapInvoice({ ...inv, write_date: '2026-11-29 09:00:00' }, ctx)!.meta.eventId, posted.meta.eventId);
});
