import { PermanentError, type EventHandler, type Logger } from '@odx/runtime';
import type { InventoryLevelChanged } from '@odx/schemas';
import { toUnits, type OdooLevel } from './compare-stock.js';
import type { LevelStore } from './level-store.js';

/**
 * The warehouse total of an InventoryLevelChanged as reconciliation compares
 * it, or null for what reconciliation does not compare (bin or lot levels).
 * Throws PermanentError for a level whose on-hand is not a decimal. Pure.
 */
export function levelOf(event: InventoryLevelChanged): OdooLevel | null {
  const l = event.level;
  if (l.locationCode !== null || l.lotNumber !== null) return null;
  try {
    toUnits(l.onHand);
  } catch (err) {
    throw new PermanentError(`InventoryLevelChanged ${event.meta.eventId}: on-hand ${JSON.stringify(l.onHand)} is not a decimal`, {
      errorClass: 'wms-bridge.level',
      cause: err,
    });
  }
  return {
    eventId: event.meta.eventId,
    sku: l.sku,
    warehouseCode: l.warehouseCode,
    productId: l.productId,
    uom: l.uom,
    onHand: l.onHand,
    asOf: new Date(l.asOf),
    occurredAt: new Date(event.meta.occurredAt),
  };
}

/**
 * The handler of the inventory topic: keeps InventoryLevelChanged warehouse
 * totals; every other event on the topic (including the bridge's own
 * InventoryAdjusted and InventoryMismatchDetected) is skipped at once. Inserts
 * keyed by event id make redeliveries harmless, so the runner needs no
 * idempotency claims here.
 */
export function levelHandler(store: LevelStore, logger: Logger): EventHandler {
  return async (event) => {
    if (event.eventType !== 'InventoryLevelChanged') return;
    const level = levelOf(event.payload);
    if (!level) return;
    if (!(await store.record(level))) logger.debug('inventory level seen before', { event_id: level.eventId });
  };
}
