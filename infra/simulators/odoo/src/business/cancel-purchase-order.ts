/**
 * purchase.order.button_cancel (purchase_stock, then purchase, Odoo 17): an order with a done
 * receipt move cannot be cancelled, nor one with a bill that is neither draft nor cancelled;
 * otherwise its open moves and receipts are cancelled and the order is. Draft bills stay.
 */
import { userError } from '../errors.js';
import type { Env } from '../orm/env.js';
import { dropMoveLines } from './move-lines.js';
import { refreshPurchaseOrderStatus } from './purchase-order-amounts.js';
import { cancelPicking, refreshPickingState, unreserveMove } from './stock-reservation.js';

export function cancelPurchaseOrders(env: Env, ids: number[]): null {
  const orders = env.ensure('purchase.order', ids);
  for (const order of orders) {
    const lines = env.store.referencing('purchase.order.line', 'order_id', order.id);
    const moves = lines
      .flatMap((l) => env.store.referencing('stock.move', 'purchase_line_id', l))
      .map((id) => env.store.get('stock.move', id)!);
    if (moves.some((m) => m.state === 'done'))
      throw userError(`Unable to cancel purchase order ${String(order.name)} as some receptions have already been done.`);
    if (order.state === 'draft' || order.state === 'sent' || order.state === 'to approve' || order.state === 'purchase') {
      for (const m of moves) {
        if (m.state === 'cancel') continue;
        unreserveMove(env, m.id);
        env.setStored('stock.move', m.id, { state: 'cancel', quantity: 0 });
        dropMoveLines(env, m.id);
        if (typeof m.picking_id === 'number') refreshPickingState(env, m.picking_id);
      }
    }
    for (const pid of (env.browse('purchase.order', order.id).picking_ids as number[]) ?? []) cancelPicking(env, pid);
  }
  for (const order of orders) {
    for (const bill of (env.browse('purchase.order', order.id).invoice_ids as number[]) ?? []) {
      const state = env.store.get('account.move', bill)?.state;
      if (state !== 'cancel' && state !== 'draft')
        throw userError('Unable to cancel this purchase order. You must first cancel the related vendor bills.');
    }
  }
  for (const order of orders) {
    env.write('purchase.order', [order.id], { state: 'cancel', mail_reminder_confirmed: false });
    refreshPurchaseOrderStatus(env, order.id);
  }
  return null;
}
