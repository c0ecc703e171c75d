import type { ConsumerSubscription } from '@odx/runtime';
import type { TmsBridgeConfig } from './config.js';

/** The bridge's consumer group and its topics, as startTmsBridge creates it. */
export function tmsBridgeSubscriptions(config: TmsBridgeConfig): { booking: ConsumerSubscription } {
  return { booking: { groupId: config.consumer.groupId, topics: [...new Set([config.topics.orders, config.topics.shipments])] } };
}
