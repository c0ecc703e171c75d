import type { CanonicalEvent } from '@odx/runtime';
import { isApiOrderId } from '../intake/map-order.js';

/** An order's status as partners see it, from first to last. */
export const ORDER_STATUSES = [
  'received',
  'confirmed',
  'picked',
  'packed',
  'booked',
  'shipped',
  'delivered',
  'invoiced',
  'cancelled',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** One step of an order's timeline, as stored and shown. */
export interface TimelineEntry {
  orderId: string;
  eventId: string;
  eventType: string;
  status: OrderStatus | null;
  at: Date;
  /** A fact worth showing the partner (tracking number, exception text, invoice number). */
  detail: string | null;
}

/** The timeline entry an event makes for an order created through this API; undefined for other orders and other events. */
export function timelineEntryOf(event: CanonicalEvent): TimelineEntry | undefined {
  const entry = (orderId: string | null, status: OrderStatus | null, at: Date, detail: string | null = null): TimelineEntry | undefined =>
    orderId && isApiOrderId(orderId)
      ? { orderId, eventId: event.payload.meta.eventId, eventType: event.eventType, status, at: new Date(at), detail }
      : undefined;
  switch (event.eventType) {
    case 'OrderReceived':
      return entry(event.payload.order.orderId, 'received', event.payload.meta.occurredAt);
    case 'OrderConfirmed':
      return entry(event.payload.order.orderId, 'confirmed', event.payload.confirmedAt, event.payload.order.name);
    case 'OrderCancelled':
      return entry(event.payload.orderId, 'cancelled', event.payload.cancelledAt, event.payload.reason);
    case 'ShipmentPicked':
      return entry(event.payload.orderId, 'picked', event.payload.pickedAt, event.payload.shortPicked ? 'short picked' : null);
    case 'ShipmentPacked':
      return entry(event.payload.orderId, 'packed', event.payload.packedAt);
    case 'ShipmentBooked':
      return entry(event.payload.orderId, 'booked', event.payload.meta.occurredAt, event.payload.trackingNumber);
    case 'ShipmentDispatched':
      return entry(event.payload.shipment.orderId, 'shipped', event.payload.dispatchedAt);
    case 'ShipmentDelivered':
      return entry(event.payload.orderId, 'delivered', event.payload.deliveredAt);
    case 'ShipmentException':
      return entry(
        event.payload.orderId,
        null,
        event.payload.meta.occurredAt,
        `${event.payload.exceptionCode}: ${event.payload.description}`,
      );
    case 'InvoicePosted':
      return entry(event.payload.invoice.orderId, 'invoiced', event.payload.postedAt, event.payload.invoice.name);
    default:
      return undefined;
  }
}

/** The status a timeline adds up to: cancelled is final, otherwise the furthest step reached. */
export function statusOf(entries: readonly Pick<TimelineEntry, 'status'>[]): OrderStatus {
  let best = 0;
  for (const e of entries) {
    if (e.status === 'cancelled') return 'cancelled';
    if (e.status) best = Math.max(best, ORDER_STATUSES.indexOf(e.status));
  }
  return ORDER_STATUSES[best]!;
}

export const TIMELINE_EVENT_TYPES = [
  'OrderReceived',
  'OrderConfirmed',
  'OrderCancelled',
  'ShipmentPicked',
  'ShipmentPacked',
  'ShipmentBooked',
  'ShipmentDispatched',
  'ShipmentDelivered',
  'ShipmentException',
  'InvoicePosted',
] as const;
