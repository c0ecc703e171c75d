import type { ConsumerSubscription } from '@odx/runtime';
import type { EdiGatewayConfig } from './config.js';

/** The gateway's consumer group (outbound documents, when enabled) and its topics, as startEdiGateway creates it. */
export function ediGatewaySubscriptions(config: EdiGatewayConfig): { outbound?: ConsumerSubscription } {
  if (!config.outbound.enabled) return {};
  return {
    outbound: {
      groupId: config.outbound.groupId,
      topics: [...new Set([config.topics.orders, config.topics.shipments, config.topics.invoices, config.topics.purchasing])],
    },
  };
}
