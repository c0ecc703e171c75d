import type { ConsumerSubscription } from '@odx/runtime';
import type { AnalyticsSinkConfig } from './config.js';

/**
 * The sink's consumer group on the canonical topics, as startAnalyticsSink
 * creates it. Its second group (`<group>-failures`) reads the retry and DLQ
 * topics of these, found at run time, which the catalog does not list.
 */
export function sinkSubscriptions(config: AnalyticsSinkConfig): { events: ConsumerSubscription } {
  return { events: { groupId: config.groupId, topics: config.topics.map((t) => t.name) } };
}
