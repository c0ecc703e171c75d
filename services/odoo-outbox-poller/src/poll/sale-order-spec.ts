import type { OutgoingEvent } from '@odx/runtime';
import {
  PARTNER_FIELDS,
  PRODUCT_FIELDS,
  SALE_ORDER_FIELDS,
  WAREHOUSE_FIELDS,
  mapSaleOrder,
  saleOrderLineFields,
  type OdooRecord,
  type SaleOrderContext,
} from '../mapping/map-sale-order.js';
import type { FieldCatalog } from '../odoo/field-catalog.js';
import type { OdooClient } from '../odoo/odoo-client.js';
import { m2oId, str } from '../odoo/odoo-values.js';
import type { OdooVersionAdapter } from '../odoo/version-adapter.js';
import type { ModelSpec } from './model-poller.js';

/** Reads records of `model` by id (only fields this Odoo has), keyed by id: one call for a whole batch. */
export async function readMap(
  client: OdooClient,
  catalog: FieldCatalog,
  model: string,
  ids: Iterable<number>,
  fields: string[],
): Promise<Map<number, OdooRecord>> {
  const unique = [...new Set(ids)].filter((id) => id > 0);
  if (unique.length === 0) return new Map();
  const records = await client.read<OdooRecord>(model, unique, await catalog.available(model, fields));
  return new Map(records.map((r) => [r.id, r]));
}

/** sale.order -> OrderConfirmed / OrderCancelled, with lines, partners, products and warehouses read once per batch. */
export function saleOrderSpec(client: OdooClient, catalog: FieldCatalog, adapter: OdooVersionAdapter, company: string): ModelSpec {
  return {
    model: 'sale.order',
    fields: SALE_ORDER_FIELDS,
    async toEvents(records) {
      const relevant = records.filter((r) => ['sale', 'done', 'cancel'].includes(str(r['state']) ?? ''));
      if (relevant.length === 0) return [];
      const confirmed = relevant.filter((r) => r['state'] !== 'cancel');
      const lineIds = confirmed.flatMap((r) => (Array.isArray(r['order_line']) ? (r['order_line'] as number[]) : []));
      const partnerIds = confirmed.flatMap((r) =>
        [r['partner_id'], r['partner_shipping_id'], r['partner_invoice_id']].map((v) => m2oId(v) ?? 0),
      );
      const [lines, partners, warehouses] = await Promise.all([
        readMap(client, catalog, 'sale.order.line', lineIds, saleOrderLineFields(adapter)),
        readMap(client, catalog, 'res.partner', partnerIds, PARTNER_FIELDS),
        readMap(
          client,
          catalog,
          'stock.warehouse',
          confirmed.map((r) => m2oId(r['warehouse_id']) ?? 0),
          WAREHOUSE_FIELDS,
        ),
      ]);
      const products = await readMap(
        client,
        catalog,
        'product.product',
        [...lines.values()].map((l) => m2oId(l['product_id']) ?? 0),
        PRODUCT_FIELDS,
      );
      // Delivery addresses name their company through parent_id.
      const parentIds = [...partners.values()].map((p) => m2oId(p['parent_id']) ?? 0).filter((id) => !partners.has(id));
      for (const [id, p] of await readMap(client, catalog, 'res.partner', parentIds, PARTNER_FIELDS)) partners.set(id, p);
      const ctx: SaleOrderContext = { lines, partners, products, warehouses, adapter, company };
      const events: OutgoingEvent[] = [];
      for (const r of relevant) {
        const e = mapSaleOrder(r, ctx);
        if (e) events.push(e);
      }
      return events;
    },
  };
}
