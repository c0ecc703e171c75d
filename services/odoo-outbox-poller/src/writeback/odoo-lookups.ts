import { PermanentError } from '@odx/runtime';
import type { OdooRecord } from '../mapping/map-sale-order.js';
import type { OdooClient } from '../odoo/odoo-client.js';

/** The sale.order behind an ODX order id: the Odoo id itself, or the id ODX received it under (kept in origin). */
export async function findSaleOrder(client: OdooClient, orderId: string): Promise<OdooRecord | undefined> {
  const domain = /^\d+$/.test(orderId) ? [['id', '=', Number(orderId)]] : [['origin', '=', orderId]];
  const [order] = await client.searchRead<OdooRecord>('sale.order', domain, {
    fields: ['name', 'state', 'partner_id', 'picking_ids'],
    limit: 1,
    context: { active_test: false },
  });
  return order;
}

/** The order's outgoing picking still to ship (or the done one, when it already shipped). */
export async function findOutgoingPicking(client: OdooClient, orderId: string): Promise<OdooRecord> {
  const order = await findSaleOrder(client, orderId);
  if (!order) throw new PermanentError(`no sale.order in Odoo for ODX order ${orderId}`, { errorClass: 'odoo.order-not-found' });
  const pickings = await client.searchRead<OdooRecord>(
    'stock.picking',
    [
      ['sale_id', '=', order.id],
      ['picking_type_code', '=', 'outgoing'],
      ['state', '!=', 'cancel'],
    ],
    {
      fields: ['name', 'state', 'move_ids', 'carrier_tracking_ref', 'carrier_id', 'location_id'],
      order: 'id asc',
    },
  );
  const open = pickings.find((p) => p['state'] !== 'done') ?? pickings[0];
  if (!open)
    throw new PermanentError(`sale.order ${String(order['name'])} (ODX order ${orderId}) has no outgoing picking`, {
      errorClass: 'odoo.picking-not-found',
    });
  return open;
}

/** product.product ids by internal reference (SKU), one search for many SKUs. */
export async function productsBySku(client: OdooClient, skus: string[]): Promise<Map<string, OdooRecord>> {
  const unique = [...new Set(skus)];
  if (unique.length === 0) return new Map();
  const products = await client.searchRead<OdooRecord>('product.product', [['default_code', 'in', unique]], {
    fields: ['default_code', 'name', 'uom_id'],
    context: { active_test: false },
  });
  return new Map(products.map((p) => [String(p['default_code']), p]));
}

export function requireProducts(found: Map<string, OdooRecord>, skus: string[], what: string): void {
  const missing = [...new Set(skus)].filter((s) => !found.has(s));
  if (missing.length > 0)
    throw new PermanentError(`${what}: unknown SKU${missing.length > 1 ? 's' : ''} in Odoo: ${missing.join(', ')}`, {
      errorClass: 'odoo.unknown-sku',
    });
}
