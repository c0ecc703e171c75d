import { TRACKING_TYPES, type TrackingType, type TrackingWebhook } from '../tms/tms-types.js';
import type { ListedShipment } from '../tms/shipment-page.js';

function trackingTypeOf(status: string): TrackingType | undefined {
  return TRACKING_TYPES.find((t) => t === `tracking.${status}`);
}

/**
 * A listed shipment's tracking history as the webhooks the TMS sent (or
 * tried to send) for it, oldest first: the same shipment, reference and
 * tracking event ids, so `mapTrackingWebhook` gives each the event, and the
 * event id, its webhook gave. Events of a status the bridge does not translate
 * are left out, as their webhooks would be. Pure.
 */
export function trackingWebhooksOf(shipment: ListedShipment): TrackingWebhook[] {
  return shipment.events.flatMap((event): TrackingWebhook[] => {
    const type = trackingTypeOf(event.status);
    if (type === undefined) return [];
    return [
      {
        type,
        timestamp: event.occurredAt,
        data: {
          shipmentId: shipment.id,
          reference: shipment.reference,
          orderRef: shipment.orderRef ?? null,
          trackingNumber: shipment.trackingNumber,
          carrier: shipment.carrier,
          service: shipment.service,
          status: event.status,
          event,
          estimatedDeliveryAt: shipment.estimatedDeliveryAt ?? null,
        },
      },
    ];
  });
}
