import { KeyedLock, HttpProblem, StandardWebhookReceiver, errorMessage, type EventProducer, type IdempotencyStore, type Logger } from '@odx/runtime';
import { messageKeyFor } from '@odx/schemas';
import type { BookingRecords } from '../booking/booking-records.js';
import { mapTrackingWebhook, type TrackingContext } from '../mapping/map-tracking.js';
import { trackingWebhookSchema, type TrackingWebhook } from '../tms/tms-types.js';
import { trackingRank, type MilestoneStore } from './milestone-store.js';

export interface WebhookProcessorOptions {
  secret: string;
  toleranceSeconds: number;
  producer: EventProducer;
  idempotency: IdempotencyStore;
  bookings: BookingRecords;
  milestones: MilestoneStore;
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
  /**
   * A milestone that arrived after a later one (an `in_transit` after
   * `delivered`): published once as history, with its own time, while the
   * shipment's state stays where it is (consumers order milestones by rank).
   */
  | { status: 'late'; events: string[] }
  /** This milestone was already published for the shipment (under another webhook id): nothing published. */
  | { status: 'stale'; events: [] }
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
  private readonly lock = new KeyedLock();
  private readonly receiver: StandardWebhookReceiver<TrackingWebhook, WebhookOutcome>;

  constructor(private readonly o: WebhookProcessorOptions) {
    this.receiver = new StandardWebhookReceiver({
      sender: 'TMS', secret: o.secret, toleranceSeconds: o.toleranceSeconds, idempotency: o.idempotency, scope: WEBHOOK_SCOPE, logger: o.logger,
      parse: parseBody, typeOf: (w) => w.type, handle: (w) => this.handle(w),
    });
  }

  process(d: WebhookDelivery): Promise<WebhookOutcome> {
    return this.receiver.process(d);
  }

  /** Publishes the tracking event once per milestone, never moving the shipment backwards; feeds the watchdog. */
  private async handle(webhook: TrackingWebhook): Promise<WebhookOutcome> {
    const event = mapTrackingWebhook(webhook, this.o.mapping);
    const shipmentId = event.payload.shipmentId;
    const rank = trackingRank(event);
    const outcome = await this.lock.run(shipmentId, async (): Promise<WebhookOutcome> => {
      const recorded = rank !== null ? await this.o.milestones.recorded(shipmentId) : new Set<number>();
      if (rank !== null && recorded.has(rank)) return { status: 'stale', events: [] };
      await this.o.producer.publish([{ ...event, key: messageKeyFor(event.eventType, event.payload), topic: this.o.topics.shipments }]);
      if (rank !== null) await this.o.milestones.record(shipmentId, rank);
      const late = rank !== null && [...recorded].some((r) => r > rank);
      return { status: late ? 'late' : 'published', events: [event.eventType] };
    });
    if (outcome.status === 'published') {
      const closed = event.eventType === 'ShipmentDelivered' || (event.eventType === 'ShipmentException' && FINAL_EXCEPTIONS.has(event.payload.exceptionCode));
      await this.o.bookings.recordNews(shipmentId, new Date(), closed).catch((err: unknown) => {
        this.o.logger.warn('could not record tracking news for the watchdog', { shipment_id: shipmentId, err });
      });
    }
    return outcome;
  }
}

/** The envelope, or 'ignored' for a well-formed event type the bridge does not translate; 400 otherwise. */
function parseBody(raw: Buffer): TrackingWebhook | 'ignored' {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new HttpProblem(400, 'Bad Request', `malformed JSON body: ${errorMessage(err)}`);
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
