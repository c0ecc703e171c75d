// The product view allocation reads: the kind of each product (storable,
// consumable, service) from ProductUpserted on odx.products.v1 (compacted: a
// full catalog). Consumables and services have no stock levels, so allocation
// must know them to let their lines ship without stock. Stored in
// `orchestrator_products`, one small document per SKU.
import type { LatestValueKind } from '@odx/runtime';
import type { ProductFact, ProductView } from '../policy/index.js';

export const PRODUCT_COLLECTION = 'orchestrator_products';

export interface ProductDoc {
  /** The SKU (what order lines carry). */
  _id: string;
  productId: string;
  productType: string;
  updatedAt: Date;
  eventId: string;
}

export function productKinds(view: ProductView): LatestValueKind<ProductDoc> {
  return {
    what: 'products',
    eventType: 'ProductUpserted',
    collection: PRODUCT_COLLECTION,
    docOf: (event) => {
      if (event.eventType !== 'ProductUpserted') return undefined;
      const p = event.payload.product;
      return {
        _id: p.sku,
        productId: p.productId,
        productType: p.productType,
        updatedAt: p.updatedAt,
        eventId: event.payload.meta.eventId,
      };
    },
    apply: (d) => view.apply(factOf(d)),
  };
}

function factOf(d: ProductDoc): ProductFact {
  return { product: { sku: d._id, productType: d.productType, updatedAt: d.updatedAt }, eventId: d.eventId };
}
