import { HttpProblem, StandardWebhookReceiver, errorMessage, type EventProducer, type IdempotencyStore, type Logger } from '@odx/runtime';
import type { BookingRecords } from '../booking/booking-records.js';
import { mapTrackingWebhook, type TrackingContext } from '../mapping/map-tracking.js';
import { trackingWebhookSchema, type TrackingWebhook } from '../tms/tms-types.js';
import { TrackingPublisher } from '../tracking/tracking-publisher.js';
import type { MilestoneStore } from './milestone-store.js';

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
  /** This milestone (or exception) was already published for the shipment (under another webhook id, or by catch-up): nothing published. */
  | { status: 'stale'; events: [] }
  | { status: 'ignored'; events: [] };

/** Idempotency scope of TMS webhook ids (keys `tms-webhook:<webhook-id>`). */
export const WEBHOOK_SCOPE = 'tms-webhook';

/**
 * One TMS tracking webhook, end to end: signature and timestamp window, body
 * validation, dedupe by `webhook-id`, publication to Kafka. Resolves only
 * after Kafka acknowledged (so the answer is 2xx only then); a failure
 * releases the webhook-id so the TMS's retry is processed in full.
 */
export class WebhookProcessor {
  /** Publishes tracking events once each; catch-up shares it, so a late webhook and a poll never publish an event twice. */
  readonly trackingPublisher: TrackingPublisher;
  private readonly receiver: StandardWebhookReceiver<TrackingWebhook, WebhookOutcome>;

  constructor(private readonly options: WebhookProcessorOptions) {
    this.trackingPublisher = new TrackingPublisher({
      producer: options.producer,
      milestones: options.milestones,
      bookings: options.bookings,
      logger: options.logger,
      topic: options.topics.shipments,
    });
    this.receiver = new StandardWebhookReceiver({
      sender: 'TMS',
      secret: options.secret,
      toleranceSeconds: options.toleranceSeconds,
      idempotency: options.idempotency,
      scope: WEBHOOK_SCOPE,
      logger: options.logger,
      parse: parseBody,
      typeOf: (w) => w.type,
      handle: (w) => this.handle(w),
    });
  }

  process(d: WebhookDelivery): Promise<WebhookOutcome> {
    return this.receiver.process(d);
  }

  /** Publishes the tracking event once per milestone (exceptions once per event id), never moving the shipment backwards; feeds the watchdog. */
  private async handle(webhook: TrackingWebhook): Promise<WebhookOutcome> {
    const event = mapTrackingWebhook(webhook, this.options.mapping);
    const outcome = await this.trackingPublisher.publish(event);
    return outcome === 'stale' ? { status: 'stale', events: [] } : { status: outcome, events: [event.eventType] };
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
