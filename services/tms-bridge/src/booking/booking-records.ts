import { insertOnce } from '@odx/runtime';
import type { Collection, Db } from 'mongodb';

/** A booked shipment as the watchdog follows it. */
export interface BookingRecord {
  /** ODX shipment id (the TMS client reference). */
  _id: string;
  orderId: string | null;
  tmsShipmentId: string;
  carrierCode: string;
  company: string;
  correlationId: string;
  bookedAt: Date;
  /** When the last tracking news (or the booking) arrived. */
  lastNewsAt: Date;
  /** Delivered, lost or refused: no more watching. */
  closed: boolean;
  /** A late exception was raised for the current silence (news clears it). */
  lateRaised: boolean;
}

/** Bookings made through this bridge, and their tracking freshness. */
export class BookingRecords {
  private readonly c: Collection<BookingRecord>;

  constructor(db: Db) {
    this.c = db.collection<BookingRecord>('tms_bridge_bookings');
  }

  async recordBooking(r: Omit<BookingRecord, 'lastNewsAt' | 'closed' | 'lateRaised'>): Promise<void> {
    await insertOnce(this.c, { ...r, lastNewsAt: r.bookedAt, closed: false, lateRaised: false });
  }

  async recordNews(shipmentId: string, at: Date, closed: boolean): Promise<void> {
    await this.c.updateOne(
      { _id: shipmentId },
      closed ? { $set: { closed: true, lastNewsAt: at } } : { $max: { lastNewsAt: at }, $set: { lateRaised: false } },
    );
  }

  /** Bookings made for an ODX order. */
  async ofOrder(orderId: string): Promise<BookingRecord[]> {
    return this.c.find({ orderId }).toArray();
  }

  /** No more watching (voided, delivered elsewhere). */
  async close(shipmentId: string): Promise<void> {
    await this.c.updateOne({ _id: shipmentId }, { $set: { closed: true } });
  }

  /** Open bookings with no news since `before` and no late exception raised for that silence yet. */
  async silentSince(before: Date, limit = 500): Promise<BookingRecord[]> {
    return this.c
      .find({ closed: false, lateRaised: false, lastNewsAt: { $lt: before } })
      .limit(limit)
      .toArray();
  }

  /** Marks the silence that ended at `forNewsAt` as reported (unless news arrived meanwhile). */
  async markLateRaised(shipmentId: string, forNewsAt: Date): Promise<void> {
    await this.c.updateOne({ _id: shipmentId, lastNewsAt: forNewsAt }, { $set: { lateRaised: true } });
  }
}

/** ODX orders cancelled, insert-only: a ShipmentPacked of a cancelled order is not booked. */
export class CancelledOrders {
  private readonly c: Collection<{ _id: string; at: Date }>;

  constructor(db: Db) {
    this.c = db.collection<{ _id: string; at: Date }>('tms_bridge_cancellations');
  }

  async mark(orderId: string): Promise<void> {
    await insertOnce(this.c, { _id: orderId, at: new Date() });
  }

  async has(orderId: string): Promise<boolean> {
    return (await this.c.findOne({ _id: orderId })) !== null;
  }
}
