import { formatDatetime } from '../clock.js';
import { cancelPurchaseOrders } from '../business/cancel-purchase-order.js';
import { approvePurchaseOrders, confirmPurchaseOrders, createOrUpdateMoves } from '../business/confirm-purchase-order.js';
import { billsAction, createVendorBills } from '../business/create-vendor-bills.js';
import { dropMoveLines } from '../business/move-lines.js';
import { refreshPurchaseLine, refreshPurchaseOrder, refreshPurchaseOrderStatus } from '../business/purchase-order-amounts.js';
import { refreshPickingState, unreserveMove } from '../business/stock-reservation.js';
import { userError, validationError } from '../errors.js';
import type { Env } from '../orm/env.js';
import { ORM_METHODS } from '../orm/methods.js';
import { defineModel, fields, type RawRecord } from '../orm/model-def.js';
import { selectSeller, sellersOf } from './product-supplierinfo.js';

const STATES = [
  ['draft', 'RFQ'],
  ['sent', 'RFQ Sent'],
  ['to approve', 'To Approve'],
  ['purchase', 'Purchase Order'],
  ['done', 'Locked'],
  ['cancel', 'Cancelled'],
] as const;
const INVOICE_STATUS = [
  ['no', 'Nothing to Bill'],
  ['to invoice', 'Waiting Bills'],
  ['invoiced', 'Fully Billed'],
] as const;
const DAY_US = 86_400_000_000;

const fromOrder = (field: string) => (env: Env, rec: RawRecord) =>
  (env.store.get('purchase.order', rec.order_id as number)?.[field] as string | number | undefined) ?? null;

export const purchaseOrder = defineModel({
  name: 'purchase.order',
  description: 'Purchase Order',
  order: 'priority desc, id desc',
  displayName: (_env, rec) => (rec.partner_ref ? `${String(rec.name)} (${String(rec.partner_ref)})` : String(rec.name)),
  fields: {
    name: fields.char('Order Reference', { required: true, default: 'New' }),
    priority: fields.selection(
      [
        ['0', 'Normal'],
        ['1', 'Urgent'],
      ],
      'Priority',
      { default: '0' },
    ),
    origin: fields.char('Source Document'),
    partner_ref: fields.char('Vendor Reference'),
    date_order: fields.datetime('Order Deadline', { required: true, default: (env) => env.nowUs }),
    date_approve: fields.datetime('Confirmation Date', { readonly: true }),
    partner_id: fields.many2one('res.partner', 'Vendor', { required: true }),
    dest_address_id: fields.many2one('res.partner', 'Dropship Address'),
    currency_id: fields.many2one('res.currency', 'Currency', {
      required: true,
      default: (env) => (env.store.get('res.company', 1)?.currency_id as number) ?? 1,
    }),
    state: fields.selection(STATES, 'Status', { default: 'draft', readonly: true }),
    order_line: fields.one2many('purchase.order.line', 'order_id', 'Order Lines'),
    notes: fields.html('Terms and Conditions'),
    invoice_count: fields.integer('Bill Count', { readonly: true }),
    invoice_ids: fields.many2many('account.move', 'Bills', { readonly: true }),
    invoice_status: fields.selection(INVOICE_STATUS, 'Billing Status', { default: 'no', readonly: true }),
    date_planned: fields.datetime('Expected Arrival'),
    amount_untaxed: fields.monetary('Untaxed Amount', { readonly: true }),
    amount_tax: fields.monetary('Taxes', { readonly: true }),
    amount_total: fields.monetary('Total', { readonly: true }),
    user_id: fields.many2one('res.users', 'Buyer', { default: (env) => env.uid }),
    company_id: fields.many2one('res.company', 'Company', { required: true, default: 1 }),
    mail_reminder_confirmed: fields.boolean('Reminder Confirmed', { readonly: true, default: false }),
    // purchase_stock
    picking_type_id: fields.many2one('stock.picking.type', 'Deliver To', {
      required: true,
      default: (env) => env.search('stock.picking.type', [['code', '=', 'incoming']], { limit: 1 })[0] ?? null,
    }),
    picking_ids: fields.many2many('stock.picking', 'Receptions', { readonly: true }),
    incoming_picking_count: fields.integer('Incoming Shipment count', {
      readonly: true,
      compute: (_env, rec) => ((rec.picking_ids as number[]) ?? []).length,
    }),
    is_shipped: fields.boolean('Is Shipped', {
      readonly: true,
      compute: (env, rec) => {
        const ps = ((rec.picking_ids as number[]) ?? []).map((id) => env.store.get('stock.picking', id)?.state);
        return ps.length > 0 && ps.every((s) => s === 'done' || s === 'cancel');
      },
    }),
    effective_date: fields.datetime('Arrival', { readonly: true }),
    receipt_status: fields.selection(
      [
        ['pending', 'Not Received'],
        ['partial', 'Partially Received'],
        ['full', 'Fully Received'],
      ],
      'Receipt Status',
      { readonly: true },
    ),
  },
  hooks: {
    prepareCreate(env, vals) {
      if (!vals.name || vals.name === 'New') vals.name = `P${String(env.nextSequence('purchase.order')).padStart(5, '0')}`;
    },
    afterCreate(env, ids) {
      for (const id of ids) refreshPurchaseOrder(env, id, { datePlanned: true });
    },
    afterWrite(env, ids, vals) {
      if ('state' in vals || 'order_line' in vals) for (const id of ids) refreshPurchaseOrderStatus(env, id);
      if ('order_line' in vals) for (const id of ids) refreshPurchaseOrder(env, id, { datePlanned: true });
    },
  },
  methods: {
    button_confirm: { api: 'records', params: [], run: (env, ids) => confirmPurchaseOrders(env, ids) },
    button_approve: { api: 'records', params: [{ name: 'force', default: false }], run: (env, ids) => approvePurchaseOrders(env, ids) },
    button_cancel: { api: 'records', params: [], run: (env, ids) => cancelPurchaseOrders(env, ids) },
    button_draft: {
      api: 'records',
      params: [],
      run(env, ids) {
        env.ensure('purchase.order', ids);
        env.write('purchase.order', ids, { state: 'draft' });
        return {};
      },
    },
    button_done: {
      api: 'records',
      params: [],
      run(env, ids) {
        env.ensure('purchase.order', ids);
        env.write('purchase.order', ids, { state: 'done', priority: '0' });
        return null;
      },
    },
    button_unlock: {
      api: 'records',
      params: [],
      run(env, ids) {
        env.ensure('purchase.order', ids);
        env.write('purchase.order', ids, { state: 'purchase' });
        return null;
      },
    },
    /** The RFQ is printed (and so sent): what a client does to mark it 'sent' without mail. */
    print_quotation: {
      api: 'records',
      params: [],
      run(env, ids) {
        env.ensure('purchase.order', ids);
        env.write('purchase.order', ids, { state: 'sent' });
        return {
          type: 'ir.actions.report',
          report_name: 'purchase.report_purchasequotation',
          report_type: 'qweb-pdf',
          context: { active_ids: ids },
        };
      },
    },
    action_create_invoice: { api: 'records', params: [], run: (env, ids) => createVendorBills(env, ids) },
    action_view_invoice: {
      api: 'records',
      params: [{ name: 'invoices', default: false }],
      run(env, ids, kw) {
        const moves = Array.isArray(kw.invoices)
          ? (kw.invoices as number[])
          : env.ensure('purchase.order', ids).flatMap((o) => (o.invoice_ids as number[]) ?? []);
        return billsAction([...new Set(moves)]);
      },
    },
    action_view_picking: {
      api: 'records',
      params: [],
      run(env, ids) {
        const [order] = env.ensure('purchase.order', ids);
        if (!order || ids.length !== 1) throw new Error(`Expected singleton: purchase.order(${ids.join(', ')})`);
        const pickings = (order.picking_ids as number[]) ?? [];
        const action: Record<string, unknown> = {
          type: 'ir.actions.act_window',
          name: 'Transfers',
          res_model: 'stock.picking',
          view_mode: 'tree,kanban,form,calendar,activity',
          context: { default_partner_id: order.partner_id, default_origin: order.name, default_picking_type_id: order.picking_type_id },
        };
        if (pickings.length === 1) Object.assign(action, { views: [[false, 'form']], res_id: pickings[0] });
        else action.domain = [['id', 'in', pickings]];
        return action;
      },
    },
    unlink: {
      ...ORM_METHODS.unlink!,
      run(env, ids, kw, call) {
        if (env.ensure('purchase.order', ids).some((o) => o.state !== 'cancel'))
          throw userError('In order to delete a purchase order, you must cancel it first.');
        return ORM_METHODS.unlink!.run(env, ids, kw, call);
      },
    },
  },
});

/** product display name as a vendor sees it (its code and name on the supplierinfo), plus the purchase description. */
function purchaseDescription(env: Env, productId: number, seller: RawRecord | null): string {
  const p = env.browse('product.product', productId);
  const code = (seller?.product_code as string | null) || (p.default_code as string | null);
  const name = (seller?.product_name as string | null) || String(p.name ?? '');
  const label = code ? `[${code}] ${name}` : name;
  return p.description_purchase ? `${label}\n${String(p.description_purchase)}` : label;
}

/** _compute_price_unit_and_date_planned_and_name: the seller's price and lead time for this quantity. */
function sellerValues(
  env: Env,
  line: { product_id: number; order_id: number; product_qty: number },
): { seller: RawRecord | null; price: number; discount: number; datePlannedUs: number } {
  const order = env.browse('purchase.order', line.order_id);
  const product = env.browse('product.product', line.product_id);
  const dateOrder = typeof order.date_order === 'number' ? order.date_order : env.nowUs;
  const seller = selectSeller(env, line.product_id, {
    partnerId: order.partner_id as number,
    quantity: line.product_qty,
    dateUs: dateOrder,
  });
  return {
    seller,
    price: seller ? Number(seller.price ?? 0) : Number(product.standard_price ?? 0),
    discount: seller ? Number(seller.discount ?? 0) : 0,
    datePlannedUs: dateOrder + (seller ? Number(seller.delay ?? 0) : 0) * DAY_US,
  };
}

export const purchaseOrderLine = defineModel({
  name: 'purchase.order.line',
  description: 'Purchase Order Line',
  order: 'order_id, sequence, id',
  displayName: (env, rec) => `${env.displayName('purchase.order', rec.order_id as number)} - ${String(rec.name ?? '')}`,
  fields: {
    name: fields.text('Description', { required: true }),
    sequence: fields.integer('Sequence', { default: 10 }),
    product_qty: fields.float('Quantity', { required: true }),
    product_uom_qty: fields.float('Total Quantity', { readonly: true }),
    date_planned: fields.datetime('Expected Arrival'),
    discount: fields.float('Discount (%)'),
    taxes_id: fields.many2many('account.tax', 'Taxes'),
    product_uom: fields.many2one('uom.uom', 'Unit of Measure'),
    product_id: fields.many2one('product.product', 'Product', { ondelete: 'restrict' }),
    product_type: fields.selection(
      [
        ['consu', 'Consumable'],
        ['service', 'Service'],
        ['product', 'Storable Product'],
      ],
      'Product Type',
      {
        readonly: true,
        related: 'product_id.detailed_type',
        compute: (env, rec) =>
          typeof rec.product_id === 'number' ? ((env.store.get('product.product', rec.product_id)?.type as string) ?? null) : null,
      },
    ),
    price_unit: fields.float('Unit Price', { required: true, default: 0 }),
    price_subtotal: fields.monetary('Subtotal', { readonly: true }),
    price_total: fields.monetary('Total', { readonly: true }),
    price_tax: fields.float('Tax', { readonly: true }),
    order_id: fields.many2one('purchase.order', 'Order Reference', { required: true, ondelete: 'cascade' }),
    company_id: fields.many2one('res.company', 'Company', {
      readonly: true,
      related: 'order_id.company_id',
      compute: fromOrder('company_id'),
    }),
    state: fields.selection(STATES, 'Status', { readonly: true, related: 'order_id.state', compute: fromOrder('state') }),
    invoice_lines: fields.one2many('account.move.line', 'purchase_line_id', 'Bill Lines'),
    qty_invoiced: fields.float('Billed Qty', { readonly: true }),
    qty_received_method: fields.selection(
      [
        ['manual', 'Manual'],
        ['stock_moves', 'Stock Moves'],
      ],
      'Received Qty Method',
      { readonly: true },
    ),
    qty_received: fields.float('Received Qty'),
    qty_received_manual: fields.float('Manual Received Qty'),
    qty_to_invoice: fields.float('To Invoice Quantity', { readonly: true }),
    partner_id: fields.many2one('res.partner', 'Partner', {
      readonly: true,
      related: 'order_id.partner_id',
      compute: fromOrder('partner_id'),
    }),
    currency_id: fields.many2one('res.currency', 'Currency', {
      readonly: true,
      related: 'order_id.currency_id',
      compute: fromOrder('currency_id'),
    }),
    date_order: fields.datetime('Order Date', { readonly: true, related: 'order_id.date_order', compute: fromOrder('date_order') }),
    date_approve: fields.datetime('Confirmation Date', {
      readonly: true,
      related: 'order_id.date_approve',
      compute: fromOrder('date_approve'),
    }),
    display_type: fields.selection(
      [
        ['line_section', 'Section'],
        ['line_note', 'Note'],
      ],
      'Display Type',
    ),
    // purchase_stock
    move_ids: fields.one2many('stock.move', 'purchase_line_id', 'Reservation'),
    propagate_cancel: fields.boolean('Propagate cancellation', { default: true }),
  },
  hooks: {
    prepareCreate(env, vals) {
      if (vals.display_type) {
        Object.assign(vals, {
          product_id: false,
          price_unit: 0,
          product_qty: vals.product_qty ?? 0,
          product_uom: false,
          date_planned: false,
        });
        return;
      }
      // _prepare_add_missing_fields: what the product onchange would have filled
      if (typeof vals.order_id !== 'number' || typeof vals.product_id !== 'number') return;
      // the onchange reads the order and the product: a wrong id fails there, as browse() does
      const order = env.browse('purchase.order', vals.order_id);
      const product = env.browse('product.product', vals.product_id);
      if (vals.product_qty === undefined) {
        // _suggest_quantity: the vendor's smallest minimum, else 1
        const mine = sellersOf(env, product.id).filter((s) => s.partner_id === order.partner_id);
        const min = mine.length ? Math.min(...mine.map((s) => Number(s.min_qty ?? 0))) : 0;
        vals.product_qty = min || 1;
      }
      const s = sellerValues(env, { product_id: product.id, order_id: order.id, product_qty: Number(vals.product_qty) });
      vals.name ??= purchaseDescription(env, product.id, s.seller);
      vals.product_uom ??= product.uom_po_id ?? product.uom_id;
      vals.taxes_id ??= (product.supplier_taxes_id as number[]) ?? [];
      vals.price_unit ??= s.price;
      vals.discount ??= s.discount;
      vals.date_planned ??= formatDatetime(s.datePlannedUs);
    },
    afterCreate(env, ids) {
      for (const id of ids) {
        const line = env.browse('purchase.order.line', id);
        // the table's CHECK constraint accountable_required_fields
        if (
          !line.display_type &&
          (typeof line.product_id !== 'number' || typeof line.product_uom !== 'number' || typeof line.date_planned !== 'number')
        ) {
          throw validationError('Missing required fields on accountable purchase order line.');
        }
        refreshPurchaseLine(env, id);
        refreshPurchaseOrder(env, line.order_id as number, { datePlanned: true });
        if (env.browse('purchase.order', line.order_id as number).state === 'purchase') {
          createOrUpdateMoves(env, id);
          refreshPurchaseOrderStatus(env, line.order_id as number);
        }
      }
    },
    guardWrite(env, ids, vals) {
      if (
        'display_type' in vals &&
        env.ensure('purchase.order.line', ids).some((l) => (l.display_type ?? false) !== (vals.display_type ?? false))
      ) {
        throw userError(
          'You cannot change the type of a purchase order line. Instead you should delete the current line and create a new line of the proper type.',
        );
      }
    },
    afterWrite(env, ids, vals) {
      const orders = new Set<number>();
      for (const id of ids) {
        const line = env.browse('purchase.order.line', id);
        orders.add(line.order_id as number);
        if ('qty_received' in vals) {
          // _inverse_qty_received: only a manual line keeps what was written
          env.setStored('purchase.order.line', id, {
            qty_received_manual: line.qty_received_method === 'manual' ? Number(vals.qty_received ?? 0) : 0,
          });
        }
        if (
          'product_qty' in vals &&
          typeof line.product_id === 'number' &&
          !('price_unit' in vals) &&
          env.store.referencing('account.move.line', 'purchase_line_id', id).length === 0
        ) {
          const s = sellerValues(env, {
            product_id: line.product_id,
            order_id: line.order_id as number,
            product_qty: Number(line.product_qty ?? 0),
          });
          if (s.seller)
            env.setStored('purchase.order.line', id, {
              price_unit: s.price,
              discount: s.discount,
              date_planned: Math.floor(s.datePlannedUs / 1e6) * 1e6,
            });
        }
        refreshPurchaseLine(env, id);
        const order = env.browse('purchase.order', line.order_id as number);
        if (order.state === 'purchase' && 'product_qty' in vals) createOrUpdateMoves(env, id);
        if ('date_planned' in vals || 'price_unit' in vals) updateOpenMoves(env, id);
      }
      for (const o of orders) {
        refreshPurchaseOrderStatus(env, o);
        refreshPurchaseOrder(env, o, { datePlanned: true });
      }
    },
  },
  methods: {
    unlink: {
      ...ORM_METHODS.unlink!,
      run(env, ids, kw, call) {
        const lines = env.ensure('purchase.order.line', ids);
        for (const l of lines) {
          const state = env.store.get('purchase.order', l.order_id as number)?.state;
          if (state === 'purchase' || state === 'done') {
            throw userError(`Cannot delete a purchase order line which is in state '${STATES.find(([k]) => k === state)![1]}'.`);
          }
          for (const mid of env.store.referencing('stock.move', 'purchase_line_id', l.id)) {
            const m = env.store.get('stock.move', mid)!;
            if (m.state === 'done' || m.state === 'cancel') continue;
            unreserveMove(env, mid);
            env.setStored('stock.move', mid, { state: 'cancel', quantity: 0 });
            dropMoveLines(env, mid);
            if (typeof m.picking_id === 'number') refreshPickingState(env, m.picking_id);
          }
        }
        const orders = new Set(lines.map((l) => l.order_id as number));
        const result = ORM_METHODS.unlink!.run(env, ids, kw, call);
        for (const o of orders) if (env.store.get('purchase.order', o)) refreshPurchaseOrder(env, o, { datePlanned: true });
        return result;
      },
    },
  },
});

/** A new date or price on a confirmed line moves to its open moves (date, deadline, price). */
function updateOpenMoves(env: Env, lineId: number): void {
  const line = env.browse('purchase.order.line', lineId);
  for (const mid of env.store.referencing('stock.move', 'purchase_line_id', lineId)) {
    const m = env.store.get('stock.move', mid)!;
    if (m.state === 'done' || m.state === 'cancel') continue;
    const planned = typeof line.date_planned === 'number' ? line.date_planned : null;
    env.setStored('stock.move', mid, { date: planned ?? m.date ?? null, date_deadline: planned, price_unit: Number(line.price_unit ?? 0) });
  }
}
