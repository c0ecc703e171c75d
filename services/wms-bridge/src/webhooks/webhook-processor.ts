import { HttpProblem, StandardWebhookReceiver, errorMessage, type EventProducer, type IdempotencyStore, type Logger } from '@odx/runtime';
import { messageKeyFor } from '@odx/schemas';
import { mapInventoryAdjustment, type BridgeEvent, type MappingContext } from '../mapping/map-wms-webhook.js';
import { stageOfWebhook } from '../mapping/order-stages.js';
import { StagePublisher } from '../stages/stage-publisher.js';
import { HANDLED_WEBHOOK_TYPES, webhookEnvelopeSchema, type WmsWebhook } from '../wms/wms-types.js';
import type { StageStore } from './stage-store.js';

export interface WebhookProcessorOptions {
  secret: string;
  toleranceSeconds: number;
  producer: EventProducer;
  idempotency: IdempotencyStore;
  stages: StageStore;
  logger: Logger;
  mapping: MappingContext;
  topics: { shipments: string; inventory: string };
}

export interface WebhookDelivery {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Buffer;
}

export type WebhookOutcome =
  /** Events published (and acknowledged by Kafka). */
  | { status: 'published'; events: string[] }
  /** This webhook-id was handled before. */
  | { status: 'duplicate'; events: [] }
  /** The order is already at or past this stage: nothing published. */
  | { status: 'stale'; events: [] }
  /** A signed event type the bridge does not translate. */
  | { status: 'ignored'; events: [] };

/** Idempotency scope of webhook ids (keys `wms-webhook:<webhook-id>`). */
export const WEBHOOK_SCOPE = 'wms-webhook';

/**
 * One WMS webhook delivery, end to end: signature and timestamp window,
 * body validation, dedupe by `webhook-id`, per-order stage monotonicity, and
 * publication to Kafka. Resolves only after Kafka acknowledged, so the HTTP
 * answer is 2xx only then; any failure leaves the webhook-id unclaimed so the
 * WMS's retry is processed in full.
 */
export class WebhookProcessor {
  /** Publishes an order's missing stages; catch-up shares it, so a late webhook and a poll never publish a stage twice. */
  readonly stagePublisher: StagePublisher;
  private readonly receiver: StandardWebhookReceiver<WmsWebhook, WebhookOutcome>;

  constructor(private readonly options: WebhookProcessorOptions) {
    this.stagePublisher = new StagePublisher({
      producer: options.producer,
      stages: options.stages,
      mapping: options.mapping,
      topic: options.topics.shipments,
    });
    this.receiver = new StandardWebhookReceiver({
      sender: 'WMS',
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

  private async handle(webhook: WmsWebhook): Promise<WebhookOutcome> {
    if (webhook.type === 'inventory.adjusted') {
      const event = mapInventoryAdjustment(webhook.data, this.options.mapping);
      await this.publish([event]);
      return { status: 'published', events: [event.eventType] };
    }
    const events = await this.stagePublisher.publishMissing(webhook.data, stageOfWebhook(webhook.type)!);
    return events.length === 0 ? { status: 'stale', events: [] } : { status: 'published', events: events.map((e) => e.eventType) };
  }

  private async publish(events: BridgeEvent[]): Promise<void> {
    await this.options.producer.publish(
      events.map((e) => ({
        ...e,
        key: messageKeyFor(e.eventType, e.payload),
        topic: e.eventType === 'InventoryAdjusted' ? this.options.topics.inventory : this.options.topics.shipments,
      })),
    );
  }
}

/** The envelope, or 'ignored' for a well-formed event type the bridge does not translate; 400 otherwise. */
function parseBody(raw: Buffer): WmsWebhook | 'ignored' {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new HttpProblem(400, 'Bad Request', `malformed JSON body: ${errorMessage(err)}`);
  }
  const type = (json as { type?: unknown } | null)?.type;
  if (typeof type === 'string' && !HANDLED_WEBHOOK_TYPES.has(type) && /^[a-z_]+(\.[a-z_]+)+$/.test(type)) return 'ignored';
  const parsed = webhookEnvelopeSchema.safeParse(json);
  if (!parsed.success) {
    throw new HttpProblem(400, 'Bad Request', 'webhook body failed validation', {
      errors: parsed.error.issues.slice(0, 20).map((i) => ({ field: i.path.map(String).join('.') || '(body)', message: i.message })),
    });
  }
  return parsed.data;
}
