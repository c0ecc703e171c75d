import { PermanentError, TransientError, type EventHandler, type EventProducer, type Logger } from '@odx/runtime';
import { messageKeyFor, type OrderCancelled, type ShipmentPacked } from '@odx/schemas';
import type { TmsBridgeConfig } from '../config.js';
import { mapShipmentBooked, toParcels, toPlace, toTmsAddress } from '../mapping/map-booking.js';
import { orderFactsOf, type OrderFactsStore } from '../orders/order-facts.js';
import { answerMayBeLost, type TmsClient } from '../tms/tms-client.js';
import type { TmsShipment } from '../tms/tms-types.js';
import type { BookingRecords, CancelledOrders } from './booking-records.js';
import { chooseRate, toTmsServiceLevel } from './choose-rate.js';

export interface BookingHandlerDeps {
  client: TmsClient;
  orders: OrderFactsStore;
  bookings: BookingRecords;
  cancelled: CancelledOrders;
  producer: EventProducer;
  logger: Logger;
  rating: TmsBridgeConfig['rating'];
  topics: { shipments: string };
  now?: () => Date;
}

/**
 * The consumer's handler: OrderConfirmed is remembered (ship-to, promise),
 * ShipmentPacked is rated, booked and published as ShipmentBooked; other
 * events are not the bridge's business. TMS errors propagate as classified
 * by the client, so the runner retries, dead-letters or pauses.
 */
export function bookingHandler(deps: BookingHandlerDeps): EventHandler<BookingEventType> {
  return async (event) => {
    switch (event.eventType) {
      case 'OrderConfirmed':
        await deps.orders.remember(orderFactsOf(event.payload));
        return;
      case 'ShipmentPacked': {
        const packed = event.payload;
        if (packed.orderId && (await deps.cancelled.has(packed.orderId))) {
          deps.logger.info('order was cancelled; not booking its shipment', { shipment_id: packed.shipmentId, order_id: packed.orderId });
          return;
        }
        await bookShipment(deps, packed);
        return;
      }
      case 'OrderCancelled':
        await voidBookings(deps, event.payload);
    }
  };
}

/** The event types the booking handler reads. */
export type BookingEventType = 'OrderConfirmed' | 'ShipmentPacked' | 'OrderCancelled';

/** The event types the handler acts on; everything else on its topics is skipped before any I/O. */
export const HANDLED_EVENT_TYPES: ReadonlySet<BookingEventType> = new Set<BookingEventType>([
  'OrderConfirmed',
  'ShipmentPacked',
  'OrderCancelled',
]);

/**
 * Compensation for a cancelled order: voids each of its bookings the carrier
 * has not collected yet and stops watching it. A booking already collected
 * (dispatched) cannot be voided: the event goes to the DLQ as a permanent
 * `tms.already-collected` error naming it, so an operator arranges a return.
 */
export async function voidBookings(deps: BookingHandlerDeps, event: OrderCancelled): Promise<void> {
  const { orderId } = event;
  await deps.cancelled.mark(orderId); // first, so a ShipmentPacked still in a retry topic stands down
  const collected: string[] = [];
  for (const r of await deps.bookings.ofOrder(orderId)) {
    try {
      const voided = await deps.client.voidShipment(r.tmsShipmentId);
      deps.logger.info('booking voided: the order was cancelled', { order_id: orderId, shipment_id: r._id, tms_shipment: voided.id });
    } catch (err) {
      if (err instanceof PermanentError && err.errorClass === 'tms.already-collected') {
        collected.push(`${r._id} (${r.tmsShipmentId}, ${r.carrierCode})`);
        continue;
      }
      throw err;
    }
    await deps.bookings.close(r._id);
  }
  if (collected.length > 0) {
    throw new PermanentError(`order ${orderId} cancelled in ODX but the carrier already collected: ${collected.join(', ')}`, {
      errorClass: 'tms.already-collected',
    });
  }
}

/**
 * Books the shipment at most once: the client reference is the ODX shipment
 * id; an existing booking under it is reused (a redelivery, or a retry after
 * a booking whose answer was lost), and a booking call that times out or
 * fails with 5xx is followed by a lookup before anything is booked again.
 */
export async function bookShipment(deps: BookingHandlerDeps, packed: ShipmentPacked): Promise<TmsShipment> {
  const reference = packed.shipmentId;
  const log = { shipment_id: reference, order_id: packed.orderId };
  let booking = await usable(deps, reference);
  if (booking) {
    deps.logger.info('shipment already booked in the TMS; reusing the booking', { ...log, tms_shipment: booking.id });
  } else {
    booking = await rateAndBook(deps, packed);
  }
  await deps.producer.publish([
    {
      eventType: 'ShipmentBooked',
      key: messageKeyFor('ShipmentBooked', mapShipmentBooked(packed, booking)),
      payload: mapShipmentBooked(packed, booking),
      topic: deps.topics.shipments,
    },
  ]);
  await deps.bookings.recordBooking({
    _id: reference,
    orderId: packed.orderId,
    tmsShipmentId: booking.id,
    carrierCode: booking.carrier.code,
    company: packed.meta.company,
    correlationId: packed.meta.correlationId,
    bookedAt: (deps.now ?? (() => new Date()))(),
  });
  return booking;
}

async function usable(deps: BookingHandlerDeps, reference: string): Promise<TmsShipment | null> {
  const existing = await deps.client.findByReference(reference);
  if (existing && existing.status === 'voided') {
    throw new PermanentError(`TMS booking ${existing.id} for shipment ${reference} was voided; booking again needs an operator`, {
      errorClass: 'tms.voided',
    });
  }
  return existing;
}

async function rateAndBook(deps: BookingHandlerDeps, packed: ShipmentPacked): Promise<TmsShipment> {
  const reference = packed.shipmentId;
  const log = { shipment_id: reference, order_id: packed.orderId };
  if (packed.packages.length === 0)
    throw new PermanentError(`shipment ${reference} was packed without packages`, { errorClass: 'tms.no-packages' });
  const facts = packed.orderId ? await deps.orders.get(packed.orderId) : null;
  if (!facts) {
    // The OrderConfirmed (on another topic) may not have been read yet: retry later.
    throw new TransientError(`no OrderConfirmed seen for order ${packed.orderId ?? '(none)'} of shipment ${reference}: ship-to unknown`, {
      errorClass: 'tms.order-unknown',
    });
  }
  const shipTo = toTmsAddress(facts.shipTo);
  if (!shipTo) throw new PermanentError(`order ${facts._id} has no ship-to postal code and country`, { errorClass: 'tms.validation' });
  const shipFrom =
    (Object.hasOwn(deps.rating.shipFrom, packed.warehouseCode) ? deps.rating.shipFrom[packed.warehouseCode] : undefined) ??
    deps.rating.defaultShipFrom;
  const serviceLevel = toTmsServiceLevel(facts.serviceLevel, deps.rating.serviceLevelMap);
  const today = (deps.now ?? (() => new Date()))().toISOString().slice(0, 10);

  for (let attempt = 1; ; attempt++) {
    const { rates } = await deps.client.rates({
      shipFrom,
      shipTo: toPlace(shipTo),
      packages: toParcels(packed, { dimensionsCm: deps.rating.defaultPackageCm }),
      shipDate: today,
      reference,
    });
    const choice = chooseRate(rates, deps.rating.policy, {
      deliverBy: facts.deliverBy,
      maxTransitDays: deps.rating.maxTransitDays,
      serviceLevel,
      excludedCarriers: deps.rating.excludedCarriers,
    });
    if (!choice.ok) throw new PermanentError(`cannot book shipment ${reference}: ${choice.reason}`, { errorClass: 'tms.no-rate' });
    if (!choice.onTime)
      deps.logger.warn('no rate meets the delivery promise; booking the fastest', {
        ...log,
        deliver_by: facts.deliverBy,
        quote: choice.quote.quoteId,
      });
    try {
      const { shipment, created } = await deps.client.book({
        reference,
        quoteId: choice.quote.quoteId,
        shipTo,
        ...(packed.orderId ? { orderRef: packed.orderId } : {}),
      });
      deps.logger.info(created ? 'shipment booked in the TMS' : 'TMS returned the existing booking', {
        ...log,
        tms_shipment: shipment.id,
        carrier: shipment.carrier.code,
        service: shipment.service.code,
        cost: shipment.cost.amount,
        reason: choice.reason,
      });
      return shipment;
    } catch (err) {
      if (answerMayBeLost(err)) {
        // The TMS may have booked without answering: look before booking again.
        const found = await deps.client.findByReference(reference).catch(() => null);
        if (found) {
          deps.logger.warn('booking answer lost, but the TMS has the booking; using it', { ...log, tms_shipment: found.id, err });
          return found;
        }
        throw err;
      }
      if (
        attempt === 1 &&
        err instanceof PermanentError &&
        (err.errorClass === 'tms.quote_expired' || err.errorClass === 'tms.unknown_quote')
      ) {
        deps.logger.info('quote expired before booking; rating again', log);
        continue;
      }
      throw err;
    }
  }
}
