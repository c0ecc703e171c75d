import type { Collection, Db } from 'mongodb';
import type { TrackingEventOut } from '../mapping/map-tracking.js';

/** Where a tracking event puts a shipment on its way; exceptions have no place (null). Pure. */
export function trackingRank(e: TrackingEventOut): number | null {
  if (e.eventType === 'ShipmentDelivered') return 4;
  if (e.eventType === 'ShipmentException') return null;
  return ({ PICKED_UP: 1, IN_TRANSIT: 2, OUT_FOR_DELIVERY: 3 } as Record<string, number>)[e.payload.milestone.code] ?? null;
}

interface MilestoneDoc { _id: string; shipment: string; rank: number; at: Date }

/**
 * The furthest point each shipment's tracking reached, as insert-only
 * documents (`_id` `<shipmentId>:<rank>`), so a late `in_transit` after
 * `delivered` is recognised without a read-modify-write.
 */
export class MilestoneStore {
  private readonly c: Collection<MilestoneDoc>;

  constructor(db: Db) {
    this.c = db.collection<MilestoneDoc>('tms_bridge_milestones');
  }

  async highest(shipmentId: string): Promise<number> {
    const docs = await this.c.find({ _id: { $in: [1, 2, 3, 4].map((r) => `${shipmentId}:${r}`) } }).toArray();
    return Math.max(0, ...docs.map((d) => d.rank));
  }

  async record(shipmentId: string, rank: number): Promise<void> {
    await this.c.insertOne({ _id: `${shipmentId}:${rank}`, shipment: shipmentId, rank, at: new Date() }).catch((err: unknown) => {
      if ((err as { code?: unknown } | null)?.code !== 11000) throw err;
    });
  }
}
