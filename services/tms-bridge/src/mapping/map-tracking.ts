import { deterministicEventId } from '@odx/runtime';
import type { EventMeta, Location, Severity, ShipmentDelivered, ShipmentException, ShipmentMilestoneRecorded } from '@odx/schemas';
import type { TrackingWebhook } from '../tms/tms-types.js';

/** A canonical event the bridge publishes, before topic and key are chosen. */
export type TrackingEventOut =
  | { eventType: 'ShipmentMilestoneRecorded'; payload: ShipmentMilestoneRecorded }
  | { eventType: 'ShipmentDelivered'; payload: ShipmentDelivered }
  | { eventType: 'ShipmentException'; payload: ShipmentException };

export interface TrackingContext {
  company: string;
}

const MILESTONE_CODES: Record<string, string> = {
  'tracking.picked_up': 'PICKED_UP',
  'tracking.in_transit': 'IN_TRANSIT',
  'tracking.out_for_delivery': 'OUT_FOR_DELIVERY',
};

const KNOWN_EXCEPTIONS = new Set(['SHORT_PICK', 'DAMAGED', 'DELAYED', 'ADDRESS_ISSUE', 'REFUSED', 'LOST', 'CARRIER_REJECTED', 'OTHER']);

/** How bad an exception is: the shipment is gone or coming back (critical), or late / needs help (warning). */
export function severityOf(code: string): Severity {
  if (code === 'LOST' || code === 'DAMAGED' || code === 'REFUSED') return 'CRITICAL';
  if (code === 'DELAYED' || code === 'ADDRESS_ISSUE' || code === 'CARRIER_REJECTED') return 'WARNING';
  return 'UNKNOWN';
}

function location(l: TrackingWebhook['data']['event']['location']): Location | null {
  if (!l) return null;
  return {
    facility: l.facility ?? null,
    city: l.city ?? null,
    region: null,
    postalCode: l.postalCode ?? null,
    countryCode: l.countryCode ?? null,
  };
}

/**
 * A TMS tracking webhook -> its canonical event. The ODX shipment id is the
 * booking's client reference; the event id comes from the TMS tracking event
 * id, so a redelivered or replayed webhook is the same event. Pure.
 */
export function mapTrackingWebhook(w: TrackingWebhook, ctx: TrackingContext): TrackingEventOut {
  const d = w.data;
  const ev = d.event;
  const occurredAt = new Date(ev.occurredAt);
  const shipmentId = d.reference;
  const orderId = d.orderRef ?? null;
  const meta: EventMeta = {
    // Our reference is part of the id, so a TMS whose ids start over never repeats an old event's id.
    eventId: deterministicEventId('tms', d.reference, d.shipmentId, ev.eventId, w.type),
    occurredAt,
    source: 'tms',
    correlationId: orderId ?? shipmentId,
    causationId: null,
    company: ctx.company,
  };
  const trackingNumber = d.trackingNumber ?? null;
  const estimatedDeliveryAt = d.estimatedDeliveryAt ? new Date(d.estimatedDeliveryAt) : null;
  if (w.type === 'tracking.delivered') {
    return {
      eventType: 'ShipmentDelivered',
      payload: {
        meta,
        shipmentId,
        orderId,
        carrierCode: d.carrier.code,
        trackingNumber,
        deliveredAt: occurredAt,
        receivedBy: null,
        proofOfDeliveryUri: null,
        location: location(ev.location),
      },
    };
  }
  if (w.type === 'tracking.exception') {
    const raw = (ev.exceptionCode ?? 'OTHER').toUpperCase();
    const exceptionCode = KNOWN_EXCEPTIONS.has(raw) ? raw : 'OTHER';
    return {
      eventType: 'ShipmentException',
      payload: {
        meta,
        shipmentId,
        orderId,
        exceptionCode,
        severity: severityOf(exceptionCode),
        description: ev.description ?? `carrier reported ${raw}`,
        reportedBy: d.carrier.scac ?? d.carrier.code,
        location: location(ev.location),
        revisedDeliveryAt: estimatedDeliveryAt,
      },
    };
  }
  return {
    eventType: 'ShipmentMilestoneRecorded',
    payload: {
      meta,
      shipmentId,
      orderId,
      carrierCode: d.carrier.code,
      trackingNumber,
      milestone: {
        code: MILESTONE_CODES[w.type]!,
        carrierStatusCode: ev.status,
        description: ev.description ?? null,
        occurredAt,
        location: location(ev.location),
        estimatedDeliveryAt,
      },
    },
  };
}
