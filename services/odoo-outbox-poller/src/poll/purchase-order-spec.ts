import type { OutgoingEvent } from '@odx/runtime';
import {
  PICKING_TYPE_FIELDS,
  PURCHASE_LINE_FIELDS,
  PURCHASE_ORDER_FIELDS,
  SUPPLIERINFO_FIELDS,
  mapPurchaseOrderEvents,
  type PurchaseContext,
  type PurchaseOrderVersion,
} from '../mapping/map-purchase-order.js';
import { PARTNER_FIELDS, PRODUCT_FIELDS, WAREHOUSE_FIELDS, type OdooRecord } from '../mapping/map-sale-order.js';
import type { FieldCatalog } from '../odoo/field-catalog.js';
import type { OdooClient } from '../odoo/odoo-client.js';
import { idList, m2oId, str } from '../odoo/odoo-values.js';
import type { ModelSpec } from './model-poller.js';
import { keyed } from './operations-specs.js';
import type { PurchaseOrderVersions } from './po-version-store.js';
import { readMap } from './sale-order-spec.js';

const RELEVANT = new Set(['purchase', 'done', 'cancel']);

/** Reads what mapPurchaseOrder needs for a batch of purchase orders: one call per related model. */
export async function purchaseContext(
  client: OdooClient,
  catalog: FieldCatalog,
  company: string,
  orders: OdooRecord[],
): Promise<PurchaseContext> {
  const [lines, partners, pickingTypes] = await Promise.all([
    readMap(
      client,
      catalog,
      'purchase.order.line',
      orders.flatMap((o) => idList(o['order_line'])),
      PURCHASE_LINE_FIELDS,
    ),
    readMap(
      client,
      catalog,
      'res.partner',
      orders.map((o) => m2oId(o['partner_id']) ?? 0),
      PARTNER_FIELDS,
    ),
    readMap(
      client,
      catalog,
      'stock.picking.type',
      orders.map((o) => m2oId(o['picking_type_id']) ?? 0),
      PICKING_TYPE_FIELDS,
    ),
  ]);
  const productIds = [...new Set([...lines.values()].map((l) => m2oId(l['product_id']) ?? 0).filter((id) => id > 0))];
  const vendorIds = [...new Set(orders.map((o) => m2oId(o['partner_id']) ?? 0).filter((id) => id > 0))];
  const [products, warehouses, supplierInfo] = await Promise.all([
    readMap(client, catalog, 'product.product', productIds, PRODUCT_FIELDS),
    readMap(
      client,
      catalog,
      'stock.warehouse',
      [...pickingTypes.values()].map((t) => m2oId(t['warehouse_id']) ?? 0),
      WAREHOUSE_FIELDS,
    ),
    productIds.length > 0 && vendorIds.length > 0
      ? client.searchRead<OdooRecord>(
          'product.supplierinfo',
          [['partner_id', 'in', vendorIds], '|', ['product_id', 'in', productIds], ['product_tmpl_id', 'in', productIds]],
          { fields: await catalog.available('product.supplierinfo', SUPPLIERINFO_FIELDS) },
        )
      : Promise.resolve([]),
  ]);
  return { lines, partners, products, pickingTypes, warehouses, supplierInfo, company };
}

/**
 * purchase.order -> PurchaseOrderConfirmed / PurchaseOrderChanged / PurchaseOrderCancelled
 * (mapPurchaseOrderEvents). The last announced version of each PO is kept in
 * `versions`, saved after Kafka acknowledged the event that announced it.
 */
export function purchaseOrderSpec(client: OdooClient, catalog: FieldCatalog, company: string, versions: PurchaseOrderVersions): ModelSpec {
  // Versions computed by toEvents, saved by published() once their events are on Kafka.
  const pending = new Map<string, { poId: string; version: PurchaseOrderVersion }>();
  return {
    model: 'purchase.order',
    fields: PURCHASE_ORDER_FIELDS,
    async toEvents(records) {
      pending.clear(); // one batch at a time: what the last batch did not publish was published before
      const relevant = records.filter((r) => RELEVANT.has(str(r['state']) ?? ''));
      if (relevant.length === 0) return [];
      const confirmed = relevant.filter((r) => r['state'] !== 'cancel');
      const [ctx, before] = await Promise.all([
        purchaseContext(client, catalog, company, relevant),
        versions.load(confirmed.map((r) => r.id)),
      ]);
      const out: OutgoingEvent[] = [];
      for (const po of relevant) {
        const { events, version } = mapPurchaseOrderEvents(po, ctx, before.get(po.id));
        for (const e of events) {
          if (version) pending.set(e.payload.meta.eventId, { poId: String(po.id), version });
          out.push(
            e.eventType === 'PurchaseOrderCancelled'
              ? keyed(e.eventType, e.payload)
              : e.eventType === 'PurchaseOrderConfirmed'
                ? keyed(e.eventType, e.payload)
                : keyed(e.eventType, e.payload),
          );
        }
      }
      return out;
    },
    async published(events) {
      const save = new Map<string, PurchaseOrderVersion>();
      for (const e of events) {
        const p = pending.get(e.payload.meta.eventId);
        if (!p) continue;
        pending.delete(e.payload.meta.eventId);
        save.set(p.poId, p.version);
      }
      await versions.save(save);
    },
  };
}
