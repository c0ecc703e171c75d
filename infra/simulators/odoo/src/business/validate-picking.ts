/**
 * stock.picking.button_validate: moves done with their `quantity`, quants
 * decremented (and unreserved), sale lines' qty_delivered updated, picking
 * done with date_done. A short delivery creates a backorder for the rest
 * (Odoo asks through a wizard; the simulator answers "create backorder"),
 * unless the context carries `skip_backorder` / `cancel_backorder`.
 */
import { userError } from '../errors.js';
import type { Env } from '../orm/env.js';
import { refreshSaleOrderStatus } from './sale-order-amounts.js';
import { addToQuant, assignPicking, refreshPickingState } from './stock-reservation.js';

export function validatePicking(env: Env, ids: number[]): boolean {
  const pickings = env.ensure('stock.picking', ids);
  for (const picking of pickings) {
    if (picking.state === 'done') continue;
    if (picking.state === 'cancel') throw userError('You cannot validate a transfer that is cancelled.');
    if (picking.state === 'draft') assignPicking(env, picking.id);
    const moveIds = env.store.referencing('stock.move', 'picking_id', picking.id);
    const live = moveIds.map((id) => env.store.get('stock.move', id)!).filter((m) => m.state !== 'cancel' && m.state !== 'done');
    if (live.every((m) => Number(m.quantity ?? 0) <= 0)) {
      throw userError(
        'You cannot validate a transfer if no quantities are reserved nor done. You can use the info button on the top right corner of your screen to learn more about the quantities.',
      );
    }
    const noBackorder = env.context.skip_backorder === true || env.context.cancel_backorder === true;
    const remainders: { productId: number; qty: number; saleLineId: unknown; name: unknown }[] = [];
    const touchedOrders = new Set<number>();
    for (const m of live) {
      const done = Number(m.quantity ?? 0);
      const demand = Number(m.product_uom_qty ?? 0);
      const reserved = Number(m.reserved_availability ?? 0);
      if (done <= 0) {
        addToQuant(env, m.product_id as number, m.location_id as number, 0, -reserved);
        env.setStored('stock.move', m.id, { state: 'cancel', quantity: 0, reserved_availability: 0 });
      } else {
        addToQuant(env, m.product_id as number, m.location_id as number, -done, -reserved);
        addToQuant(env, m.product_id as number, m.location_dest_id as number, done);
        env.setStored('stock.move', m.id, { state: 'done', quantity: done, product_uom_qty: done < demand ? done : demand, picked: true, reserved_availability: 0, date: env.nowUs });
        if (typeof m.sale_line_id === 'number') {
          const line = env.browse('sale.order.line', m.sale_line_id);
          env.setStored('sale.order.line', line.id, { qty_delivered: Number(line.qty_delivered ?? 0) + done });
          touchedOrders.add(line.order_id as number);
        }
      }
      if (done < demand && !noBackorder) remainders.push({ productId: m.product_id as number, qty: demand - done, saleLineId: m.sale_line_id, name: m.name });
    }
    env.setStored('stock.picking', picking.id, { date_done: env.nowUs });
    refreshPickingState(env, picking.id);
    if (remainders.length) createBackorder(env, picking.id, remainders);
    for (const orderId of touchedOrders) refreshSaleOrderStatus(env, orderId);
  }
  return true;
}

function createBackorder(
  env: Env,
  pickingId: number,
  rest: { productId: number; qty: number; saleLineId: unknown; name: unknown }[],
): void {
  const p = env.browse('stock.picking', pickingId);
  const backorder = env.create('stock.picking', {
    picking_type_id: p.picking_type_id,
    partner_id: p.partner_id,
    origin: p.origin,
    sale_id: p.sale_id,
    backorder_id: p.id,
    location_id: p.location_id,
    location_dest_id: p.location_dest_id,
    carrier_id: p.carrier_id,
    scheduled_date: p.scheduled_date === null ? false : undefined,
    move_ids: rest.map((r) => [
      0,
      0,
      {
        name: r.name,
        product_id: r.productId,
        product_uom_qty: r.qty,
        sale_line_id: r.saleLineId ?? false,
        location_id: p.location_id,
        location_dest_id: p.location_dest_id,
        origin: p.origin,
        picking_type_id: p.picking_type_id,
        state: 'confirmed',
      },
    ]),
  });
  assignPicking(env, backorder);
}
