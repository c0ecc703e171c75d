import { findByIds, insertManyInChunks } from '@odx/runtime';
import type { Collection, Db } from 'mongodb';
import { STAGES, type Stage } from '../mapping/order-stages.js';

export const STAGE_COLLECTION = 'wms_bridge_order_stages';

interface StageDoc {
  _id: string;
  order: string;
  stage: Stage;
  at: Date;
}

/** A WMS order as the stage store names it: our reference and the WMS's id. */
export interface StagedOrder {
  id: string;
  externalRef: string;
}

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
    // Point lookups: an `_id: { $in }` filter scans the whole collection on FerretDB.
    const docs = await findByIds(
      this.c,
      STAGES.map((s) => `${keyOf(order)}:${s}`),
    );
    return docs.map((d) => d.stage);
  }

  async record(order: StagedOrder, stages: Stage[]): Promise<void> {
    if (stages.length === 0) return;
    const at = new Date();
    // Stages recorded before (a duplicate key) are fine; any other failure throws.
    await insertManyInChunks(
      this.c,
      stages.map((stage) => ({ _id: `${keyOf(order)}:${stage}`, order: order.id, stage, at })),
    );
  }
}

function keyOf(order: StagedOrder): string {
  return `${order.externalRef}/${order.id}`;
}
