// The availability view kept from the inventory topic by the runtime's
// LatestValueFeed: one consumer group, shared by the instances, stores the
// latest level per key in MongoDB (one small document each); every instance
// applies what it consumes at once and re-reads the stored levels on a
// schedule, so each answers for every SKU whichever partitions it consumes
// (the orchestrator's stock feed is the same feed with its own kind).
import { stockLevelKind, type LatestValueKind, type StockLevelDoc } from '@odx/runtime';
import type { AvailabilityView } from './availability-view.js';

export const LEVELS_COLLECTION = 'api_gateway_stock_levels';

export type LevelDoc = StockLevelDoc;

/** Stock levels from InventoryLevelChanged, by SKU, warehouse, location and lot, applied to `view`. */
export function availabilityLevels(view: AvailabilityView): LatestValueKind<LevelDoc> {
  return stockLevelKind(LEVELS_COLLECTION, (doc) => view.apply(doc));
}
