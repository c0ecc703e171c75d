import type { Env } from '../orm/env.js';
import { defineModel, fields, type RawRecord } from '../orm/model-def.js';

/** Sum of quant quantities in internal locations (qty_available). */
function onHand(env: Env, productId: number, field: 'quantity' | 'reserved_quantity'): number {
  let total = 0;
  for (const qid of env.store.referencing('stock.quant', 'product_id', productId)) {
    const q = env.store.get('stock.quant', qid)!;
    const loc = typeof q.location_id === 'number' ? env.store.get('stock.location', q.location_id) : undefined;
    if (loc?.usage === 'internal') total += Number(q[field] ?? 0);
  }
  return total;
}

const isInternalLocation = (env: Env, id: unknown): boolean =>
  typeof id === 'number' && env.store.get('stock.location', id)?.usage === 'internal';

/**
 * Quantity still to come in or go out on confirmed moves (incoming_qty / outgoing_qty): moves
 * into or out of the internal locations, as product._get_domain_locations counts them.
 */
function pending(env: Env, productId: number, direction: 'in' | 'out'): number {
  let total = 0;
  for (const mid of env.store.referencing('stock.move', 'product_id', productId)) {
    const m = env.store.get('stock.move', mid)!;
    if (m.state === 'done' || m.state === 'cancel' || m.state === 'draft') continue;
    const from = isInternalLocation(env, m.location_id);
    const to = isInternalLocation(env, m.location_dest_id);
    if (direction === 'in' ? to && !from : from && !to) total += Number(m.product_uom_qty ?? 0);
  }
  return total;
}

const productDisplayName = (_env: Env, rec: RawRecord): string =>
  rec.default_code ? `[${String(rec.default_code)}] ${String(rec.name ?? '')}` : String(rec.name ?? '');

/**
 * product.product with the template fields flattened onto the variant (this
 * simulator has no product.template). Storable products use Odoo 17's
 * `type = 'product'` (Odoo 18 uses `type = 'consu'` + `is_storable`;
 * `is_storable` is provided read-only for 18-style clients).
 */
export const productProduct = defineModel({
  name: 'product.product',
  description: 'Product Variant',
  order: 'default_code, name, id',
  displayName: productDisplayName,
  fields: {
    name: fields.char('Product Name', { required: true }),
    default_code: fields.char('Internal Reference'),
    barcode: fields.char('Barcode'),
    description_sale: fields.text('Sales Description'),
    type: fields.selection(
      [
        ['consu', 'Consumable'],
        ['service', 'Service'],
        ['product', 'Storable Product'],
      ],
      'Product Type',
      { default: 'consu', required: true },
    ),
    detailed_type: fields.selection(
      [
        ['consu', 'Consumable'],
        ['service', 'Service'],
        ['product', 'Storable Product'],
      ],
      'Product Type',
      {
        compute: (_env, rec) => rec.type as string,
      },
    ),
    is_storable: fields.boolean('Track Inventory', { readonly: true, compute: (_env, rec) => rec.type === 'product' }),
    invoice_policy: fields.selection(
      [
        ['order', 'Ordered quantities'],
        ['delivery', 'Delivered quantities'],
      ],
      'Invoicing Policy',
      { default: 'order' },
    ),
    list_price: fields.float('Sales Price', { default: 1 }),
    lst_price: fields.float('Sales Price', { readonly: true, related: 'list_price', compute: (_env, rec) => Number(rec.list_price ?? 0) }),
    standard_price: fields.float('Cost', { default: 0 }),
    uom_id: fields.many2one('uom.uom', 'Unit of Measure', { required: true, default: 1 }),
    uom_name: fields.char('Unit of Measure Name', {
      readonly: true,
      related: 'uom_id.name',
      compute: (env, rec) => (typeof rec.uom_id === 'number' ? ((env.store.get('uom.uom', rec.uom_id)?.name as string) ?? null) : null),
    }),
    categ_id: fields.many2one('product.category', 'Product Category', { required: true, default: 1 }),
    weight: fields.float('Weight'),
    volume: fields.float('Volume'),
    sale_ok: fields.boolean('Can be Sold', { default: true }),
    purchase_ok: fields.boolean('Can be Purchased', { default: true }),
    taxes_id: fields.many2many('account.tax', 'Customer Taxes'),
    qty_available: fields.float('Quantity On Hand', { readonly: true, compute: (env, rec) => onHand(env, rec.id, 'quantity') }),
    free_qty: fields.float('Free To Use Quantity', {
      readonly: true,
      compute: (env, rec) => onHand(env, rec.id, 'quantity') - onHand(env, rec.id, 'reserved_quantity'),
    }),
    incoming_qty: fields.float('Incoming', { readonly: true, compute: (env, rec) => pending(env, rec.id, 'in') }),
    outgoing_qty: fields.float('Outgoing', { readonly: true, compute: (env, rec) => pending(env, rec.id, 'out') }),
    virtual_available: fields.float('Forecasted Quantity', {
      readonly: true,
      compute: (env, rec) => onHand(env, rec.id, 'quantity') + pending(env, rec.id, 'in') - pending(env, rec.id, 'out'),
    }),
    // purchase / purchase_stock / stock (Odoo 17 template fields, flattened like the others)
    product_tmpl_id: fields.many2one('product.product', 'Product Template', {
      readonly: true,
      help: 'No product.template here: every variant is its own template, so this points at the variant itself.',
      compute: (_env, rec) => rec.id,
    }),
    seller_ids: fields.one2many('product.supplierinfo', 'product_tmpl_id', 'Vendors'),
    variant_seller_ids: fields.one2many('product.supplierinfo', 'product_id', 'Variant Vendors'),
    supplier_taxes_id: fields.many2many('account.tax', 'Vendor Taxes'),
    purchase_method: fields.selection(
      [
        ['purchase', 'On ordered quantities'],
        ['receive', 'On received quantities'],
      ],
      'Control Policy',
      { default: 'receive' },
    ),
    description_purchase: fields.text('Purchase Description'),
    uom_po_id: fields.many2one('uom.uom', 'Purchase Unit', {
      required: true,
      default: (_env, vals) => (typeof vals.uom_id === 'number' ? vals.uom_id : 1),
    }),
    tracking: fields.selection(
      [
        ['serial', 'By Unique Serial Number'],
        ['lot', 'By Lots'],
        ['none', 'By Quantity'],
      ],
      'Tracking',
      { required: true, default: 'none' },
    ),
    active: fields.boolean('Active', { default: true }),
  },
});

export const productPricelist = defineModel({
  name: 'product.pricelist',
  description: 'Pricelist',
  order: 'sequence asc, id asc',
  fields: {
    name: fields.char('Pricelist Name', { required: true }),
    sequence: fields.integer('Sequence', { default: 16 }),
    currency_id: fields.many2one('res.currency', 'Currency', { required: true, default: 1 }),
    item_ids: fields.one2many('product.pricelist.item', 'pricelist_id', 'Pricelist Rules'),
    active: fields.boolean('Active', { default: true }),
  },
});

export const productPricelistItem = defineModel({
  name: 'product.pricelist.item',
  description: 'Pricelist Rule',
  order: 'applied_on, min_quantity desc, categ_id desc, id desc',
  displayName: (env, rec) =>
    typeof rec.product_id === 'number' ? `Variant: ${env.displayName('product.product', rec.product_id)}` : 'All Products',
  fields: {
    pricelist_id: fields.many2one('product.pricelist', 'Pricelist', { required: true, ondelete: 'cascade' }),
    applied_on: fields.selection(
      [
        ['3_global', 'All Products'],
        ['2_product_category', 'Product Category'],
        ['1_product', 'Product'],
        ['0_product_variant', 'Product Variant'],
      ],
      'Apply On',
      { default: '0_product_variant', required: true },
    ),
    product_id: fields.many2one('product.product', 'Product Variant', { ondelete: 'cascade' }),
    categ_id: fields.many2one('product.category', 'Product Category', { ondelete: 'cascade' }),
    compute_price: fields.selection(
      [
        ['fixed', 'Fixed Price'],
        ['percentage', 'Discount'],
        ['formula', 'Formula'],
      ],
      'Computation',
      { default: 'fixed' },
    ),
    fixed_price: fields.float('Fixed Price'),
    percent_price: fields.float('Percentage Price'),
    min_quantity: fields.float('Min. Quantity', { default: 0 }),
    date_start: fields.datetime('Start Date'),
    date_end: fields.datetime('End Date'),
    currency_id: fields.many2one('res.currency', 'Currency', {
      readonly: true,
      compute: (env, rec) =>
        typeof rec.pricelist_id === 'number'
          ? ((env.store.get('product.pricelist', rec.pricelist_id)?.currency_id as number) ?? null)
          : null,
    }),
    price: fields.char('Price', {
      readonly: true,
      compute: (_env, rec) =>
        rec.compute_price === 'percentage' ? `${String(rec.percent_price)} % discount` : `$ ${Number(rec.fixed_price ?? 0).toFixed(2)}`,
    }),
    active: fields.boolean('Active', { default: true }),
  },
});

/** Unit price from a pricelist (fixed-price and percentage rules on variants, categories or all products). */
export function pricelistPrice(env: Env, pricelistId: number | null, productId: number, qty: number): number {
  const product = env.browse('product.product', productId);
  const list = Number(product.list_price ?? 0);
  if (pricelistId === null) return list;
  const now = env.nowUs;
  let best: RawRecord | undefined;
  for (const iid of env.store.referencing('product.pricelist.item', 'pricelist_id', pricelistId)) {
    const item = env.store.get('product.pricelist.item', iid)!;
    if (item.active === false) continue;
    const applies =
      (item.applied_on === '0_product_variant' && item.product_id === productId) ||
      (item.applied_on === '2_product_category' && item.categ_id === product.categ_id) ||
      item.applied_on === '3_global';
    if (!applies || qty < Number(item.min_quantity ?? 0)) continue;
    if (typeof item.date_start === 'number' && now < item.date_start) continue;
    if (typeof item.date_end === 'number' && now > item.date_end) continue;
    // _order puts specific rules and higher min quantities first
    if (!best || moreSpecific(item, best)) best = item;
  }
  if (!best) return list;
  if (best.compute_price === 'percentage') return round2(list * (1 - Number(best.percent_price ?? 0) / 100));
  return Number(best.fixed_price ?? 0);
}

function moreSpecific(a: RawRecord, b: RawRecord): boolean {
  if (a.applied_on !== b.applied_on) return String(a.applied_on) < String(b.applied_on);
  return Number(a.min_quantity ?? 0) > Number(b.min_quantity ?? 0);
}
export const round2 = (n: number): number => Math.round((n + Number.EPSILON) * 100) / 100;
