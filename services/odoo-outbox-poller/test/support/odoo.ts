import { startOdooSimulator, type OdooSimulator } from '@odx/sim-odoo';
import type { OdooRecord } from '../../src/mapping/map-sale-order.js';
import { OdooClient } from '../../src/odoo/odoo-client.js';
import type { Cleanup } from './kit.js';

export interface OdooFixture {
  sim: OdooSimulator;
  client: OdooClient;
  admin(path: string, body?: unknown): Promise<unknown>;
  /** Creates (and confirms) sales orders through the external API; returns their ids. */
  orders(count: number, options?: { confirm?: boolean; clientOrderRef?: (i: number) => string }): Promise<number[]>;
}

/** The Odoo simulator on a free port, served over HTTP like a real Odoo, with a JSON-RPC client. */
export async function odooFixture(t: Cleanup): Promise<OdooFixture> {
  const sim = await startOdooSimulator({ port: 0, seed: { products: 20, customers: 10 } });
  const client = new OdooClient({ url: sim.url, db: 'odx', username: 'admin', password: 'admin', timeoutMs: 5_000 });
  t.after(async () => {
    client.close();
    await sim.close();
  });
  const partners = await client.searchRead<OdooRecord>(
    'res.partner',
    [
      ['customer_rank', '>', 0],
      ['parent_id', '=', false],
    ],
    { fields: ['name'], limit: 10 },
  );
  const products = await client.searchRead<OdooRecord>('product.product', [['type', '=', 'product']], {
    fields: ['default_code'],
    limit: 10,
  });
  if (partners.length === 0 || products.length === 0) throw new Error('the simulator has no seed customers or products');
  return {
    sim,
    client,
    admin: async (path, body) => {
      const res = await fetch(`${sim.url}/sim/admin${path}`, {
        method: 'POST',
        headers: { authorization: 'Bearer sim-admin', 'content-type': 'application/json' },
        body: JSON.stringify(body ?? {}),
      });
      if (!res.ok) throw new Error(`admin ${path}: ${res.status} ${await res.text()}`);
      return res.json();
    },
    orders: async (count, options = {}) => {
      const ids: number[] = [];
      for (let i = 0; i < count; i++) {
        const partner = partners[i % partners.length]!;
        const id = await client.executeKw<number>('sale.order', 'create', [
          {
            partner_id: partner.id,
            client_order_ref: options.clientOrderRef?.(i) ?? `PO-${Date.now()}-${i}`,
            order_line: [[0, 0, { product_id: products[i % products.length]!.id, product_uom_qty: 1 + (i % 5) }]],
          },
        ]);
        if (options.confirm ?? true) await client.executeKw('sale.order', 'action_confirm', [[id]]);
        ids.push(id);
      }
      return ids;
    },
  };
}
