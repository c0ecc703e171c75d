import type { ConsumerSubscription } from '@odx/runtime';
import type { WebhookDispatcherConfig } from './config.js';

/** The dispatcher's consumer group and its topics, as startWebhookDispatcher creates it. */
export function webhookDispatcherSubscriptions(config: WebhookDispatcherConfig): { deliveries: ConsumerSubscription } {
  return { deliveries: { groupId: config.consumer.groupId, topics: [...config.consumer.topics] } };
}
