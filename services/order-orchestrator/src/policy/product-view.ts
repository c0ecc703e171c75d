import type { Product } from '@odx/schemas';
import type { ProductKind } from './allocation-policy.js';

/** What the view needs of a ProductUpserted: the product's SKU, type and version, and the event's id. */
export interface ProductFact {
  product: Pick<Product, 'sku' | 'productType' | 'updatedAt'>;
  eventId: string;
}

interface Seen {
  at: number;
  eventId: string;
  kind: ProductKind;
}

/**
 * ProductUpserted's productType as allocation sees it. The poller writes `storable`, `consumable` or `service`
 * (services/odoo-outbox-poller/src/mapping/map-master-data.ts); Odoo's own names are read too (`product`: storable;
 * `consu`: consumable; `combo`: a bundle, not stocked itself). Anything else counts as storable: a product of
 * unknown kind waits for stock rather than leave without it.
 */
export function productKindOf(productType: string): ProductKind {
  switch (productType.trim().toLowerCase()) {
    case 'consumable':
    case 'consu':
      return 'consumable';
    case 'service':
    case 'combo':
      return 'service';
    default:
      return 'storable';
  }
}

/**
 * The kind of each product by SKU (what order lines carry), folded from
 * ProductUpserted. Latest means the greatest `updatedAt` (Odoo's write_date),
 * then the greatest event id, so the same facts in any order give the same
 * view. A SKU never seen is not in the view (allocation counts it storable).
 */
export class ProductView {
  private readonly bySku = new Map<string, Seen>();

  /** Applies one product; returns false when it is older than what the view holds. */
  apply(fact: ProductFact): boolean {
    const p = fact.product;
    const next: Seen = { at: new Date(p.updatedAt).getTime(), eventId: fact.eventId, kind: productKindOf(p.productType) };
    const cur = this.bySku.get(p.sku);
    if (cur && (cur.at > next.at || (cur.at === next.at && cur.eventId >= next.eventId))) return false;
    this.bySku.set(p.sku, next);
    return true;
  }

  kindOf(sku: string): ProductKind | undefined {
    return this.bySku.get(sku)?.kind;
  }

  /** The map `allocate` reads (`products`), for the given SKUs: only those the view knows. */
  kinds(skus: Iterable<string>): Map<string, ProductKind> {
    const out = new Map<string, ProductKind>();
    for (const sku of skus) {
      const seen = this.bySku.get(sku);
      if (seen) out.set(sku, seen.kind);
    }
    return out;
  }

  get size(): number {
    return this.bySku.size;
  }
}
