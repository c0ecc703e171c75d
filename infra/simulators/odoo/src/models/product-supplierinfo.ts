import { formatDate } from '../clock.js';
import { defineModel, fields, type RawRecord } from '../orm/model-def.js';
import type { Env } from '../orm/env.js';

/** _sanitize_vals: a variant implies its template (here the variant itself). */
function sanitize(vals: Record<string, unknown>): void {
  if (typeof vals.product_id === 'number' && !vals.product_tmpl_id) vals.product_tmpl_id = vals.product_id;
}

/** product.supplierinfo (Odoo 17 `product` module): a vendor's price, minimum and lead time for a product. */
export const productSupplierinfo = defineModel({
  name: 'product.supplierinfo',
  description: 'Supplier Pricelist',
  order: 'sequence, min_qty DESC, price, id',
  recName: 'partner_id',
  displayName: (env, rec) =>
    typeof rec.partner_id === 'number' ? env.displayName('res.partner', rec.partner_id) : `product.supplierinfo,${rec.id}`,
  fields: {
    partner_id: fields.many2one('res.partner', 'Vendor', { required: true, ondelete: 'cascade' }),
    product_name: fields.char('Vendor Product Name'),
    product_code: fields.char('Vendor Product Code'),
    sequence: fields.integer('Sequence', { default: 1 }),
    product_uom: fields.many2one('uom.uom', 'Unit of Measure', {
      readonly: true,
      related: 'product_tmpl_id.uom_po_id',
      compute: (env, rec) =>
        typeof rec.product_tmpl_id === 'number'
          ? ((env.store.get('product.product', rec.product_tmpl_id)?.uom_po_id as number) ?? null)
          : null,
    }),
    min_qty: fields.float('Quantity', { required: true, default: 0 }),
    price: fields.float('Price', { required: true, default: 0 }),
    price_discounted: fields.float('Discounted Price', {
      readonly: true,
      compute: (_env, rec) => Number(rec.price ?? 0) * (1 - Number(rec.discount ?? 0) / 100),
    }),
    company_id: fields.many2one('res.company', 'Company', { default: 1 }),
    currency_id: fields.many2one('res.currency', 'Currency', {
      required: true,
      default: (env) => (env.store.get('res.company', 1)?.currency_id as number) ?? 1,
    }),
    date_start: fields.date('Start Date'),
    date_end: fields.date('End Date'),
    product_id: fields.many2one('product.product', 'Product Variant', {
      help: 'If not set, the vendor price will apply to all variants of this product.',
    }),
    product_tmpl_id: fields.many2one('product.product', 'Product Template', {
      ondelete: 'cascade',
      help: 'No product.template here: the variant stands for its template (relation product.product).',
    }),
    delay: fields.integer('Delivery Lead Time', { required: true, default: 1 }),
    discount: fields.float('Discount (%)'),
  },
  hooks: {
    prepareCreate: (_env, vals) => sanitize(vals),
    guardWrite: (_env, _ids, vals) => sanitize(vals),
  },
});

/**
 * product._select_seller (Odoo 17): the sellers of the product in their `_order`, keeping those
 * valid on `date`, of `partnerId` (or its company) when given, whose minimum the quantity reaches;
 * the first vendor that fits wins, and among its rows the cheapest.
 */
export function selectSeller(
  env: Env,
  productId: number,
  opts: { partnerId?: number | null; quantity?: number | null; dateUs?: number },
): RawRecord | null {
  const partner = opts.partnerId ? env.store.get('res.partner', opts.partnerId) : undefined;
  const partners = partner ? [partner.id, partner.parent_id].filter((x): x is number => typeof x === 'number') : null;
  const day = formatDate(opts.dateUs ?? env.nowUs);
  const fits: RawRecord[] = [];
  for (const s of sellersOf(env, productId)) {
    if (typeof s.date_start === 'string' && s.date_start > day) continue;
    if (typeof s.date_end === 'string' && s.date_end < day) continue;
    if (partners && !partners.includes(s.partner_id as number)) continue;
    if (opts.quantity !== null && opts.quantity !== undefined && opts.quantity < Number(s.min_qty ?? 0)) continue;
    if (fits.length === 0 || fits[0]!.partner_id === s.partner_id) fits.push(s);
  }
  fits.sort((a, b) => Number(a.price ?? 0) - Number(b.price ?? 0));
  return fits[0] ?? null;
}

/** product.seller_ids | variant_seller_ids for one variant, in product.supplierinfo's `_order`. */
export function sellersOf(env: Env, productId: number): RawRecord[] {
  const ids = new Set([
    ...env.store.referencing('product.supplierinfo', 'product_tmpl_id', productId),
    ...env.store.referencing('product.supplierinfo', 'product_id', productId),
  ]);
  const rows = [...ids]
    .map((id) => env.store.get('product.supplierinfo', id)!)
    .filter(
      (s) =>
        (s.product_id === null || s.product_id === undefined || s.product_id === productId) &&
        env.store.get('res.partner', s.partner_id as number)?.active !== false,
    );
  rows.sort(
    (a, b) =>
      Number(a.sequence ?? 0) - Number(b.sequence ?? 0) ||
      Number(b.min_qty ?? 0) - Number(a.min_qty ?? 0) ||
      Number(a.price ?? 0) - Number(b.price ?? 0) ||
      a.id - b.id,
  );
  return rows;
}
