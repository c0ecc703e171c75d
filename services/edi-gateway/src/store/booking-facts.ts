import { insertOnce } from '@odx/runtime';
import type { Collection, Db } from 'mongodb';
import type { BookingFacts } from '../model/booking-facts.js';

interface BookingDoc extends BookingFacts {
  /** shipmentId. */
  _id: string;
  at: Date;
}

/** Carrier facts from ShipmentBooked, kept for the 856 built at dispatch (inserts only; the first booking wins). */
export class BookingFactsStore {
  private readonly col: Collection<BookingDoc>;

  constructor(db: Db, collection = 'edi_shipment_bookings') {
    this.col = db.collection<BookingDoc>(collection);
  }

  async remember(shipmentId: string, facts: BookingFacts): Promise<void> {
    await insertOnce(this.col, { _id: shipmentId, ...facts, at: new Date() });
  }

  async find(shipmentId: string): Promise<BookingFacts | null> {
    const d = await this.col.findOne({ _id: shipmentId });
    return d
      ? {
          carrierCode: d.carrierCode,
          trackingNumber: d.trackingNumber,
          bookingRef: d.bookingRef,
          packageTrackingNumbers: d.packageTrackingNumbers,
        }
      : null;
  }
}
