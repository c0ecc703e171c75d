import type { Collection, Db } from 'mongodb';
import { STAGES, type Stage } from '../mapping/order-stages.js';

export const STAGE_COLLECTION = 'wms_bridge_order_stages';

interface StageDoc { _id: string; order: string; stage: Stage; at: Date }

/** A WMS order as the stage store names it: our reference and the WMS's id. */
export interface StagedOrder { id: string; externalRef: string }

/**
 * The stages already published per WMS order, one insert-only document per
 * (order, stage) with `_id` `<externalRef>/<wmsOrderId>:<stage>`: no
 * read-modify-write, so it works on FerretDB, and a repeated insert is a
 * harmless duplicate key. The key holds our reference too, so a WMS whose ids
 * start over (a test or staging WMS reset) never makes a new order look done.
 */
export class StageStore {
  private readonly c: Collection<StageDoc>;

  constructor(db: Db) {
    this.c = db.collection<StageDoc>(STAGE_COLLECTION);
  }

  async recorded(order: StagedOrder): Promise<Stage[]> {
    const docs = await this.c.find({ _id: { $in: STAGES.map((s) => `${keyOf(order)}:${s}`) } }).toArray();
    return docs.map((d) => d.stage);
  }

  async record(order: StagedOrder, stages: Stage[]): Promise<void> {
    if (stages.length === 0) return;
    const at = new Date();
    try {
      await this.c.insertMany(stages.map((stage) => ({ _id: `${keyOf(order)}:${stage}`, order: order.id, stage, at })), { ordered: false });
    } catch (err) {
      // A bulk write error lists each failed insert; only "already recorded" ones are fine.
      const e = err as { code?: unknown; writeErrors?: Array<{ code?: unknown }> | { code?: unknown } };
      const writeErrors = e.writeErrors === undefined ? [] : Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
      const duplicatesOnly = writeErrors.length > 0 ? writeErrors.every((w) => w.code === 11000) : e.code === 11000;
      if (!duplicatesOnly) throw err;
    }
  }
}

function keyOf(order: StagedOrder): string {
  return `${order.externalRef}/${order.id}`;
}
