import type { Env } from '../orm/env.js';
import { defineModel, fields, type RawRecord } from '../orm/model-def.js';
import { round2 } from './product.js';

const TYPES = [
  ['contact', 'Contact'],
  ['invoice', 'Invoice Address'],
  ['delivery', 'Delivery Address'],
  ['other', 'Other Address'],
  ['private', 'Private Address'],
] as const;

/** res.partner's complete_name (_get_complete_name in Odoo 17). */
function completeName(env: Env, rec: RawRecord): string {
  let name = typeof rec.name === 'string' ? rec.name : '';
  const parent = typeof rec.parent_id === 'number' ? env.store.get('res.partner', rec.parent_id) : undefined;
  if (parent) {
    if (!name && rec.type !== 'contact') name = TYPES.find(([k]) => k === rec.type)?.[1] ?? '';
    if (rec.is_company !== true) name = `${String(parent.name ?? '')}, ${name}`;
  }
  return name;
}

/** The commercial entity: the topmost company above a contact. */
function commercialPartner(env: Env, rec: RawRecord): number {
  let cur = rec;
  for (let depth = 0; depth < 20; depth++) {
    if (cur.is_company === true || typeof cur.parent_id !== 'number') return cur.id;
    const parent = env.store.get('res.partner', cur.parent_id);
    if (!parent) return cur.id;
    cur = parent;
  }
  return cur.id;
}

/**
 * res.partner.credit: what the commercial partner owes, the sum of the signed residuals of its posted
 * customer invoices and credit notes (Odoo sums the open receivable lines, which carry the commercial
 * partner; its contacts and addresses show 0).
 */
function totalReceivable(env: Env, rec: RawRecord): number {
  if (commercialPartner(env, rec) !== rec.id) return 0;
  let total = 0;
  const todo = [rec.id];
  const seen = new Set<number>();
  while (todo.length > 0) {
    const pid = todo.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    for (const moveId of env.store.referencing('account.move', 'partner_id', pid)) {
      const m = env.store.get('account.move', moveId);
      if (m && m.state === 'posted' && (m.move_type === 'out_invoice' || m.move_type === 'out_refund')) total += Number(m.amount_residual_signed ?? 0);
    }
    for (const child of env.store.referencing('res.partner', 'parent_id', pid)) {
      if (env.store.get('res.partner', child)?.is_company !== true) todo.push(child);
    }
  }
  return round2(total);
}

export const resPartner = defineModel({
  name: 'res.partner',
  description: 'Contact',
  order: 'complete_name ASC, id DESC',
  recName: 'complete_name',
  displayName: (_env, rec) => String(rec.complete_name ?? ''),
  fields: {
    name: fields.char('Name'),
    complete_name: fields.char('Complete Name', { readonly: true }),
    ref: fields.char('Reference'),
    email: fields.char('Email'),
    phone: fields.char('Phone'),
    mobile: fields.char('Mobile'),
    website: fields.char('Website Link'),
    street: fields.char('Street'),
    street2: fields.char('Street2'),
    city: fields.char('City'),
    zip: fields.char('Zip'),
    country_id: fields.many2one('res.country', 'Country', { ondelete: 'restrict' }),
    country_code: fields.char('Country Code', {
      readonly: true,
      related: 'country_id.code',
      compute: (env, rec) => (typeof rec.country_id === 'number' ? ((env.store.get('res.country', rec.country_id)?.code as string) ?? null) : null),
    }),
    vat: fields.char('Tax ID'),
    lang: fields.char('Language', { default: 'en_US' }),
    tz: fields.char('Timezone'),
    is_company: fields.boolean('Is a Company', { default: false }),
    company_type: fields.selection([['person', 'Individual'], ['company', 'Company']], 'Company Type', {
      compute: (_env, rec) => (rec.is_company === true ? 'company' : 'person'),
    }),
    parent_id: fields.many2one('res.partner', 'Related Company'),
    child_ids: fields.one2many('res.partner', 'parent_id', 'Contact'),
    commercial_partner_id: fields.many2one('res.partner', 'Commercial Entity', {
      readonly: true,
      compute: (env, rec) => commercialPartner(env, rec),
    }),
    type: fields.selection(TYPES, 'Address Type', { default: 'contact' }),
    customer_rank: fields.integer('Customer Rank', { default: 0 }),
    supplier_rank: fields.integer('Supplier Rank', { default: 0 }),
    property_product_pricelist: fields.many2one('product.pricelist', 'Pricelist'),
    comment: fields.html('Notes'),
    active: fields.boolean('Active', { default: true }),
    // account module (Odoo 17): a company-dependent Float; 0 means "no limit of its own" (Odoo's credit
    // warning skips partners whose credit_limit is falsy), so use_partner_credit_limit is credit_limit != 0
    // here, the company default being 0.
    credit_limit: fields.float('Credit Limit', { help: 'Credit limit specific to this partner.' }),
    use_partner_credit_limit: fields.boolean('Partner Limit', {
      readonly: true,
      help: 'Set a value greater than 0.0 to activate a credit limit check',
      compute: (_env, rec) => Number(rec.credit_limit ?? 0) !== 0,
    }),
    credit: fields.monetary('Total Receivable', {
      readonly: true,
      help: 'Total amount this customer owes you.',
      compute: (env, rec) => totalReceivable(env, rec),
    }),
  },
  hooks: {
    afterCreate(env, ids) {
      for (const id of ids) {
        const rec = env.browse('res.partner', id);
        env.store.put('res.partner', id, { ...rec, complete_name: completeName(env, rec) });
      }
    },
    afterWrite(env, ids, vals) {
      if (!('name' in vals || 'parent_id' in vals || 'type' in vals || 'is_company' in vals)) return;
      const todo = [...ids];
      while (todo.length) {
        const id = todo.shift()!;
        const rec = env.browse('res.partner', id);
        env.setStored('res.partner', id, { complete_name: completeName(env, rec) });
        todo.push(...env.store.referencing('res.partner', 'parent_id', id));
      }
    },
  },
});
