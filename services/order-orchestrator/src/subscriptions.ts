import type { ConsumerSubscription } from '@odx/runtime';
import type { OrchestratorConfig } from './config.js';

/** The orchestrator's consumer groups and their topics, as startOrderOrchestrator creates them. */
export function orchestratorSubscriptions(config: OrchestratorConfig): {
  intake: ConsumerSubscription;
  inbox: ConsumerSubscription;
  stock: ConsumerSubscription;
  products: ConsumerSubscription;
} {
  const { topics, groupId } = config;
  return {
    intake: { groupId: `${groupId}-intake`, topics: [topics.orders, topics.shipments, topics.invoices, topics.payments] },
    inbox: { groupId: `${groupId}-inbox`, topics: [topics.inbox] },
    stock: { groupId: `${groupId}-stock`, topics: [topics.inventory] },
    products: { groupId: `${groupId}-products`, topics: [topics.products] },
  };
}

/** A one-topic subscription in the `{ groupId, topic }` shape of the single-topic readers. */
export function singleTopic(subscription: ConsumerSubscription): { groupId: string; topic: string } {
  const [topic, ...more] = subscription.topics;
  if (topic === undefined || more.length > 0)
    throw new Error(`group ${subscription.groupId} reads ${subscription.topics.length} topics, expected 1`);
  return { groupId: subscription.groupId, topic };
}
