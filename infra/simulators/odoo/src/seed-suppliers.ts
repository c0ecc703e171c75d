/**
 * The distributor's vendors and their price lists (product.supplierinfo), created after the rest
 * of the seed from a PRNG of their own, so no record or draw of the original seed moves.
 *
 * Seven specialist vendors (`ref` V00001…V00007), one per product category, are the first
 * seller of every good in their category; a generalist (V00008) is the second seller of about a
 * third of them. Prices are 90–98 % of the product's cost, some with a cheaper tier from 100
 * units; lead times 2–10 days (1–4 for the generalist). Every product gets the 15 % purchase tax.
 */
import type { Env } from './orm/env.js';
import { Prng } from './prng.js';

export interface SupplierSeedContext {
  seed: number;
  usd: number;
  countries: Record<string, number>;
  /** The seeded products in creation order (their category is index % 7, as in seed.ts). */
  products: number[];
}

/** The vendors, in `ref` order; index i supplies the category the seed gives to product index i % 7. */
export const VENDORS = [
  { name: 'Midwest Fastener Supply Inc.', code: 'MFS', city: 'Milwaukee', zip: '53202', country: 'US' },
  { name: 'SafeWorks Protective Gear LLC', code: 'SWP', city: 'Columbus', zip: '43215', country: 'US' },
  { name: 'Voltline Electrical Wholesale Co.', code: 'VEW', city: 'Dallas', zip: '75201', country: 'US' },
  { name: 'FlowRight Plumbing Distributors', code: 'FRP', city: 'Cleveland', zip: '44113', country: 'US' },
  { name: 'Eisenwerk Werkzeuge GmbH', code: 'EWW', city: 'Stuttgart', zip: '70173', country: 'DE' },
  { name: 'PackRight Packaging Co.', code: 'PRP', city: 'Memphis', zip: '38103', country: 'US' },
  { name: 'CleanPro Janitorial Supply Ltd.', code: 'CPJ', city: 'Leeds', zip: 'LS1 4DY', country: 'GB' },
  { name: 'Allied Industrial Wholesale Inc.', code: 'AIW', city: 'Indianapolis', zip: '46204', country: 'US' },
] as const;

const money = (n: number): number => Math.round(n * 100) / 100;

export function seedSuppliers(env: Env, ctx: SupplierSeedContext): void {
  const rng = new Prng(ctx.seed);
  const purchaseTax = env.create('account.tax', { name: '15%', amount: 15, amount_type: 'percent', type_tax_use: 'purchase' });
  const vendors = VENDORS.map((v, i) => {
    const slug = v.name.toLowerCase().replace(/[^a-z]+/g, '');
    const id = env.create('res.partner', {
      name: v.name,
      ref: `V${String(i + 1).padStart(5, '0')}`,
      is_company: true,
      supplier_rank: 1,
      email: `sales@${slug}.example`,
      phone: `+1 555 ${String(rng.int(100, 999))} ${String(rng.int(1000, 9999))}`,
      street: `${rng.int(1, 9999)} Supply Park Rd`,
      city: v.city,
      zip: v.zip,
      country_id: ctx.countries[v.country] ?? false,
    });
    env.create('res.partner', { parent_id: id, type: 'contact', name: 'Order Desk', email: `orders@${slug}.example` });
    return { id, code: v.code };
  });
  const generalist = vendors.at(-1)!;

  for (const [idx, pid] of ctx.products.entries()) {
    const product = env.browse('product.product', pid);
    env.setStored('product.product', pid, { supplier_taxes_id: [purchaseTax] });
    if (product.type === 'service') continue;
    const cost = Number(product.standard_price ?? 0);
    const vendor = vendors[idx % 7]!;
    const price = money(cost * (0.9 + rng.next() * 0.08));
    const code = `${vendor.code}-${String(rng.int(10000, 99999))}`;
    const delay = rng.int(2, 10);
    env.create('product.supplierinfo', {
      partner_id: vendor.id,
      product_tmpl_id: pid,
      product_code: code,
      sequence: 1,
      min_qty: rng.pick([0, 0, 0, 10, 12, 24, 50]),
      price,
      delay,
      currency_id: ctx.usd,
    });
    if (rng.chance(0.25)) {
      env.create('product.supplierinfo', {
        partner_id: vendor.id,
        product_tmpl_id: pid,
        product_code: code,
        sequence: 1,
        min_qty: 100,
        price: money(price * 0.92),
        delay,
        currency_id: ctx.usd,
      });
    }
    if (rng.chance(0.35)) {
      env.create('product.supplierinfo', {
        partner_id: generalist.id,
        product_tmpl_id: pid,
        sequence: 2,
        min_qty: 0,
        price: money(cost * (0.97 + rng.next() * 0.08)),
        delay: rng.int(1, 4),
        currency_id: ctx.usd,
      });
    }
  }
}
