import { mountStandardWebhook, type HttpApp } from '@odx/runtime';
import type { WebhookProcessor } from './webhook-processor.js';

export const WEBHOOK_PATH = '/v1/webhooks/wms';

/** Mounts `POST` on WEBHOOK_PATH: signed deliveries in, the processor's outcome out. */
export function mountWebhookRoute(http: HttpApp, processor: WebhookProcessor): void {
  mountStandardWebhook(http, WEBHOOK_PATH, (delivery) => processor.process(delivery));
}
