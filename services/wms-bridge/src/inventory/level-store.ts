import { deleteByIds, insertOnce } from '@odx/runtime';
import type { Collection, Db } from 'mongodb';
import { latestLevels, type OdooLevel } from './compare-stock.js';

interface LevelDoc {
  /** The InventoryLevelChanged event id: a redelivery is a duplicate key. */
  _id: string;
  sku: string;
  warehouseCode: string;
  productId: string | null;
  uom: string;
  onHand: string;
  asOf: Date;
  occurredAt: Date;
  at: Date;
}

/**
 * Odoo's stock levels as InventoryLevelChanged reported them, append-only
 * (one insert per event, `_id` = event id, FerretDB's cheap operation); the
 * latest per SKU and warehouse is picked when reconciling. Superseded levels
 * are swept.
 */
export class LevelStore {
  readonly collection: Collection<LevelDoc>;

  constructor(db: Db) {
    this.collection = db.collection<LevelDoc>('wms_bridge_inventory_levels');
  }

  /** Records one level; false when this event was recorded before. */
  async record(level: OdooLevel): Promise<boolean> {
    const { eventId, ...rest } = level;
    return insertOnce(this.collection, { _id: eventId, ...rest, at: new Date() });
  }

  /** The latest level per SKU and warehouse, optionally only of some (ODX) warehouses. */
  async latest(warehouses?: readonly string[]): Promise<OdooLevel[]> {
    const docs = await this.collection.find(warehouses ? { warehouseCode: { $in: [...warehouses] } } : {}).toArray();
    return latestLevels(docs.map(({ _id, at: _at, ...d }) => ({ eventId: _id, ...d })));
  }

  /** Deletes levels superseded by a later one and recorded before `before`; returns how many. */
  async sweepSuperseded(before: Date): Promise<number> {
    const docs = await this.collection.find({}, { projection: { sku: 1, warehouseCode: 1, asOf: 1, occurredAt: 1, at: 1 } }).toArray();
    const keep = new Set(
      latestLevels(docs.map((d) => ({ ...d, eventId: d._id, productId: null, uom: '', onHand: '0' }))).map((l) => l.eventId),
    );
    const gone = docs.filter((d) => !keep.has(d._id) && d.at < before).map((d) => d._id);
    return deleteByIds(this.collection, gone);
  }
}
