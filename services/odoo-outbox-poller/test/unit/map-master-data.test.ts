import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEventType } from '@odx/schemas';
import { mapCustomer, mapProduct } from '../../src/mapping/map-master-data.js';
import type { OdooRecord } from '../../src/mapping/map-sale-order.js';
import { versionAdapter } from '../../src/odoo/version-adapter.js';

const product: OdooRecord = {
  id: 55,
  default_code: 'SKU-00055',
  name: 'Pallet wrap',
  barcode: '5400000000552',
  uom_id: [1, 'Units'],
  uom_po_id: [1, 'Units'],
  categ_id: [4, 'All / Packaging'],
  type: 'product',
  tracking: 'none',
  weight: 2.5,
  volume: 0.004,
  list_price: 10.05,
  currency_id: [1, 'EUR'],
  sale_ok: true,
  purchase_ok: true,
  active: true,
  product_tmpl_id: [50, 'Pallet wrap'],
  description_sale: false,
  write_date: '2026-11-26 08:00:00',
};

test('product.product becomes a valid ProductUpserted; storable per version', () => {
  const e = mapProduct(product, versionAdapter(17), 'acme');
  assert.equal(e.product.sku, 'SKU-00055');
  assert.equal(e.product.productType, 'storable');
  assert.equal(e.product.weightKg, '2.5000');
  assert.equal(e.product.listPrice, '10.0500');
  assert.ok(parseEventType('ProductUpserted').isValid(e));
  assert.equal(mapProduct({ ...product, type: 'consu', is_storable: true }, versionAdapter(18), 'acme').product.productType, 'storable');
  assert.equal(mapProduct({ ...product, type: 'consu', is_storable: false }, versionAdapter(18), 'acme').product.productType, 'consumable');
  // Fields a given Odoo lacks are simply absent from the record.
  const sparse = mapProduct({ id: 3, name: false, write_date: false }, versionAdapter(17), 'acme');
  assert.equal(sparse.product.sku, 'odoo-product-3');
  assert.ok(parseEventType('ProductUpserted').isValid(sparse));
  assert.notEqual(
    mapProduct({ ...product, write_date: '2026-11-26 08:00:01' }, versionAdapter(17), 'acme').meta.eventId,
    e.meta.eventId,
    'a new version, a new id',
  );
});

test('a customer with its delivery and invoice addresses becomes a valid CustomerUpserted', () => {
  const children = new Map<number, OdooRecord>([
    [8, { id: 8, name: 'Dock 4', type: 'delivery', street: 'Havenlaan 9', city: 'Antwerp', zip: '2000', country_code: 'BE', ref: 'LOC-4' }],
    [9, { id: 9, name: 'Accounts', type: 'invoice', street: 'Rue 1', city: 'Brussels', zip: '1000', country_code: 'BE' }],
  ]);
  const e = mapCustomer(
    {
      id: 7,
      name: 'Northwind Traders',
      ref: 'C00007',
      is_company: true,
      active: true,
      child_ids: [8, 9, 404],
      credit_limit: 5000,
      category_id: [3],
      write_date: '2026-11-26 08:00:00',
    },
    children,
    'acme',
  );
  assert.equal(e.customer.shippingAddresses.length, 1);
  assert.equal(e.customer.shippingAddresses[0]!.locationCode, 'LOC-4');
  assert.equal(e.customer.billingAddress?.city, 'Brussels');
  assert.equal(e.customer.creditLimit, '5000.0000');
  assert.ok(parseEventType('CustomerUpserted').isValid(e));
});

test('fixed pricelist prices become PriceChanged; formula rules nothing', async () => {
  const { mapPricelistItem } = await import('../../src/mapping/map-master-data.js');
  const products = new Map<number, OdooRecord>([[55, { id: 55, default_code: 'SKU-00055', uom_id: [1, 'Units'] }]]);
  const item: OdooRecord = {
    id: 12,
    pricelist_id: [2, 'Wholesale EUR'],
    product_id: [55, 'Wrap'],
    compute_price: 'fixed',
    fixed_price: 9.5,
    min_quantity: 10,
    date_start: false,
    date_end: '2026-12-31 23:59:59',
    currency_id: [1, 'EUR'],
    write_date: '2026-11-26 08:00:00',
  };
  const e = mapPricelistItem(item, products, 'acme')!;
  assert.equal(e.price.unitPrice, '9.500000');
  assert.equal(e.price.sku, 'SKU-00055');
  assert.ok(parseEventType('PriceChanged').isValid(e));
  assert.equal(mapPricelistItem({ ...item, compute_price: 'percentage' }, products, 'acme'), null);
  assert.equal(mapPricelistItem({ ...item, product_id: false }, products, 'acme'), null);
});
