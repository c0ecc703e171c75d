/**
 * stock.quant.action_apply_inventory: the counted `inventory_quantity`
 * becomes the on-hand quantity through a done inventory move from/to the
 * "Inventory adjustment" location, then the count is cleared.
 */
import type { Env } from '../orm/env.js';
import { addToQuant } from './stock-reservation.js';

export function applyInventory(env: Env, ids: number[]): void {
  const adjustment = env.search('stock.location', [['usage', '=', 'inventory']], { limit: 1, activeTest: false })[0];
  for (const q of env.ensure('stock.quant', ids)) {
    if (q.inventory_quantity_set !== true) continue;
    const diff = Number(q.inventory_quantity ?? 0) - Number(q.quantity ?? 0);
    if (diff !== 0 && adjustment !== undefined) {
      const inbound = diff > 0;
      env.create('stock.move', {
        name: 'Product Quantity Updated',
        product_id: q.product_id,
        product_uom_qty: Math.abs(diff),
        quantity: Math.abs(diff),
        location_id: inbound ? adjustment : q.location_id,
        location_dest_id: inbound ? q.location_id : adjustment,
        is_inventory: true,
        picked: true,
        state: 'done',
      });
      addToQuant(env, q.product_id as number, q.location_id as number, diff);
    }
    env.write('stock.quant', [q.id], { inventory_quantity: 0, inventory_quantity_set: false, inventory_date: false });
  }
}
