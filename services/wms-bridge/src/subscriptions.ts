import type { ConsumerSubscription } from '@odx/runtime';
import type { WmsBridgeConfig } from './config.js';

/** The bridge's consumer groups and their topics, as startWmsBridge creates them. */
export function wmsBridgeSubscriptions(config: WmsBridgeConfig): { release: ConsumerSubscription; levels: ConsumerSubscription } {
  // FulfillmentRequested arrives on odx.shipments.v1; in order-confirmed mode only orders are released.
  const readsShipments = config.releaseOn !== 'order-confirmed';
  return {
    release: {
      groupId: config.consumer.groupId,
      // Purchase orders and returns release expected receipts in every mode.
      topics: [
        ...new Set([
          config.topics.orders,
          ...(readsShipments ? [config.topics.shipments] : []),
          config.topics.purchasing,
          config.topics.returns,
        ]),
      ],
    },
    levels: { groupId: `${config.consumer.groupId}-levels`, topics: [config.topics.inventory] },
  };
}
