/**
 * What the "Create Invoice" wizard (sale.advance.payment.inv, regular
 * invoice) does through sale.order._create_invoices: one draft
 * customer invoice per order with the invoiceable quantities, linked to the
 * order lines, which then count them as invoiced.
 */
import { userError } from '../errors.js';
import type { Env } from '../orm/env.js';
import { refreshSaleOrderStatus } from './sale-order-amounts.js';
import { switchNegativeMoves } from './switch-move-type.js';

export function createInvoices(env: Env, orderIds: number[]): number[] {
  const moves: number[] = [];
  for (const order of env.ensure('sale.order', orderIds)) {
    const lines = env.store
      .referencing('sale.order.line', 'order_id', order.id)
      .map((id) => env.store.get('sale.order.line', id)!)
      .filter((l) => Number(l.qty_to_invoice ?? 0) !== 0);
    if (lines.length === 0) continue;
    const moveId = env.create('account.move', {
      move_type: 'out_invoice',
      partner_id: order.partner_invoice_id ?? order.partner_id,
      partner_shipping_id: order.partner_shipping_id ?? false,
      invoice_origin: order.name,
      ref: order.client_order_ref ?? false,
      currency_id: order.currency_id ?? false,
      invoice_line_ids: lines.map((l) => [
        0,
        0,
        {
          product_id: l.product_id,
          name: l.name,
          quantity: l.qty_to_invoice,
          price_unit: l.price_unit,
          discount: l.discount,
          tax_ids: [[6, 0, (l.tax_id as number[]) ?? []]],
          sale_line_ids: [[6, 0, [l.id]]],
        },
      ]),
    });
    for (const l of lines) {
      env.setStored('sale.order.line', l.id, { qty_invoiced: Number(l.qty_invoiced ?? 0) + Number(l.qty_to_invoice ?? 0) });
    }
    env.write('sale.order', [order.id], { invoice_ids: [[4, moveId]] });
    refreshSaleOrderStatus(env, order.id);
    moves.push(moveId);
  }
  // A return that updated the order leaves negative quantities to invoice: that invoice is a credit note.
  switchNegativeMoves(env, moves);
  if (moves.length === 0) {
    throw userError(
      'There is no invoiceable line. If a product has a Delivered quantities invoicing policy, please make sure that a quantity has been delivered.',
    );
  }
  return moves;
}
