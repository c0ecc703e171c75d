import { findByIds, InsertBatcher } from '@odx/runtime';
import type { Collection, Db } from 'mongodb';
import { STAGES, type Stage } from '../mapping/order-stages.js';

export const STAGE_COLLECTION = 'wms_bridge_order_stages';
/** Orders whose recorded stages the process keeps (about 100 bytes each). */
const KNOWN_ORDERS = 50_000;

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
 *
 * The stages this process recorded or read are kept in memory (the last
 * KNOWN_ORDERS orders), so an order's second and later webhooks cost no reads:
 * four point lookups per webhook were most of the bridge's store load. The
 * memory can only be behind the store (another replica recorded a stage since),
 * never ahead of it, and a stage published again carries the same event id
 * (`mapOrderStage`), which every consumer drops as a duplicate. Inserts of
 * concurrent webhooks share commands (InsertBatcher).
 */
export class StageStore {
  private readonly c: Collection<StageDoc>;
  private readonly inserts: InsertBatcher<StageDoc>;
  /** Recorded stages by order key, oldest first (a Map keeps insertion order). */
  private readonly known = new Map<string, Set<Stage>>();

  constructor(db: Db) {
    this.c = db.collection<StageDoc>(STAGE_COLLECTION);
    this.inserts = new InsertBatcher(this.c, { lingerMs: 0, maxInFlight: 1 });
  }

  async recorded(order: StagedOrder): Promise<Stage[]> {
    const key = keyOf(order);
    const known = this.known.get(key);
    if (known) return [...known];
    // Point lookups: an `_id: { $in }` filter scans the whole collection on FerretDB.
    const docs = await findByIds(
      this.c,
      STAGES.map((s) => `${key}:${s}`),
    );
    const stages = docs.map((d) => d.stage);
    this.remember(key, stages);
    return stages;
  }

  async record(order: StagedOrder, stages: Stage[]): Promise<void> {
    if (stages.length === 0) return;
    const key = keyOf(order);
    const at = new Date();
    // Stages recorded before (a duplicate key: false) are fine; any other failure throws.
    await Promise.all(stages.map((stage) => this.inserts.insert({ _id: `${key}:${stage}`, order: order.id, stage, at })));
    this.remember(key, stages);
  }

  /** The order was just created in the WMS: nothing is recorded for it (unless something already is). */
  noneYet(order: StagedOrder): void {
    if (!this.known.has(keyOf(order))) this.remember(keyOf(order), []);
  }

  /** Adds `stages` to what is known of `key`, as its newest entry. */
  private remember(key: string, stages: Stage[]): void {
    const known = this.known.get(key) ?? new Set<Stage>();
    for (const s of stages) known.add(s);
    this.known.delete(key);
    this.known.set(key, known);
    if (this.known.size > KNOWN_ORDERS) this.known.delete(this.known.keys().next().value as string);
  }
}

function keyOf(order: StagedOrder): string {
  return `${order.externalRef}/${order.id}`;
}
