/**
 * Deterministic seed data for a distributor: company, currencies, two
 * warehouses with their locations and delivery types, ~200 products with
 * EAN-13 barcodes, ~100 customer companies with invoice/delivery addresses,
 * pricelists, carriers and starting stock.
 */
import { postInvoices } from './business/post-invoice.js';
import { registerPayment } from './business/register-payment.js';
import { formatDate } from './clock.js';
import type { Env } from './orm/env.js';
import { Prng, ean13 } from './prng.js';
import { seedSuppliers } from './seed-suppliers.js';

/**
 * The customer the demo puts on credit hold: a 5,000.00 limit and 3,220.00 already owed
 * (overdue invoices 2,875.00 and 575.00 left of 1,150.00, less a 230.00 credit note), so
 * any order above 1,780.00 takes it over. The load generator leaves it out.
 */
export const CREDIT_HOLD_CUSTOMER = { ref: 'C90001', name: 'Overdue Hardware Co.', creditLimit: 5000, openReceivables: 3220 } as const;

export interface SeedOptions {
  /** @default 200 */
  products?: number;
  /** @default 100 */
  customers?: number;
  /** @default 20260101 */
  seed?: number;
}

const CATEGORIES = ['Fasteners', 'Safety', 'Electrical', 'Plumbing', 'Tools', 'Packaging', 'Janitorial'] as const;
const ITEMS: Record<(typeof CATEGORIES)[number], string[]> = {
  Fasteners: ['Hex Bolt', 'Wood Screw', 'Machine Screw', 'Lock Nut', 'Flat Washer', 'Anchor Plug', 'Rivet'],
  Safety: ['Nitrile Gloves', 'Safety Glasses', 'Hard Hat', 'Ear Plugs', 'Hi-Vis Vest', 'Dust Mask'],
  Electrical: ['Cable Tie', 'Wire Connector', 'Extension Cord', 'LED Bulb', 'Junction Box', 'Fuse'],
  Plumbing: ['PVC Elbow', 'Ball Valve', 'Pipe Clamp', 'Teflon Tape', 'Hose Fitting', 'Copper Tee'],
  Tools: ['Utility Knife', 'Tape Measure', 'Screwdriver Set', 'Adjustable Wrench', 'Drill Bit Set', 'Level'],
  Packaging: ['Stretch Film', 'Carton Box', 'Packing Tape', 'Bubble Wrap', 'Pallet Label', 'Void Fill'],
  Janitorial: ['Trash Bag', 'Paper Towel', 'Floor Cleaner', 'Hand Soap', 'Mop Head', 'Wipes'],
};
const VARIANTS = ['S', 'M', 'L', 'XL', 'M6', 'M8', 'M10', '10-pack', '50-pack', '100-pack', 'Blue', 'Black', 'Pro'];
const NAME_A = [
  'North',
  'Blue',
  'Iron',
  'Summit',
  'Harbor',
  'Prairie',
  'Granite',
  'Cedar',
  'Atlas',
  'Pioneer',
  'Redwood',
  'Silver',
  'Lakeside',
  'Union',
  'Keystone',
];
const NAME_B = [
  'Builders',
  'Supply',
  'Facilities',
  'Industrial',
  'Contractors',
  'Logistics',
  'Hardware',
  'Maintenance',
  'Services',
  'Mechanical',
];
const NAME_C = ['Inc.', 'LLC', 'Co.', 'Group', 'Ltd.', 'GmbH', 'SARL'];
const CITIES: [string, string, string][] = [
  ['Chicago', '60601', 'US'],
  ['Denver', '80202', 'US'],
  ['Austin', '73301', 'US'],
  ['Seattle', '98101', 'US'],
  ['Atlanta', '30301', 'US'],
  ['Boston', '02108', 'US'],
  ['Phoenix', '85001', 'US'],
  ['Hamburg', '20095', 'DE'],
  ['Lyon', '69001', 'FR'],
  ['Manchester', 'M1 1AE', 'GB'],
];
const STREETS = ['Main St', 'Industrial Pkwy', 'Commerce Dr', 'Harbor Rd', 'Market St', 'Depot Ave', 'Mill Rd'];
const FIRST = ['Alex', 'Jordan', 'Sam', 'Taylor', 'Morgan', 'Casey', 'Jamie', 'Riley', 'Avery', 'Quinn'];
const LAST = ['Smith', 'Garcia', 'Miller', 'Nguyen', 'Brown', 'Keller', 'Dubois', 'Patel', 'Moore', 'Clark'];

const money = (n: number): number => Math.round(n * 100) / 100;

export function seedDatabase(env: Env, opts: SeedOptions = {}): void {
  const rng = new Prng(opts.seed ?? 20260101);
  const productCount = opts.products ?? 200;
  const customerCount = opts.customers ?? 100;

  const usd = env.create('res.currency', { name: 'USD', symbol: '$', full_name: 'United States dollar' });
  const eur = env.create('res.currency', { name: 'EUR', symbol: '€', full_name: 'Euro' });
  const countries: Record<string, number> = {
    US: env.create('res.country', { name: 'United States', code: 'US' }),
    DE: env.create('res.country', { name: 'Germany', code: 'DE' }),
    FR: env.create('res.country', { name: 'France', code: 'FR' }),
    GB: env.create('res.country', { name: 'United Kingdom', code: 'GB' }),
  };
  const company = env.create('res.company', { name: 'ODX Distribution Inc.', currency_id: usd });
  const companyPartner = env.create('res.partner', {
    name: 'ODX Distribution Inc.',
    is_company: true,
    street: '1 Warehouse Way',
    city: 'Chicago',
    zip: '60607',
    country_id: countries.US,
    email: 'info@odx.example',
  });
  env.store.put('res.company', company, { ...env.browse('res.company', company), partner_id: companyPartner });
  const botPartner = env.create('res.partner', { name: 'OdooBot', email: 'odoobot@example.com', active: false });
  const adminPartner = env.create('res.partner', { name: 'Administrator', email: 'admin@odx.example', parent_id: companyPartner });
  env.create('res.users', { name: 'OdooBot', login: '__system__', active: false, partner_id: botPartner, company_id: company });
  env.create('res.users', { name: 'Administrator', login: 'admin', partner_id: adminPartner, company_id: company });

  const units = env.create('uom.uom', { name: 'Units', uom_type: 'reference', factor: 1 });
  env.create('uom.uom', { name: 'Dozens', uom_type: 'bigger', factor: 1 / 12 });
  const kg = env.create('uom.uom', { name: 'kg', uom_type: 'reference', factor: 1 });
  const tax = env.create('account.tax', { name: '15%', amount: 15, amount_type: 'percent', type_tax_use: 'sale' });
  env.create('account.tax', { name: '0% Exempt', amount: 0, amount_type: 'percent', type_tax_use: 'sale' });

  const allCateg = env.create('product.category', { name: 'All' });
  const saleable = env.create('product.category', { name: 'Saleable', parent_id: allCateg });
  const categIds = new Map<string, number>();
  for (const c of CATEGORIES) categIds.set(c, env.create('product.category', { name: c, parent_id: saleable }));

  // Locations as a fresh Odoo database lays them out.
  const physical = env.create('stock.location', { name: 'Physical Locations', usage: 'view' });
  const partners = env.create('stock.location', { name: 'Partners', usage: 'view' });
  const virtual = env.create('stock.location', { name: 'Virtual Locations', usage: 'view' });
  env.create('stock.location', { name: 'Vendors', usage: 'supplier', location_id: partners });
  env.create('stock.location', { name: 'Customers', usage: 'customer', location_id: partners });
  env.create('stock.location', { name: 'Inventory adjustment', usage: 'inventory', location_id: virtual });
  const warehouses: { id: number; stock: number }[] = [];
  for (const [name, code] of [
    ['ODX Main Warehouse', 'WH'],
    ['ODX East Warehouse', 'WH2'],
  ] as const) {
    const wh = env.create('stock.warehouse', { name, code, company_id: company });
    const view = env.create('stock.location', { name: code, usage: 'view', location_id: physical, warehouse_id: wh });
    const stock = env.create('stock.location', { name: 'Stock', usage: 'internal', location_id: view, warehouse_id: wh });
    const customers = env.search('stock.location', [['usage', '=', 'customer']], { limit: 1 })[0];
    const outType = env.create('stock.picking.type', {
      name: 'Delivery Orders',
      code: 'outgoing',
      sequence_code: 'OUT',
      warehouse_id: wh,
      default_location_src_id: stock,
      default_location_dest_id: customers,
      use_create_lots: false,
    });
    const inType = env.create('stock.picking.type', {
      name: 'Receipts',
      code: 'incoming',
      sequence_code: 'IN',
      warehouse_id: wh,
      default_location_dest_id: stock,
      use_existing_lots: false,
    });
    // As a warehouse sets them up: a delivery comes back through its receipts, and the other way round.
    env.store.put('stock.picking.type', outType, { ...env.browse('stock.picking.type', outType), return_picking_type_id: inType });
    env.store.put('stock.picking.type', inType, { ...env.browse('stock.picking.type', inType), return_picking_type_id: outType });
    env.store.put('stock.warehouse', wh, {
      ...env.browse('stock.warehouse', wh),
      lot_stock_id: stock,
      view_location_id: view,
      in_type_id: inType,
      out_type_id: outType,
    });
    warehouses.push({ id: wh, stock });
  }

  // Products: SKU-00001..., EAN-13 barcodes in the 200-299 in-store range.
  const products: number[] = [];
  for (let i = 1; i <= productCount; i++) {
    const categ = CATEGORIES[(i - 1) % CATEGORIES.length]!;
    const base = rng.pick(ITEMS[categ]);
    const cost = money(rng.int(50, 20000) / 100);
    const service = i % 67 === 0;
    const consumable = !service && i % 9 === 0;
    products.push(
      env.create('product.product', {
        name: `${base} ${rng.pick(VARIANTS)}`,
        default_code: `SKU-${String(i).padStart(5, '0')}`,
        barcode: ean13(`2${String(rng.int(10, 99))}${String(i).padStart(9, '0')}`),
        type: service ? 'service' : consumable ? 'consu' : 'product',
        invoice_policy: i % 4 === 0 ? 'delivery' : 'order',
        list_price: money(cost * (1.3 + rng.next() * 0.7)),
        standard_price: cost,
        weight: service ? 0 : money(rng.int(5, 2500) / 100),
        volume: service ? 0 : money(rng.int(1, 500) / 1000),
        uom_id: categ === 'Packaging' && i % 5 === 0 ? kg : units,
        categ_id: categIds.get(categ)!,
        taxes_id: [tax],
        sale_ok: true,
      }),
    );
  }
  const freight = env.create('product.product', {
    name: 'Freight Charge',
    default_code: 'FREIGHT',
    type: 'service',
    list_price: 0,
    categ_id: saleable,
    taxes_id: [tax],
  });

  const publicPl = env.create('product.pricelist', { name: 'Public Pricelist', currency_id: usd, sequence: 1 });
  const tierPl = env.create('product.pricelist', { name: 'Distributor Tier 1', currency_id: usd, sequence: 5 });
  env.create('product.pricelist', { name: 'EU Pricelist', currency_id: eur, sequence: 10 });
  for (const [idx, pid] of products.entries()) {
    const p = env.browse('product.product', pid);
    if (idx % 4 === 0)
      env.create('product.pricelist.item', { pricelist_id: publicPl, product_id: pid, fixed_price: money(Number(p.list_price) * 0.95) });
    if (idx % 3 === 0) {
      env.create('product.pricelist.item', { pricelist_id: tierPl, product_id: pid, fixed_price: money(Number(p.list_price) * 0.85) });
      env.create('product.pricelist.item', {
        pricelist_id: tierPl,
        product_id: pid,
        fixed_price: money(Number(p.list_price) * 0.75),
        min_quantity: 50,
      });
    }
  }

  env.create('delivery.carrier', {
    name: 'UPS Ground',
    delivery_type: 'fixed',
    product_id: freight,
    fixed_price: 12.5,
    tracking_url: 'https://www.ups.com/track?tracknum=<shipmenttrackingnumber>',
  });
  env.create('delivery.carrier', {
    name: 'FedEx Express',
    delivery_type: 'fixed',
    product_id: freight,
    fixed_price: 29.0,
    tracking_url: 'https://www.fedex.com/fedextrack/?trknbr=<shipmenttrackingnumber>',
  });
  env.create('delivery.carrier', { name: 'DHL Freight', delivery_type: 'base_on_rule', product_id: freight, fixed_price: 0 });

  for (let i = 1; i <= customerCount; i++) {
    const [city, zip, cc] = rng.pick(CITIES);
    const name = `${rng.pick(NAME_A)} ${rng.pick(NAME_B)} ${rng.pick(NAME_C)}`;
    const domain = name.toLowerCase().replace(/[^a-z]+/g, '');
    const street = `${rng.int(1, 9999)} ${rng.pick(STREETS)}`;
    const customer = env.create('res.partner', {
      name,
      ref: `C${String(i).padStart(5, '0')}`,
      is_company: true,
      customer_rank: 1,
      email: `orders@${domain}${i}.example`,
      phone: `+1 555 ${String(rng.int(100, 999))} ${String(rng.int(1000, 9999))}`,
      street,
      city,
      zip,
      country_id: countries[cc],
      vat: cc === 'US' ? false : `${cc}${rng.int(100000000, 999999999)}`,
      property_product_pricelist: i % 3 === 0 ? tierPl : publicPl,
      // Not drawn from the PRNG, so the rest of the seed stays as it was: every tenth customer has no
      // limit of its own (0, as in Odoo), the others 100,000 to 500,000.
      credit_limit: i % 10 === 0 ? 0 : 100_000 * (1 + (i % 5)),
    });
    env.create('res.partner', {
      parent_id: customer,
      type: 'invoice',
      name: 'Accounts Payable',
      email: `ap@${domain}${i}.example`,
      street,
      city,
      zip,
      country_id: countries[cc],
    });
    const docks = rng.int(1, 2);
    for (let d = 1; d <= docks; d++) {
      const [dcity, dzip, dcc] = rng.pick(CITIES);
      env.create('res.partner', {
        parent_id: customer,
        type: 'delivery',
        name: `Receiving Dock ${d}`,
        street: `${rng.int(1, 9999)} ${rng.pick(STREETS)}`,
        city: dcity,
        zip: dzip,
        country_id: countries[dcc],
      });
    }
    env.create('res.partner', {
      parent_id: customer,
      type: 'contact',
      name: `${rng.pick(FIRST)} ${rng.pick(LAST)}`,
      email: `buyer@${domain}${i}.example`,
    });
  }

  for (const pid of products) {
    const p = env.browse('product.product', pid);
    if (p.type !== 'product') continue;
    for (const [w, wh] of warehouses.entries()) {
      const qty = rng.chance(0.1) ? 0 : rng.int(w === 0 ? 20 : 0, w === 0 ? 600 : 200);
      if (qty > 0) env.create('stock.quant', { product_id: pid, location_id: wh.stock, quantity: qty });
    }
  }

  // Created last, so the ids of everything above are what they were before it existed.
  seedCreditHoldCustomer(env, { usd, country: countries.US!, tax, product: products[0]! });
  // After it, for the same reason, and from a PRNG of their own so no draw above moves.
  seedSuppliers(env, { seed: (opts.seed ?? 20260101) ^ 0x5eed, usd, countries, products });
}

/** The credit-hold demo customer, its invoice address and its open (and settled) receivables. */
function seedCreditHoldCustomer(env: Env, ctx: { usd: number; country: number; tax: number; product: number }): void {
  const c = CREDIT_HOLD_CUSTOMER;
  const customer = env.create('res.partner', {
    name: c.name,
    ref: c.ref,
    is_company: true,
    customer_rank: 1,
    email: 'orders@overdue-hardware.example',
    street: '9 Late Payment Ln',
    city: 'Chicago',
    zip: '60608',
    country_id: ctx.country,
    credit_limit: c.creditLimit,
  });
  const billTo = env.create('res.partner', {
    parent_id: customer,
    type: 'invoice',
    name: 'Accounts Payable',
    email: 'ap@overdue-hardware.example',
    city: 'Chicago',
    zip: '60608',
    country_id: ctx.country,
  });
  env.create('res.partner', {
    parent_id: customer,
    type: 'delivery',
    name: 'Receiving Dock 1',
    street: '9 Late Payment Ln',
    city: 'Chicago',
    zip: '60608',
    country_id: ctx.country,
  });
  // Invoiced 45 days ago, due after 30: overdue. 15% tax on every line.
  const invoiceDate = formatDate(env.nowUs - 45 * 86_400_000_000);
  const move = (moveType: 'out_invoice' | 'out_refund', qty: number, priceUnit: number, ref: string): number => {
    const id = env.create('account.move', {
      move_type: moveType,
      partner_id: billTo,
      currency_id: ctx.usd,
      invoice_date: invoiceDate,
      ref,
      invoice_line_ids: [
        [0, 0, { product_id: ctx.product, name: ref, quantity: qty, price_unit: priceUnit, tax_ids: [[6, 0, [ctx.tax]]] }],
      ],
    });
    postInvoices(env, [id]);
    return id;
  };
  move('out_invoice', 10, 250, 'PO-OVERDUE-1'); // 2,875.00 not paid
  registerPayment(env, [move('out_invoice', 4, 250, 'PO-OVERDUE-2')], 575); // 1,150.00, 575.00 paid: partial
  const settled = move('out_invoice', 2, 250, 'PO-OVERDUE-3'); // 575.00, paid and reconciled with the bank
  registerPayment(env, [settled], null);
  env.write('account.move', [settled], { payment_state: 'paid' });
  move('out_refund', 1, 200, 'RMA-OVERDUE-1'); // 230.00 credit note, not yet refunded
}
