import { outgoingEvent } from '@odx/runtime';
import {
  CUSTOMER_FIELDS,
  PRICELIST_ITEM_FIELDS,
  PRODUCT_MASTER_FIELDS,
  mapCustomer,
  mapPricelistItem,
  mapProduct,
} from '../mapping/map-master-data.js';
import type { FieldCatalog } from '../odoo/field-catalog.js';
import type { OdooClient } from '../odoo/odoo-client.js';
import type { OdooVersionAdapter } from '../odoo/version-adapter.js';
import type { ModelSpec } from './model-poller.js';
import { readMap } from './sale-order-spec.js';

/** product.product -> ProductUpserted on odx.products.v1 (compacted, keyed by product id). */
export function productSpec(adapter: OdooVersionAdapter, company: string): ModelSpec {
  return {
    model: 'product.product',
    fields: PRODUCT_MASTER_FIELDS,
    toEvents: async (records) => records.map((r) => outgoingEvent('ProductUpserted', String(r.id), mapProduct(r, adapter, company))),
  };
}

/** res.partner companies and individuals that buy (customer_rank > 0) -> CustomerUpserted. */
export function customerSpec(client: OdooClient, catalog: FieldCatalog, company: string): ModelSpec {
  return {
    model: 'res.partner',
    fields: CUSTOMER_FIELDS,
    domain: [['parent_id', '=', false]],
    async toEvents(records) {
      const childIds = records.flatMap((r) => (Array.isArray(r['child_ids']) ? (r['child_ids'] as number[]) : []));
      const children = await readMap(client, catalog, 'res.partner', childIds, CUSTOMER_FIELDS);
      return records.map((r) => outgoingEvent('CustomerUpserted', String(r.id), mapCustomer(r, children, company)));
    },
  };
}

/** product.pricelist.item with a fixed price for a product -> PriceChanged on odx.prices.v1. */
export function priceSpec(client: OdooClient, catalog: FieldCatalog, company: string): ModelSpec {
  return {
    model: 'product.pricelist.item',
    fields: PRICELIST_ITEM_FIELDS,
    async toEvents(records) {
      const productIds = records.map((r) => (Array.isArray(r['product_id']) ? Number(r['product_id'][0]) : 0));
      const products = await readMap(client, catalog, 'product.product', productIds, ['default_code', 'uom_id']);
      return records.flatMap((r) => {
        const e = mapPricelistItem(r, products, company);
        return e ? [outgoingEvent('PriceChanged', e.price.priceId, e)] : [];
      });
    },
  };
}
