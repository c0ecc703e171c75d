import { postInvoices } from '../business/post-invoice.js';
import { registerPayment } from '../business/register-payment.js';
import { refreshPurchaseLines } from '../business/purchase-order-amounts.js';
import { refreshInvoice } from '../business/sale-order-amounts.js';
import { formatDate } from '../clock.js';
import { userError } from '../errors.js';
import { ORM_METHODS } from '../orm/methods.js';
import type { Env } from '../orm/env.js';
import { defineModel, fields } from '../orm/model-def.js';

const MOVE_TYPES = [
  ['entry', 'Journal Entry'],
  ['out_invoice', 'Customer Invoice'],
  ['out_refund', 'Customer Credit Note'],
  ['in_invoice', 'Vendor Bill'],
  ['in_refund', 'Vendor Credit Note'],
] as const;

/** _get_move_display_name: what a draft without a number is called, by move type. */
const DRAFT_NAMES: Record<string, string> = {
  out_invoice: 'Invoice',
  out_refund: 'Credit Note',
  in_invoice: 'Vendor Bill',
  in_refund: 'Vendor Credit Note',
};

/** The purchase lines billed by some move lines, whose qty_invoiced (and orders) follow. */
const purchaseLinesOf = (env: Env, moveLineIds: number[]): unknown[] =>
  moveLineIds.map((id) => env.store.get('account.move.line', id)?.purchase_line_id);

export const accountMove = defineModel({
  name: 'account.move',
  description: 'Journal Entry',
  order: 'date desc, name desc, id desc',
  displayName: (_env, rec) =>
    rec.state === 'draft' && (!rec.name || rec.name === '/')
      ? `Draft ${DRAFT_NAMES[String(rec.move_type)] ?? 'Entry'} (* ${rec.id})`
      : String(rec.name),
  fields: {
    name: fields.char('Number', { default: '/', readonly: true }),
    move_type: fields.selection(MOVE_TYPES, 'Type', { default: 'entry', required: true }),
    state: fields.selection(
      [
        ['draft', 'Draft'],
        ['posted', 'Posted'],
        ['cancel', 'Cancelled'],
      ],
      'Status',
      { default: 'draft', required: true, readonly: true },
    ),
    payment_state: fields.selection(
      [
        ['not_paid', 'Not Paid'],
        ['in_payment', 'In Payment'],
        ['paid', 'Paid'],
        ['partial', 'Partially Paid'],
        ['reversed', 'Reversed'],
        ['invoicing_legacy', 'Invoicing App Legacy'],
      ],
      'Payment Status',
      { default: 'not_paid', readonly: true },
    ),
    partner_id: fields.many2one('res.partner', 'Partner', { ondelete: 'restrict' }),
    partner_shipping_id: fields.many2one('res.partner', 'Delivery Address'),
    commercial_partner_id: fields.many2one('res.partner', 'Commercial Entity', {
      readonly: true,
      compute: (env, rec) =>
        typeof rec.partner_id === 'number'
          ? Number(env.value(env.modelDef('res.partner'), env.browse('res.partner', rec.partner_id), 'commercial_partner_id'))
          : null,
    }),
    ref: fields.char('Reference'),
    payment_reference: fields.char('Payment Reference'),
    invoice_origin: fields.char('Origin'),
    reversed_entry_id: fields.many2one('account.move', 'Reversal of', { readonly: true }),
    reversal_move_id: fields.one2many('account.move', 'reversed_entry_id', 'Reversal Move'),
    date: fields.date('Date', { required: true, default: (env) => formatDate(env.nowUs) }),
    invoice_date: fields.date('Invoice/Bill Date'),
    invoice_date_due: fields.date('Due Date'),
    currency_id: fields.many2one('res.currency', 'Currency', { required: true, default: 1 }),
    company_id: fields.many2one('res.company', 'Company', { default: 1 }),
    invoice_line_ids: fields.one2many('account.move.line', 'move_id', 'Invoice lines'),
    line_ids: fields.one2many('account.move.line', 'move_id', 'Journal Items'),
    amount_untaxed: fields.monetary('Untaxed Amount', { readonly: true }),
    amount_tax: fields.monetary('Tax', { readonly: true }),
    amount_total: fields.monetary('Total', { readonly: true }),
    amount_residual: fields.monetary('Amount Due', { readonly: true }),
    // In the company currency, negative for credit notes and bills (Odoo 17's *_signed fields); the
    // simulator has no exchange rates, so they are the amounts above with the move type's sign.
    amount_total_signed: fields.monetary('Total Signed', { readonly: true }),
    amount_residual_signed: fields.monetary('Amount Due Signed', { readonly: true }),
    x_amount_paid: fields.monetary('Amount Paid (simulator)', { readonly: true }),
    narration: fields.html('Terms and Conditions'),
  },
  hooks: {
    afterWrite(env, ids, vals) {
      if ('invoice_line_ids' in vals || 'line_ids' in vals || 'state' in vals) for (const id of ids) refreshInvoice(env, id);
      if ('state' in vals || 'move_type' in vals)
        refreshPurchaseLines(
          env,
          purchaseLinesOf(
            env,
            ids.flatMap((id) => env.store.referencing('account.move.line', 'move_id', id)),
          ),
        );
    },
  },
  methods: {
    action_post: { api: 'records', params: [], run: (env, ids) => postInvoices(env, ids) },
    button_draft: {
      api: 'records',
      params: [],
      run(env, ids) {
        for (const m of env.ensure('account.move', ids)) {
          if (m.state === 'draft') continue;
          env.write('account.move', [m.id], { state: 'draft' });
        }
        return null;
      },
    },
    button_cancel: {
      api: 'records',
      params: [],
      run(env, ids) {
        if (env.ensure('account.move', ids).some((m) => m.state !== 'draft'))
          throw userError('Only draft journal entries can be cancelled.');
        env.write('account.move', ids, { state: 'cancel' });
        return null;
      },
    },
    action_register_payment: {
      api: 'records',
      params: [],
      run: (_env, ids) => ({
        name: 'Pay',
        type: 'ir.actions.act_window',
        res_model: 'account.payment.register',
        view_mode: 'form',
        target: 'new',
        context: { active_model: 'account.move', active_ids: ids },
      }),
    },
    unlink: {
      ...ORM_METHODS.unlink!,
      run(env, ids, kw, call) {
        if (env.ensure('account.move', ids).some((m) => m.name && m.name !== '/' && m.state !== 'draft')) {
          throw userError('You cannot delete an entry which has been posted once.');
        }
        return ORM_METHODS.unlink!.run(env, ids, kw, call);
      },
    },
  },
});

export const accountMoveLine = defineModel({
  name: 'account.move.line',
  description: 'Journal Item',
  order: 'date desc, move_name desc, id',
  fields: {
    move_id: fields.many2one('account.move', 'Journal Entry', { required: true, ondelete: 'cascade' }),
    move_name: fields.char('Number', {
      readonly: true,
      compute: (env, rec) => (env.store.get('account.move', rec.move_id as number)?.name as string) ?? null,
    }),
    date: fields.date('Date', {
      readonly: true,
      compute: (env, rec) => (env.store.get('account.move', rec.move_id as number)?.date as string) ?? null,
    }),
    parent_state: fields.char('Status', {
      readonly: true,
      compute: (env, rec) => (env.store.get('account.move', rec.move_id as number)?.state as string) ?? null,
    }),
    partner_id: fields.many2one('res.partner', 'Partner', {
      readonly: true,
      compute: (env, rec) => (env.store.get('account.move', rec.move_id as number)?.partner_id as number) ?? null,
    }),
    sequence: fields.integer('Sequence', { default: 10 }),
    display_type: fields.selection(
      [
        ['product', 'Product'],
        ['line_section', 'Section'],
        ['line_note', 'Note'],
      ],
      'Display Type',
      { default: 'product' },
    ),
    product_id: fields.many2one('product.product', 'Product'),
    name: fields.char('Label'),
    quantity: fields.float('Quantity', { default: 1 }),
    price_unit: fields.float('Unit Price'),
    discount: fields.float('Discount (%)'),
    tax_ids: fields.many2many('account.tax', 'Taxes'),
    price_subtotal: fields.monetary('Subtotal', { readonly: true }),
    price_total: fields.monetary('Total', { readonly: true }),
    sale_line_ids: fields.many2many('sale.order.line', 'Sales Order Lines'),
    product_uom_id: fields.many2one('uom.uom', 'Unit of Measure'),
    purchase_line_id: fields.many2one('purchase.order.line', 'Purchase Order Line'),
    purchase_order_id: fields.many2one('purchase.order', 'Purchase Order', {
      readonly: true,
      related: 'purchase_line_id.order_id',
      compute: (env, rec) =>
        typeof rec.purchase_line_id === 'number'
          ? ((env.store.get('purchase.order.line', rec.purchase_line_id)?.order_id as number) ?? null)
          : null,
    }),
    currency_id: fields.many2one('res.currency', 'Currency', {
      readonly: true,
      compute: (env, rec) => (env.store.get('account.move', rec.move_id as number)?.currency_id as number) ?? null,
    }),
  },
  hooks: {
    prepareCreate(env, vals) {
      if (typeof vals.product_id === 'number' && vals.product_uom_id === undefined)
        vals.product_uom_id = env.store.get('product.product', vals.product_id)?.uom_id ?? false;
    },
    afterCreate(env, ids) {
      for (const id of ids) refreshInvoice(env, env.browse('account.move.line', id).move_id as number);
      refreshPurchaseLines(env, purchaseLinesOf(env, ids));
    },
    afterWrite(env, ids, vals) {
      for (const id of ids) refreshInvoice(env, env.browse('account.move.line', id).move_id as number);
      if ('quantity' in vals || 'purchase_line_id' in vals) refreshPurchaseLines(env, purchaseLinesOf(env, ids));
    },
    afterUnlink(env, removed) {
      for (const move of new Set(removed.map((l) => l.move_id as number)))
        if (env.store.get('account.move', move)) refreshInvoice(env, move);
      refreshPurchaseLines(
        env,
        removed.map((l) => l.purchase_line_id),
      );
    },
  },
});

/** The "Register Payment" wizard, opened with context active_model='account.move', active_ids=[...]. */
export const accountPaymentRegister = defineModel({
  name: 'account.payment.register',
  description: 'Pay',
  order: 'id',
  fields: {
    line_ids: fields.many2many('account.move.line', 'Journal items', {
      default: (env) =>
        env.context.active_model === 'account.move' && Array.isArray(env.context.active_ids)
          ? (env.context.active_ids as number[]).flatMap((id) => env.store.referencing('account.move.line', 'move_id', id))
          : [],
    }),
    amount: fields.monetary('Amount', {
      default: (env, vals) => {
        const lineIds =
          Array.isArray(vals.line_ids) && vals.line_ids.every((x) => typeof x === 'number') ? (vals.line_ids as number[]) : null;
        const moves = lineIds
          ? [...new Set(lineIds.map((l) => env.store.get('account.move.line', l)?.move_id as number))]
          : env.context.active_model === 'account.move' && Array.isArray(env.context.active_ids)
            ? (env.context.active_ids as number[])
            : [];
        return moves.reduce((s, id) => s + Number(env.store.get('account.move', id)?.amount_residual ?? 0), 0);
      },
    }),
    payment_date: fields.date('Payment Date', { default: (env) => formatDate(env.nowUs) }),
    communication: fields.char('Memo'),
    currency_id: fields.many2one('res.currency', 'Currency', { default: 1 }),
  },
  methods: {
    action_create_payments: {
      api: 'records',
      params: [],
      run(env, ids) {
        for (const w of env.ensure('account.payment.register', ids)) {
          const moves = [
            ...new Set(((w.line_ids as number[]) ?? []).map((l) => env.store.get('account.move.line', l)?.move_id as number)),
          ].filter((x) => x !== undefined);
          if (moves.length === 0)
            throw userError("You can't open the register payment wizard without at least one receivable/payable line.");
          registerPayment(env, moves, Number(w.amount ?? 0) || null);
        }
        return true;
      },
    },
  },
});
