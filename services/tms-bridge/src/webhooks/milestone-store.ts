import { findByIds, insertOnce } from '@odx/runtime';
import type { Collection, Db } from 'mongodb';
import type { TrackingEventOut } from '../mapping/map-tracking.js';

/** Where a tracking event puts a shipment on its way; exceptions have no place (null). Pure. */
export function trackingRank(e: TrackingEventOut): number | null {
  if (e.eventType === 'ShipmentDelivered') return 4;
  if (e.eventType === 'ShipmentException') return null;
  return ({ PICKED_UP: 1, IN_TRANSIT: 2, OUT_FOR_DELIVERY: 3 } as Record<string, number>)[e.payload.milestone.code] ?? null;
}

/** `rank` 0: an exception (`_id` `<shipmentId>:x:<eventId>`). */
interface MilestoneDoc {
  _id: string;
  shipment: string;
  rank: number;
  at: Date;
}

/**
 * The tracking milestones each shipment has reported, as insert-only
 * documents (`_id` `<shipmentId>:<rank>`): a milestone is published once
 * whatever the webhook id, and a late `in_transit` after `delivered` is
 * recognised as late without a read-modify-write. Exceptions published are
 * kept by event id (`<shipmentId>:x:<eventId>`), so a webhook and catch-up
 * publish each once.
 */
export class MilestoneStore {
  private readonly c: Collection<MilestoneDoc>;

  constructor(db: Db) {
    this.c = db.collection<MilestoneDoc>('tms_bridge_milestones');
  }

  /** Ranks of the milestones already recorded for the shipment. */
  async recorded(shipmentId: string): Promise<Set<number>> {
    // Point lookups: an `_id: { $in }` filter scans the whole collection on FerretDB.
    const docs = await findByIds(
      this.c,
      [1, 2, 3, 4].map((r) => `${shipmentId}:${r}`),
    );
    return new Set(docs.map((d) => d.rank));
  }

  async record(shipmentId: string, rank: number): Promise<void> {
    await insertOnce(this.c, { _id: `${shipmentId}:${rank}`, shipment: shipmentId, rank, at: new Date() });
  }

  /** True when the exception event with this id was published for the shipment. */
  async hasException(shipmentId: string, eventId: string): Promise<boolean> {
    return (await this.c.findOne({ _id: `${shipmentId}:x:${eventId}` })) !== null;
  }

  async recordException(shipmentId: string, eventId: string): Promise<void> {
    await insertOnce(this.c, { _id: `${shipmentId}:x:${eventId}`, shipment: shipmentId, rank: 0, at: new Date() });
  }
}
