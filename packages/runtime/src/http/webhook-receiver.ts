import type { IdempotencyStore } from '../idempotency/idempotency-store.js';
import type { Logger } from '../logging/logger.js';
import { HttpProblem } from './problem.js';
import { verifyStandardWebhook, webhookKey, type StandardWebhookDelivery } from './standard-webhooks.js';

export interface WebhookReceiverOptions<W, O> {
  /** How messages name the sender, e.g. "WMS". */
  sender: string;
  secret: string;
  toleranceSeconds: number;
  idempotency: IdempotencyStore;
  /** Idempotency scope of the webhook ids (keys `<scope>:<webhook-id>`). */
  scope: string;
  logger: Logger;
  /** The body, or 'ignored' for a well-formed type the receiver does not act on; throws HttpProblem 400 otherwise. */
  parse: (raw: Buffer) => W | 'ignored';
  typeOf: (webhook: W) => string;
  /** The effect (publishing to Kafka); resolves once it is durable. */
  handle: (webhook: W) => Promise<O>;
}

/** What a delivery came to: the handler's outcome, or nothing done. */
export type WebhookReceipt<O> = O | { status: 'ignored' | 'duplicate'; events: [] };

/**
 * One Standard Webhooks delivery end to end: signature and timestamp window
 * (401), body (400), dedupe by `webhook-id` (a repeat answers "duplicate"; one
 * in flight elsewhere 409 with Retry-After), then the handler. It resolves only
 * after the handler did, so the sender sees 2xx only then; a failure releases
 * the webhook id and answers 503, so the sender's retry is processed in full.
 */
export class StandardWebhookReceiver<W, O extends { status: string; events: readonly string[] }> {
  private readonly key: Buffer;

  constructor(private readonly options: WebhookReceiverOptions<W, O>) {
    this.key = webhookKey(options.secret);
  }

  async process(d: StandardWebhookDelivery): Promise<WebhookReceipt<O>> {
    const check = verifyStandardWebhook(this.key, d, d.rawBody, this.options.toleranceSeconds);
    if (!check.ok) {
      this.options.logger.warn('webhook rejected', { reason: check.reason, webhook_id: d.id });
      throw new HttpProblem(401, 'Unauthorized', `webhook signature check failed: ${check.reason}`, { reason: check.reason });
    }
    const webhookId = d.id!;
    const webhook = this.options.parse(d.rawBody);
    if (webhook === 'ignored') return { status: 'ignored', events: [] };

    const claimed = await this.options.idempotency.claim(this.options.scope, webhookId);
    if (claimed.status === 'duplicate') return { status: 'duplicate', events: [] };
    if (claimed.status === 'busy') {
      // The same message is being handled by another request right now; the sender retries.
      throw new HttpProblem(409, 'Conflict', `webhook ${webhookId} is being processed`, {
        retryAfterSeconds: Math.ceil(claimed.retryAfterMs / 1000),
      });
    }
    const type = this.options.typeOf(webhook);
    try {
      const outcome = await this.options.handle(webhook);
      await this.options.idempotency.complete(claimed.claim, { verifyHolder: false });
      this.options.logger.info('webhook handled', { webhook_id: webhookId, type, status: outcome.status, events: outcome.events });
      return outcome;
    } catch (err) {
      await this.options.idempotency.release(claimed.claim).catch(() => undefined);
      this.options.logger.warn(`webhook not handled; the ${this.options.sender} will retry`, { webhook_id: webhookId, type, err });
      throw new HttpProblem(503, 'Service Unavailable', 'could not publish the event; retry later');
    }
  }
}
