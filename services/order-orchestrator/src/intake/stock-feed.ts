// The stock view allocation reads: the latest InventoryLevelChanged per SKU,
// warehouse, location and lot, stored in `orchestrator_stock_levels`, one
// small document each.
import type { LevelFact, StockView } from '../policy/index.js';
import type { LatestValueKind } from './latest-value-feed.js';

export const STOCK_COLLECTION = 'orchestrator_stock_levels';

export interface LevelDoc {
  _id: string;
  sku: string;
  warehouseCode: string;
  locationCode: string | null;
  lotNumber: string | null;
  available: string;
  asOf: Date;
  eventId: string;
}

export function stockLevels(view: StockView): LatestValueKind<LevelDoc> {
  return {
    what: 'stock levels',
    eventType: 'InventoryLevelChanged',
    collection: STOCK_COLLECTION,
    docOf: (event) => {
      if (event.eventType !== 'InventoryLevelChanged') return undefined;
      const l = event.payload.level;
      return {
        _id: [l.sku, l.warehouseCode, l.locationCode ?? '', l.lotNumber ?? ''].join('|'),
        sku: l.sku,
        warehouseCode: l.warehouseCode,
        locationCode: l.locationCode,
        lotNumber: l.lotNumber,
        available: l.available,
        asOf: l.asOf,
        eventId: event.payload.meta.eventId,
      };
    },
    apply: (d) => view.apply(factOf(d)),
  };
}

function factOf(d: LevelDoc): LevelFact {
  const { sku, warehouseCode, locationCode, lotNumber, available, asOf, eventId } = d;
  return { level: { sku, warehouseCode, locationCode, lotNumber, available, asOf }, eventId };
}
