/**
 * purchase.order.action_create_invoice (Odoo 17): a draft vendor bill for the orders waiting
 * for one (invoice_status 'to invoice'), one per vendor and currency, with a line per order
 * line that has something to bill (qty_to_invoice: received less billed, or ordered less
 * billed for products billed on ordered quantities) linked by purchase_line_id; a bill whose
 * total comes out negative (returns) becomes a vendor credit note. Answers the "Bills" action.
 */
import { userError } from '../errors.js';
import { addressOf } from '../models/sale-order.js';
import type { Env } from '../orm/env.js';
import { refreshPurchaseLines } from './purchase-order-amounts.js';
import { switchNegativeMoves } from './switch-move-type.js';

interface BillVals {
  vals: Record<string, unknown>;
  lines: unknown[];
  origins: string[];
  refs: string[];
  paymentRefs: string[];
}

export function createVendorBills(env: Env, orderIds: number[]): Record<string, unknown> {
  const groups = new Map<string, BillVals>();
  let sequence = 10;
  for (const order of env.ensure('purchase.order', orderIds)) {
    if (order.invoice_status !== 'to invoice') continue;
    const partner = addressOf(env, order.partner_id as number, 'invoice');
    const key = `${String(order.company_id)}|${partner}|${String(order.currency_id)}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        vals: {
          move_type: 'in_invoice',
          narration: order.notes ?? false,
          currency_id: order.currency_id,
          partner_id: partner,
          company_id: order.company_id ?? 1,
        },
        lines: [],
        origins: [],
        refs: [],
        paymentRefs: [],
      };
      groups.set(key, group);
    }
    const ref = typeof order.partner_ref === 'string' ? order.partner_ref : '';
    if (!group.origins.includes(String(order.name))) group.origins.push(String(order.name));
    if (!group.refs.includes(ref)) group.refs.push(ref);
    if (!group.paymentRefs.includes(ref)) group.paymentRefs.push(ref);
    for (const lid of env.store.referencing('purchase.order.line', 'order_id', order.id)) {
      const l = env.store.get('purchase.order.line', lid)!;
      if (l.display_type || Number(l.qty_to_invoice ?? 0) === 0) continue;
      group.lines.push([
        0,
        0,
        {
          display_type: 'product',
          sequence: sequence++,
          name: `${String(order.name)}: ${String(l.name ?? '')}`,
          product_id: l.product_id ?? false,
          product_uom_id: l.product_uom ?? false,
          quantity: l.qty_to_invoice,
          discount: l.discount ?? 0,
          price_unit: l.price_unit ?? 0,
          tax_ids: [[6, 0, (l.taxes_id as number[]) ?? []]],
          purchase_line_id: l.id,
        },
      ]);
    }
  }
  if (groups.size === 0) {
    throw userError(
      'There is no invoiceable line. If a product has a control policy based on received quantity, please make sure that a quantity has been received.',
    );
  }
  const moves: number[] = [];
  for (const g of groups.values()) {
    moves.push(
      env.create('account.move', {
        ...g.vals,
        ref: g.refs.join(', ').slice(0, 2000),
        invoice_origin: g.origins.join(', '),
        payment_reference: g.paymentRefs.length === 1 ? g.paymentRefs[0] : false,
        invoice_line_ids: g.lines,
      }),
    );
  }
  switchNegativeMoves(env, moves);
  // the switch negated quantities without hooks: the billed quantities are counted again
  refreshPurchaseLines(
    env,
    moves.flatMap((m) =>
      env.store.referencing('account.move.line', 'move_id', m).map((l) => env.store.get('account.move.line', l)!.purchase_line_id),
    ),
  );
  return billsAction(moves);
}

/** action_view_invoice: the "Bills" window action, on the one bill or filtered to several. */
export function billsAction(moves: number[]): Record<string, unknown> {
  if (moves.length === 0) return { type: 'ir.actions.act_window_close' };
  const action: Record<string, unknown> = {
    type: 'ir.actions.act_window',
    name: 'Bills',
    res_model: 'account.move',
    view_mode: 'tree,kanban,form',
    domain: [['move_type', '=', 'in_invoice']],
    context: { default_move_type: 'in_invoice' },
  };
  if (moves.length > 1) action.domain = [['id', 'in', moves]];
  else
    Object.assign(action, {
      views: [
        [false, 'form'],
        [false, 'tree'],
        [false, 'kanban'],
      ],
      res_id: moves[0],
    });
  return action;
}
