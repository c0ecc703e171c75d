/** sale.order.action_cancel: cancels the pickings not done and the draft invoices, then the order. */
import type { Env } from '../orm/env.js';
import { refreshSaleOrderStatus } from './sale-order-amounts.js';
import { cancelPicking } from './stock-reservation.js';

export function cancelSaleOrders(env: Env, ids: number[]): boolean {
  for (const order of env.ensure('sale.order', ids)) {
    for (const pid of env.store.referencing('stock.picking', 'sale_id', order.id)) cancelPicking(env, pid);
    for (const mid of (order.invoice_ids as number[]) ?? []) {
      const move = env.store.get('account.move', mid);
      if (move?.state === 'draft') env.write('account.move', [mid], { state: 'cancel' });
    }
    env.write('sale.order', [order.id], { state: 'cancel' });
    refreshSaleOrderStatus(env, order.id);
  }
  return true;
}
