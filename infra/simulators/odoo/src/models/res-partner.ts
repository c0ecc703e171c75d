import type { Env } from '../orm/env.js';
import { defineModel, fields, type RawRecord } from '../orm/model-def.js';

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
