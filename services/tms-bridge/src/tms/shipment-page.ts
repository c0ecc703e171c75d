import { PermanentError } from '@odx/runtime';
import { z } from 'zod';
import { tmsShipmentSchema, trackingWebhookSchema } from './tms-types.js';

/** One tracking event as the TMS lists it in a shipment's history: what its webhook carried as `data.event`. */
export const listedTrackingEventSchema = trackingWebhookSchema.shape.data.shape.event;
export type ListedTrackingEvent = z.output<typeof listedTrackingEventSchema>;

/** A shipment as the TMS lists it: with its tracking history and the time of its last change (the catch-up cursor's position). */
export const listedShipmentSchema = tmsShipmentSchema.extend({
  updatedAt: z.iso.datetime({ offset: true }),
  events: z.array(listedTrackingEventSchema).max(1_000),
});
export type ListedShipment = z.output<typeof listedShipmentSchema>;

/** `GET /v1/shipments`: a page ordered by (updatedAt, id). */
export const shipmentPageSchema = z.object({
  items: z.array(listedShipmentSchema).max(1_000),
  nextPageToken: z.string().min(1).max(2_000).nullish(),
});
export interface ShipmentPage {
  items: ListedShipment[];
  nextPageToken: string | null;
}

/** Reads a shipment page; anything else is a permanent `tms.bad-response` naming what is wrong. */
export function parseShipmentPage(body: unknown): ShipmentPage {
  if (body === null || typeof body !== 'object') {
    throw new PermanentError('TMS answered GET /v1/shipments with a body that is not a JSON object (truncated, or not JSON)', {
      errorClass: 'tms.bad-response',
    });
  }
  const parsed = shipmentPageSchema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.map(String).join('.') || '(body)'}: ${i.message}`)
      .join('; ');
    throw new PermanentError(`TMS answered a shipment page we cannot read: ${issues}`, { errorClass: 'tms.bad-response' });
  }
  return { items: parsed.data.items, nextPageToken: parsed.data.nextPageToken ?? null };
}
