import { HttpProblem, type EventProducer, type IdempotencyStore, type Logger } from '@odx/runtime';
import { messageKeyFor } from '@odx/schemas';
import type { BookingRecords } from '../booking/booking-records.js';
import { mapTrackingWebhook, type TrackingContext } from '../mapping/map-tracking.js';
import { trackingWebhookSchema, type TrackingWebhook } from '../tms/tms-types.js';
import { verifyStandardWebhook, webhookKey } from '@odx/runtime';

export interface WebhookProcessorOptions {
  secret: string;
  toleranceSeconds: number;
  producer: EventProducer;
  idempotency: IdempotencyStore;
  bookings: BookingRecords;
  logger: Logger;
  mapping: TrackingContext;
  topics: { shipments: string };
}

export interface WebhookDelivery {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Buffer;
}

export type WebhookOutcome =
  | { status: 'published'; events: string[] }
  | { status: 'duplicate'; events: [] }
  | { status: 'ignored'; events: [] };

/** Idempotency scope of TMS webhook ids (keys `tms-webhook:<webhook-id>`). */
export const WEBHOOK_SCOPE = 'tms-webhook';

/** Tracking statuses after which the shipment needs no watching. */
const FINAL_EXCEPTIONS = new Set(['LOST', 'REFUSED']);

/**
 * One TMS tracking webhook, end to end: signature and timestamp window, body
 * validation, dedupe by `webhook-id`, publication to Kafka. Resolves only
 * after Kafka acknowledged (so the answer is 2xx only then); a failure
 * releases the webhook-id so the TMS's retry is processed in full.
 */
export class WebhookProcessor {
  private readonly key: Buffer;

  constructor(private readonly o: WebhookProcessorOptions) {
    this.key = webhookKey(o.secret);
  }

  async process(d: WebhookDelivery): Promise<WebhookOutcome> {
    const check = verifyStandardWebhook(this.key, d, d.rawBody, this.o.toleranceSeconds);
    if (!check.ok) {
      this.o.logger.warn('webhook rejected', { reason: check.reason, webhook_id: d.id });
      throw new HttpProblem(401, 'Unauthorized', `webhook signature check failed: ${check.reason}`, { reason: check.reason });
    }
    const webhookId = d.id!;
    const webhook = parseBody(d.rawBody);
    if (webhook === 'ignored') return { status: 'ignored', events: [] };

    const claimed = await this.o.idempotency.claim(WEBHOOK_SCOPE, webhookId);
    if (claimed.status === 'duplicate') return { status: 'duplicate', events: [] };
    if (claimed.status === 'busy') {
      throw new HttpProblem(409, 'Conflict', `webhook ${webhookId} is being processed`, { retryAfterSeconds: Math.ceil(claimed.retryAfterMs / 1000) });
    }
    try {
      const event = mapTrackingWebhook(webhook, this.o.mapping);
      await this.o.producer.publish([{ eventType: event.eventType, key: messageKeyFor(event.eventType, event.payload as never), payload: event.payload, topic: this.o.topics.shipments }]);
      const closed = event.eventType === 'ShipmentDelivered' || (event.eventType === 'ShipmentException' && FINAL_EXCEPTIONS.has(event.payload.exceptionCode));
      await this.o.bookings.recordNews(event.payload.shipmentId, new Date(), closed).catch((err: unknown) => {
        this.o.logger.warn('could not record tracking news for the watchdog', { shipment_id: event.payload.shipmentId, err });
      });
      await this.o.idempotency.complete(claimed.claim, { verifyHolder: false });
      this.o.logger.info('webhook handled', { webhook_id: webhookId, type: webhook.type, event: event.eventType, shipment_id: event.payload.shipmentId });
      return { status: 'published', events: [event.eventType] };
    } catch (err) {
      await this.o.idempotency.release(claimed.claim).catch(() => undefined);
      this.o.logger.warn('webhook not handled; the TMS will retry', { webhook_id: webhookId, type: webhook.type, err });
      throw new HttpProblem(503, 'Service Unavailable', 'could not publish the event; retry later');
    }
  }
}

/** The envelope, or 'ignored' for a well-formed event type the bridge does not translate; 400 otherwise. */
function parseBody(raw: Buffer): TrackingWebhook | 'ignored' {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new HttpProblem(400, 'Bad Request', `malformed JSON body: ${err instanceof Error ? err.message : String(err)}`);
  }
  const type = (json as { type?: unknown } | null)?.type;
  if (typeof type === 'string' && !type.startsWith('tracking.') && /^[a-z_]+(\.[a-z_]+)+$/.test(type)) return 'ignored';
  const parsed = trackingWebhookSchema.safeParse(json);
  if (!parsed.success) {
    throw new HttpProblem(400, 'Bad Request', 'webhook body failed validation', {
      errors: parsed.error.issues.slice(0, 20).map((i) => ({ field: i.path.map(String).join('.') || '(body)', message: i.message })),
    });
  }
  return parsed.data;
}
