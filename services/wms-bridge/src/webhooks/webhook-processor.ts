import {
  HttpProblem,
  StandardWebhookReceiver,
  errorMessage,
  verifyStandardWebhook,
  webhookKey,
  type EventProducer,
  type IdempotencyStore,
  type Logger,
} from '@odx/runtime';
import { messageKeyFor } from '@odx/schemas';
import type { InboundRecords } from '../inbound/inbound-records.js';
import { ReceiptPublisher, ReceiptRejectedError } from '../inbound/receipt-publisher.js';
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
  topics: { shipments: string; inventory: string; purchasing: string; returns: string };
  inbound: InboundRecords;
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
  /** The order is already at or past this stage, or the receipt was published before: nothing published. */
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
/** The webhook type checked against the release before it is claimed. */
const RECEIPT_TYPE = 'receipt.completed';

export class WebhookProcessor {
  /** Publishes an order's missing stages; catch-up shares it, so a late webhook and a poll never publish a stage twice. */
  readonly stagePublisher: StagePublisher;
  /** Publishes completed receipts against the bridge's inbound releases. */
  readonly receiptPublisher: ReceiptPublisher;
  private readonly key: Buffer;
  private readonly receiver: StandardWebhookReceiver<WmsWebhook, WebhookOutcome>;

  constructor(private readonly options: WebhookProcessorOptions) {
    this.stagePublisher = new StagePublisher({
      producer: options.producer,
      stages: options.stages,
      mapping: options.mapping,
      topic: options.topics.shipments,
    });
    this.receiptPublisher = new ReceiptPublisher({
      producer: options.producer,
      records: options.inbound,
      mapping: options.mapping,
      topics: { purchasing: options.topics.purchasing, returns: options.topics.returns },
    });
    this.key = webhookKey(options.secret);
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

  async process(d: WebhookDelivery): Promise<WebhookOutcome> {
    await this.refuseUnacceptableReceipt(d);
    return this.receiver.process(d);
  }

  /**
   * A signed receipt the bridge can never publish (a reference it never
   * released, a line it does not know, more than released) is a 422 naming
   * the problem, before the webhook id is claimed: the receiver turns every
   * failure of the effect into a 503, and an operator who fixes the cause
   * can have the WMS replay the same message. Checked again under the lock.
   */
  private async refuseUnacceptableReceipt(d: WebhookDelivery): Promise<void> {
    // Only receipts are checked here: any other webhook skips a second signature check and parse. (A type
    // spelled with JSON escapes skips it too; the publisher checks again under its lock, answering 503.)
    if (!d.rawBody.includes(RECEIPT_TYPE)) return;
    if (!verifyStandardWebhook(this.key, d, d.rawBody, this.options.toleranceSeconds).ok) return; // the receiver answers 401
    const webhook = parseBody(d.rawBody);
    if (webhook === 'ignored' || webhook.type !== RECEIPT_TYPE) return;
    try {
      await this.receiptPublisher.check(webhook.data);
    } catch (err) {
      if (!(err instanceof ReceiptRejectedError)) throw err;
      this.options.logger.error('WMS receipt refused; nothing published', {
        webhook_id: d.id,
        reason: err.reason,
        external_ref: webhook.data.externalRef,
        receipt: webhook.data.receiptId,
        detail: err.message,
      });
      throw new HttpProblem(422, 'Unprocessable Entity', err.message, {
        reason: err.reason,
        errors: err.problems.map((p) => ({ field: p.field, message: p.message, code: p.code })),
      });
    }
  }

  private async handle(webhook: WmsWebhook): Promise<WebhookOutcome> {
    if (webhook.type === 'receipt.completed') {
      const outcome = await this.receiptPublisher.publish(webhook.data);
      return outcome.status === 'duplicate' ? { status: 'stale', events: [] } : { status: 'published', events: [outcome.event.eventType] };
    }
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
