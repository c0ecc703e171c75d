import { deterministicEventId } from '@odx/runtime';
import type { Address, CustomerUpserted, PriceChanged, ProductUpserted } from '@odx/schemas';
import { decimal, m2oId, m2oName, odooDate, str } from '../odoo/odoo-values.js';
import type { OdooVersionAdapter } from '../odoo/version-adapter.js';
import type { OdooRecord } from './map-sale-order.js';

export const PRODUCT_MASTER_FIELDS = [
  'default_code',
  'name',
  'barcode',
  'uom_id',
  'uom_po_id',
  'categ_id',
  'type',
  'is_storable',
  'tracking',
  'weight',
  'volume',
  'hs_code',
  'list_price',
  'currency_id',
  'sale_ok',
  'purchase_ok',
  'active',
  'product_tmpl_id',
  'description_sale',
];

export const CUSTOMER_FIELDS = [
  'name',
  'ref',
  'is_company',
  'active',
  'vat',
  'email',
  'phone',
  'street',
  'street2',
  'city',
  'zip',
  'state_id',
  'country_code',
  'child_ids',
  'type',
  'property_product_pricelist',
  'property_payment_term_id',
  'credit_limit',
  'category_id',
  'customer_rank',
  'parent_id',
];

function meta(model: string, r: OdooRecord, eventType: string, company: string) {
  const writeDate = odooDate(r['write_date']) ?? new Date(0);
  return {
    eventId: deterministicEventId(model, r.id, eventType, String(r['write_date'] ?? '')),
    occurredAt: writeDate,
    source: 'odoo',
    correlationId: `${model}:${r.id}`,
    causationId: null,
    company,
  };
}

/** product.product -> ProductUpserted (one event per record version). */
export function mapProduct(p: OdooRecord, adapter: OdooVersionAdapter, company: string): ProductUpserted {
  const storable = adapter.isStorable(p);
  return {
    meta: meta('product.product', p, 'ProductUpserted', company),
    product: {
      productId: String(p.id),
      templateId: m2oId(p['product_tmpl_id']) !== null ? String(m2oId(p['product_tmpl_id'])) : null,
      sku: str(p['default_code']) ?? `odoo-product-${p.id}`,
      name: str(p['name']) ?? `product ${p.id}`,
      description: str(p['description_sale']),
      gtin: str(p['barcode']),
      uom: m2oName(p['uom_id']) ?? 'Units',
      purchaseUom: m2oName(p['uom_po_id']),
      category: m2oName(p['categ_id']),
      productType: storable ? 'storable' : str(p['type']) === 'service' ? 'service' : 'consumable',
      tracking: str(p['tracking']) ?? 'none',
      weightKg: typeof p['weight'] === 'number' ? decimal(p['weight'], 4) : null,
      volumeM3: typeof p['volume'] === 'number' ? decimal(p['volume'], 6) : null,
      dimensions: null,
      hsCode: str(p['hs_code']),
      countryOfOrigin: null,
      listPrice: typeof p['list_price'] === 'number' ? decimal(p['list_price'], 4) : null,
      currency: m2oName(p['currency_id']),
      saleOk: p['sale_ok'] !== false,
      purchaseOk: p['purchase_ok'] !== false,
      active: p['active'] !== false,
      updatedAt: odooDate(p['write_date']) ?? new Date(0),
    },
  };
}

function address(p: OdooRecord): Address {
  return {
    addressId: String(p.id),
    name: str(p['name']),
    companyName: null,
    street1: str(p['street']),
    street2: str(p['street2']),
    city: str(p['city']),
    region: m2oName(p['state_id']),
    postalCode: str(p['zip']),
    countryCode: str(p['country_code']),
    locationCode: str(p['ref']),
    phone: str(p['phone']),
    email: str(p['email']),
  };
}

/** res.partner (a customer) -> CustomerUpserted, with its delivery addresses. */
export function mapCustomer(c: OdooRecord, children: Map<number, OdooRecord>, company: string): CustomerUpserted {
  const kids = (Array.isArray(c['child_ids']) ? (c['child_ids'] as number[]) : [])
    .map((id) => children.get(id))
    .filter((x): x is OdooRecord => !!x);
  const invoice = kids.find((k) => k['type'] === 'invoice');
  return {
    meta: meta('res.partner', c, 'CustomerUpserted', company),
    customer: {
      customerId: String(c.id),
      ref: str(c['ref']),
      name: str(c['name']) ?? `partner ${c.id}`,
      isCompany: c['is_company'] === true,
      active: c['active'] !== false,
      vatNumber: str(c['vat']),
      gln: null,
      ediPartnerId: null,
      email: str(c['email']),
      phone: str(c['phone']),
      billingAddress: address(invoice ?? c),
      shippingAddresses: kids.filter((k) => k['type'] === 'delivery').map(address),
      currency: null,
      pricelistId: m2oId(c['property_product_pricelist']) !== null ? String(m2oId(c['property_product_pricelist'])) : null,
      paymentTerm: m2oName(c['property_payment_term_id']),
      creditLimit: typeof c['credit_limit'] === 'number' ? decimal(c['credit_limit'], 4) : null,
      tags: Array.isArray(c['category_id']) ? (c['category_id'] as unknown[]).map(String) : [],
      updatedAt: odooDate(c['write_date']) ?? new Date(0),
    },
  };
}

export const PRICELIST_ITEM_FIELDS = [
  'pricelist_id',
  'product_id',
  'product_tmpl_id',
  'applied_on',
  'compute_price',
  'fixed_price',
  'min_quantity',
  'date_start',
  'date_end',
  'currency_id',
  'active',
];

/** A fixed price for a product on a pricelist (product.pricelist.item) -> PriceChanged; formula rules map to nothing. */
export function mapPricelistItem(item: OdooRecord, products: Map<number, OdooRecord>, company: string): PriceChanged | null {
  const productId = m2oId(item['product_id']);
  if (productId === null || (str(item['compute_price']) ?? 'fixed') !== 'fixed') return null;
  const product = products.get(productId);
  return {
    meta: meta('product.pricelist.item', item, 'PriceChanged', company),
    price: {
      priceId: String(item.id),
      pricelistId: String(m2oId(item['pricelist_id']) ?? 'unknown'),
      pricelistName: m2oName(item['pricelist_id']),
      productId: String(productId),
      sku: str(product?.['default_code']) ?? `odoo-product-${productId}`,
      customerId: null,
      currency: m2oName(item['currency_id']) ?? 'EUR',
      unitPrice: decimal(item['fixed_price'], 6),
      uom: m2oName(product?.['uom_id']) ?? 'Units',
      minQuantity: decimal(item['min_quantity'], 4),
      validFrom: odooDate(item['date_start']),
      validTo: odooDate(item['date_end']),
      active: item['active'] !== false,
    },
    previousUnitPrice: null,
  };
}
