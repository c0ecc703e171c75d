import type { ConsumerSubscription } from '@odx/runtime';
import type { ApiGatewayConfig } from './config.js';

/** The gateway's consumer groups and their topics, as startApiGateway creates them. */
export function apiGatewaySubscriptions(config: ApiGatewayConfig): { inventory: ConsumerSubscription; status: ConsumerSubscription } {
  return {
    inventory: { groupId: config.groups.inventory, topics: [config.topics.inventory] },
    status: { groupId: config.groups.status, topics: [config.topics.orders, config.topics.shipments, config.topics.invoices] },
  };
}
