import { catalogTopicName, type ConsumerSubscription } from '@odx/runtime';
import type { PollerConfig } from './config.js';

/** Canonical topics whose events the write-back turns into Odoo calls. */
export const WRITEBACK_TOPICS = ['odx.orders.v1', 'odx.shipments.v1', 'odx.inventory.v1', 'odx.purchasing.v1', 'odx.returns.v1'];

/** The poller's consumer group (the write-back, when enabled) and its topics, as startPoller creates it. */
export function pollerSubscriptions(config: PollerConfig, env: NodeJS.ProcessEnv = process.env): { writeback?: ConsumerSubscription } {
  if (!config.writeback.enabled) return {};
  return { writeback: { groupId: config.writeback.groupId, topics: WRITEBACK_TOPICS.map((t) => catalogTopicName(t, env)) } };
}
