/**
 * sale.order.action_confirm: state 'sale', date_order set to now, and one
 * outgoing picking from the order's warehouse stock to Partners/Customers
 * with a move per goods line, reserved against the quants.
 */
import { userError } from '../errors.js';
import type { Env } from '../orm/env.js';
import { refreshSaleOrderStatus } from './sale-order-amounts.js';
import { assignPicking } from './stock-reservation.js';

export function confirmSaleOrders(env: Env, ids: number[]): boolean {
  const orders = env.ensure('sale.order', ids);
  if (orders.some((o) => o.state !== 'draft' && o.state !== 'sent')) {
    throw userError('Some orders are not in a state requiring confirmation.');
  }
  for (const order of orders) {
    env.write('sale.order', [order.id], { state: 'sale', date_order: formatNow(env) });
    createDelivery(env, order.id);
    refreshSaleOrderStatus(env, order.id);
  }
  return true;
}

function formatNow(env: Env): string {
  return new Date(Math.floor(env.nowUs / 1000)).toISOString().slice(0, 19).replace('T', ' ');
}

function createDelivery(env: Env, orderId: number): void {
  const order = env.browse('sale.order', orderId);
  const lineIds = env.store.referencing('sale.order.line', 'order_id', orderId);
  const goods = lineIds
    .map((id) => env.store.get('sale.order.line', id)!)
    .filter((l) => {
      const p = typeof l.product_id === 'number' ? env.store.get('product.product', l.product_id) : undefined;
      return p !== undefined && (p.type === 'product' || p.type === 'consu') && Number(l.product_uom_qty ?? 0) > 0;
    });
  if (goods.length === 0) return;
  const warehouse = env.browse('stock.warehouse', order.warehouse_id as number);
  const pickingType = env.browse('stock.picking.type', warehouse.out_type_id as number);
  const customers = env.search('stock.location', [['usage', '=', 'customer']], { limit: 1, activeTest: false })[0];
  if (customers === undefined) throw userError('No customer location is configured.');
  const source = warehouse.lot_stock_id as number;
  const scheduled = typeof order.commitment_date === 'number' ? order.commitment_date : env.nowUs;
  const pickingId = env.create('stock.picking', {
    picking_type_id: pickingType.id,
    partner_id: order.partner_shipping_id ?? order.partner_id,
    origin: order.name,
    sale_id: order.id,
    location_id: source,
    location_dest_id: customers,
    carrier_id: order.carrier_id ?? false,
    scheduled_date: new Date(Math.floor(scheduled / 1000)).toISOString().slice(0, 19).replace('T', ' '),
    move_ids: goods.map((l) => [
      0,
      0,
      {
        name: l.name,
        product_id: l.product_id,
        product_uom_qty: l.product_uom_qty,
        product_uom: l.product_uom ?? false,
        sale_line_id: l.id,
        location_id: source,
        location_dest_id: customers,
        partner_id: order.partner_shipping_id ?? false,
        origin: order.name,
        picking_type_id: pickingType.id,
        state: 'confirmed',
      },
    ]),
  });
  assignPicking(env, pickingId);
}
