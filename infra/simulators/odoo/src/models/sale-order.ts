import { cancelSaleOrders } from '../business/cancel-sale-order.js';
import { confirmSaleOrders } from '../business/confirm-sale-order.js';
import { createInvoices } from '../business/create-invoices.js';
import { refreshSaleLine, refreshSaleOrder, refreshSaleOrderStatus } from '../business/sale-order-amounts.js';
import { userError } from '../errors.js';
import type { Env } from '../orm/env.js';
import { ORM_METHODS } from '../orm/methods.js';
import { defineModel, fields } from '../orm/model-def.js';
import { pricelistPrice } from './product.js';

const STATES = [
  ['draft', 'Quotation'],
  ['sent', 'Quotation Sent'],
  ['sale', 'Sales Order'],
  ['cancel', 'Cancelled'],
] as const;
const INVOICE_STATUS = [
  ['upselling', 'Upselling Opportunity'],
  ['invoiced', 'Fully Invoiced'],
  ['to invoice', 'To Invoice'],
  ['no', 'Nothing to Invoice'],
] as const;

/** res.partner.address_get: the first child address of a type, else the commercial partner. */
export function addressOf(env: Env, partnerId: number, type: 'invoice' | 'delivery'): number {
  const partner = env.browse('res.partner', partnerId);
  if (partner.type === type) return partnerId;
  const commercial = Number(env.value(env.modelDef('res.partner'), partner, 'commercial_partner_id'));
  for (const root of [partnerId, commercial]) {
    const child = env
      .store.referencing('res.partner', 'parent_id', root)
      .find((id) => {
        const c = env.store.get('res.partner', id)!;
        return c.type === type && c.active !== false;
      });
    if (child !== undefined) return child;
  }
  return partnerId;
}

export const saleOrder = defineModel({
  name: 'sale.order',
  description: 'Sales Order',
  order: 'date_order desc, id desc',
  fields: {
    name: fields.char('Order Reference', { required: true, default: 'New', readonly: true }),
    origin: fields.char('Source Document'),
    client_order_ref: fields.char('Customer Reference'),
    state: fields.selection(STATES, 'Status', { default: 'draft', readonly: true }),
    locked: fields.boolean('Locked', { default: false }),
    date_order: fields.datetime('Order Date', { required: true, default: (env) => env.nowUs }),
    validity_date: fields.date('Expiration'),
    commitment_date: fields.datetime('Delivery Date'),
    partner_id: fields.many2one('res.partner', 'Customer', { required: true }),
    partner_invoice_id: fields.many2one('res.partner', 'Invoice Address', { required: true }),
    partner_shipping_id: fields.many2one('res.partner', 'Delivery Address', { required: true }),
    pricelist_id: fields.many2one('product.pricelist', 'Pricelist'),
    currency_id: fields.many2one('res.currency', 'Currency', { readonly: true }),
    warehouse_id: fields.many2one('stock.warehouse', 'Warehouse', { required: true }),
    user_id: fields.many2one('res.users', 'Salesperson', { default: (env) => env.uid }),
    company_id: fields.many2one('res.company', 'Company', { required: true, default: 1 }),
    order_line: fields.one2many('sale.order.line', 'order_id', 'Order Lines'),
    amount_untaxed: fields.monetary('Untaxed Amount', { readonly: true }),
    amount_tax: fields.monetary('Taxes', { readonly: true }),
    amount_total: fields.monetary('Total', { readonly: true }),
    invoice_status: fields.selection(INVOICE_STATUS, 'Invoice Status', { default: 'no', readonly: true }),
    invoice_ids: fields.many2many('account.move', 'Invoices', { readonly: true }),
    invoice_count: fields.integer('Invoice Count', { readonly: true, compute: (_env, rec) => ((rec.invoice_ids as number[]) ?? []).length }),
    picking_ids: fields.one2many('stock.picking', 'sale_id', 'Transfers'),
    delivery_count: fields.integer('Delivery Orders', { readonly: true, compute: (env, rec) => env.store.referencing('stock.picking', 'sale_id', rec.id).length }),
    carrier_id: fields.many2one('delivery.carrier', 'Delivery Method'),
    note: fields.html('Terms and conditions'),
  },
  hooks: {
    prepareCreate(env, vals) {
      if (!vals.name || vals.name === 'New' || vals.name === '/') vals.name = `S${String(env.nextSequence('sale.order')).padStart(5, '0')}`;
      if (typeof vals.partner_id === 'number' && env.store.get('res.partner', vals.partner_id)) {
        vals.partner_invoice_id ??= addressOf(env, vals.partner_id, 'invoice');
        vals.partner_shipping_id ??= addressOf(env, vals.partner_id, 'delivery');
        const partner = env.browse('res.partner', vals.partner_id);
        vals.pricelist_id ??= partner.property_product_pricelist ?? env.search('product.pricelist', [], { limit: 1 })[0] ?? false;
      }
      vals.warehouse_id ??= env.search('stock.warehouse', [], { limit: 1 })[0] ?? false;
      const pl = typeof vals.pricelist_id === 'number' ? env.store.get('product.pricelist', vals.pricelist_id) : undefined;
      vals.currency_id = pl?.currency_id ?? env.store.get('res.company', 1)?.currency_id ?? false;
    },
    afterCreate(env, ids) {
      for (const id of ids) refreshSaleOrderStatus(env, id);
    },
    afterWrite(env, ids, vals) {
      if ('pricelist_id' in vals) {
        for (const id of ids) {
          const o = env.browse('sale.order', id);
          const pl = typeof o.pricelist_id === 'number' ? env.store.get('product.pricelist', o.pricelist_id) : undefined;
          if (pl) env.setStored('sale.order', id, { currency_id: pl.currency_id as number });
        }
      }
      if ('state' in vals || 'order_line' in vals) for (const id of ids) refreshSaleOrderStatus(env, id);
    },
  },
  methods: {
    action_confirm: { api: 'records', params: [], run: (env, ids) => confirmSaleOrders(env, ids) },
    action_cancel: { api: 'records', params: [], run: (env, ids) => cancelSaleOrders(env, ids) },
    action_draft: {
      api: 'records',
      params: [],
      run(env, ids) {
        const orders = env.ensure('sale.order', ids).filter((o) => o.state === 'cancel' || o.state === 'sent');
        if (orders.length) env.write('sale.order', orders.map((o) => o.id), { state: 'draft' });
        return true;
      },
    },
    action_quotation_sent: {
      api: 'records',
      params: [],
      run(env, ids) {
        const orders = env.ensure('sale.order', ids);
        if (orders.some((o) => o.state !== 'draft' && o.state !== 'sent')) throw userError('Only draft orders can be marked as sent directly.');
        env.write('sale.order', ids, { state: 'sent' });
        return null;
      },
    },
    unlink: {
      ...ORM_METHODS.unlink!,
      run(env, ids, kw, call) {
        if (env.ensure('sale.order', ids).some((o) => o.state !== 'draft' && o.state !== 'cancel')) {
          throw userError('You can not delete a sent quotation or a confirmed sales order. You must first cancel it.');
        }
        return ORM_METHODS.unlink!.run(env, ids, kw, call);
      },
    },
  },
});

export const saleOrderLine = defineModel({
  name: 'sale.order.line',
  description: 'Sales Order Line',
  order: 'order_id, sequence, id',
  displayName: (env, rec) => `${env.displayName('sale.order', rec.order_id as number)} - ${String(rec.name ?? '')}`,
  fields: {
    order_id: fields.many2one('sale.order', 'Order Reference', { required: true, ondelete: 'cascade' }),
    sequence: fields.integer('Sequence', { default: 10 }),
    product_id: fields.many2one('product.product', 'Product', { ondelete: 'restrict' }),
    name: fields.text('Description', { required: true }),
    product_uom_qty: fields.float('Quantity', { default: 1 }),
    product_uom: fields.many2one('uom.uom', 'Unit of Measure'),
    price_unit: fields.float('Unit Price'),
    discount: fields.float('Discount (%)'),
    tax_id: fields.many2many('account.tax', 'Taxes'),
    price_subtotal: fields.monetary('Subtotal', { readonly: true }),
    price_tax: fields.float('Total Tax', { readonly: true }),
    price_total: fields.monetary('Total', { readonly: true }),
    qty_delivered: fields.float('Delivery Quantity', { readonly: true }),
    qty_invoiced: fields.float('Invoiced Quantity', { readonly: true }),
    qty_to_invoice: fields.float('Quantity To Invoice', { readonly: true }),
    invoice_status: fields.selection(INVOICE_STATUS, 'Invoice Status', { default: 'no', readonly: true }),
    move_ids: fields.one2many('stock.move', 'sale_line_id', 'Stock Moves'),
    currency_id: fields.many2one('res.currency', 'Currency', {
      readonly: true,
      compute: (env, rec) => (env.store.get('sale.order', rec.order_id as number)?.currency_id as number) ?? null,
    }),
    order_partner_id: fields.many2one('res.partner', 'Customer', {
      readonly: true,
      compute: (env, rec) => (env.store.get('sale.order', rec.order_id as number)?.partner_id as number) ?? null,
    }),
    state: fields.selection(STATES, 'Order Status', {
      readonly: true,
      compute: (env, rec) => (env.store.get('sale.order', rec.order_id as number)?.state as string) ?? null,
    }),
  },
  hooks: {
    prepareCreate(env, vals) {
      if (typeof vals.product_id !== 'number') return;
      const product = env.browse('product.product', vals.product_id);
      vals.name ??= product.description_sale ? `${env.displayName('product.product', product.id)}\n${String(product.description_sale)}` : env.displayName('product.product', product.id);
      vals.product_uom ??= product.uom_id;
      vals.tax_id ??= product.taxes_id ?? [];
      if (vals.price_unit === undefined) {
        const order = typeof vals.order_id === 'number' ? env.store.get('sale.order', vals.order_id) : undefined;
        const pricelist = typeof order?.pricelist_id === 'number' ? order.pricelist_id : null;
        vals.price_unit = pricelistPrice(env, pricelist, product.id, Number(vals.product_uom_qty ?? 1));
      }
    },
    afterCreate(env, ids) {
      for (const id of ids) {
        refreshSaleLine(env, id);
        refreshSaleOrder(env, env.browse('sale.order.line', id).order_id as number);
      }
    },
    afterWrite(env, ids) {
      for (const id of ids) {
        refreshSaleLine(env, id);
        refreshSaleOrder(env, env.browse('sale.order.line', id).order_id as number);
      }
    },
  },
  methods: {
    unlink: {
      ...ORM_METHODS.unlink!,
      run(env, ids, kw, call) {
        const lines = env.ensure('sale.order.line', ids);
        if (lines.some((l) => env.store.get('sale.order', l.order_id as number)?.state === 'sale')) {
          throw userError(
            "Once a sales order is confirmed, you can't remove one of its lines (we need to track if something gets invoiced or delivered).\n                Set the quantity to 0 instead.",
          );
        }
        const orders = new Set(lines.map((l) => l.order_id as number));
        const result = ORM_METHODS.unlink!.run(env, ids, kw, call);
        for (const o of orders) if (env.store.get('sale.order', o)) refreshSaleOrder(env, o);
        return result;
      },
    },
  },
});

/** The "Create invoices" wizard; only regular invoices ('delivered') are simulated. */
export const saleAdvancePaymentInv = defineModel({
  name: 'sale.advance.payment.inv',
  description: 'Sales Advance Payment Invoice',
  order: 'id',
  fields: {
    advance_payment_method: fields.selection([['delivered', 'Regular invoice'], ['percentage', 'Down payment (percentage)'], ['fixed', 'Down payment (fixed amount)']], 'Create Invoice', { default: 'delivered', required: true }),
    sale_order_ids: fields.many2many('sale.order', 'Sales Orders', {
      default: (env) => (env.context.active_model === undefined || env.context.active_model === 'sale.order') && Array.isArray(env.context.active_ids) ? (env.context.active_ids as number[]) : [],
    }),
    consolidated_billing: fields.boolean('Consolidated Billing', { default: true }),
  },
  methods: {
    create_invoices: {
      api: 'records',
      params: [],
      run(env, ids) {
        const orderIds = new Set<number>();
        for (const w of env.ensure('sale.advance.payment.inv', ids)) {
          if (w.advance_payment_method !== 'delivered') throw userError('The simulator only creates regular invoices (advance_payment_method = delivered).');
          for (const id of (w.sale_order_ids as number[]) ?? []) orderIds.add(id);
        }
        const moves = createInvoices(env, [...orderIds]);
        const action: Record<string, unknown> = { type: 'ir.actions.act_window', name: 'Invoices', res_model: 'account.move', context: { default_move_type: 'out_invoice' } };
        if (moves.length === 1) Object.assign(action, { views: [[false, 'form']], view_mode: 'form', res_id: moves[0] });
        else Object.assign(action, { views: [[false, 'list'], [false, 'form']], view_mode: 'tree,form', domain: [['id', 'in', moves]] });
        return action;
      },
    },
  },
});
