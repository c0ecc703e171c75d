import type { Collection, Db } from 'mongodb';
import type { Address, OrderConfirmed } from '@odx/schemas';

/** What booking needs from an order and a ShipmentPacked does not carry. */
export interface OrderFacts {
  _id: string;
  shipTo: Address;
  warehouseCode: string | null;
  /** YYYY-MM-DD: promised, else requested delivery date. */
  deliverBy: string | null;
  serviceLevel: string | null;
  carrierCode: string | null;
  customerId: string | null;
  at: Date;
}

const day = (d: Date | null | undefined): string | null => (d ? new Date(d).toISOString().slice(0, 10) : null);

/** The facts of an OrderConfirmed. Pure. */
export function orderFactsOf(event: OrderConfirmed): OrderFacts {
  const o = event.order;
  return {
    _id: o.orderId,
    shipTo: o.shipTo,
    warehouseCode: o.warehouseCode,
    deliverBy: day(o.promisedDeliveryDate) ?? day(o.requestedDeliveryDate),
    serviceLevel: o.serviceLevel,
    carrierCode: o.carrierCode,
    customerId: o.customer?.partyId ?? null,
    at: new Date(),
  };
}

/** Ship-to and delivery promise per ODX order, from OrderConfirmed (latest wins). */
export class OrderFactsStore {
  private readonly c: Collection<OrderFacts>;

  constructor(db: Db) {
    this.c = db.collection<OrderFacts>('tms_bridge_orders');
  }

  async remember(facts: OrderFacts): Promise<void> {
    await this.c.replaceOne({ _id: facts._id }, facts, { upsert: true });
  }

  async get(orderId: string): Promise<OrderFacts | null> {
    return this.c.findOne({ _id: orderId });
  }
}
