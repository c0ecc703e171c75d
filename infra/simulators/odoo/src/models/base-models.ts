/** Reference models the business documents point at: users, company, currencies, countries, UoM, taxes, categories. */
import { defineModel, fields } from '../orm/model-def.js';

export const resUsers = defineModel({
  name: 'res.users',
  description: 'User',
  order: 'name, login',
  fields: {
    name: fields.char('Name', { required: true }),
    login: fields.char('Login', { required: true }),
    active: fields.boolean('Active', { default: true }),
    partner_id: fields.many2one('res.partner', 'Related Partner'),
    company_id: fields.many2one('res.company', 'Company'),
  },
});

export const resCompany = defineModel({
  name: 'res.company',
  description: 'Companies',
  order: 'sequence, name',
  fields: {
    name: fields.char('Company Name', { required: true }),
    sequence: fields.integer('Sequence', { default: 10 }),
    currency_id: fields.many2one('res.currency', 'Currency', { required: true }),
    partner_id: fields.many2one('res.partner', 'Partner'),
  },
});

export const resCurrency = defineModel({
  name: 'res.currency',
  description: 'Currency',
  order: 'active desc, name',
  fields: {
    name: fields.char('Currency', { required: true }),
    symbol: fields.char('Symbol', { required: true }),
    full_name: fields.char('Name'),
    active: fields.boolean('Active', { default: true }),
    rounding: fields.float('Rounding Factor', { default: 0.01 }),
  },
});

export const resCountry = defineModel({
  name: 'res.country',
  description: 'Country',
  order: 'name',
  fields: {
    name: fields.char('Country Name', { required: true }),
    code: fields.char('Country Code', { required: true }),
  },
});

export const uomUom = defineModel({
  name: 'uom.uom',
  description: 'Product Unit of Measure',
  order: 'factor DESC, id',
  fields: {
    name: fields.char('Unit of Measure', { required: true }),
    factor: fields.float('Ratio', { default: 1 }),
    uom_type: fields.selection([['bigger', 'Bigger than the reference Unit of Measure'], ['reference', 'Reference Unit of Measure for this category'], ['smaller', 'Smaller than the reference Unit of Measure']], 'Type', { default: 'reference' }),
    active: fields.boolean('Active', { default: true }),
  },
});

export const accountTax = defineModel({
  name: 'account.tax',
  description: 'Tax',
  order: 'sequence,id',
  fields: {
    name: fields.char('Tax Name', { required: true }),
    sequence: fields.integer('Sequence', { default: 1 }),
    amount_type: fields.selection([['percent', 'Percentage of Price'], ['fixed', 'Fixed']], 'Tax Computation', { default: 'percent' }),
    amount: fields.float('Amount', { required: true }),
    type_tax_use: fields.selection([['sale', 'Sales'], ['purchase', 'Purchases'], ['none', 'None']], 'Tax Type', { default: 'sale' }),
    active: fields.boolean('Active', { default: true }),
  },
});

export const productCategory = defineModel({
  name: 'product.category',
  description: 'Product Category',
  order: 'complete_name',
  recName: 'complete_name',
  fields: {
    name: fields.char('Name', { required: true }),
    complete_name: fields.char('Complete Name', { readonly: true }),
    parent_id: fields.many2one('product.category', 'Parent Category', { ondelete: 'cascade' }),
    child_id: fields.one2many('product.category', 'parent_id', 'Child Categories'),
  },
  hooks: {
    prepareCreate(env, vals) {
      const parent = typeof vals.parent_id === 'number' ? env.store.get('product.category', vals.parent_id) : undefined;
      vals.complete_name = parent ? `${String(parent.complete_name)} / ${String(vals.name)}` : vals.name;
    },
  },
});
