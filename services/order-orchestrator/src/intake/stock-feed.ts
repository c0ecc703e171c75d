// The stock view allocation reads: the latest InventoryLevelChanged per SKU,
// warehouse, location and lot, stored in `orchestrator_stock_levels`, one
// small document each.
import { stockLevelKind, type LatestValueKind, type StockLevelDoc } from '@odx/runtime';
import type { LevelFact, StockView } from '../policy/index.js';

export const STOCK_COLLECTION = 'orchestrator_stock_levels';

export type LevelDoc = StockLevelDoc;

export function stockLevels(view: StockView): LatestValueKind<LevelDoc> {
  return stockLevelKind(STOCK_COLLECTION, (d) => view.apply(factOf(d)));
}

function factOf(d: LevelDoc): LevelFact {
  const { sku, warehouseCode, locationCode, lotNumber, available, asOf, eventId } = d;
  return { level: { sku, warehouseCode, locationCode, lotNumber, available, asOf }, eventId };
}
