import { KeyedLock, type EventProducer } from '@odx/runtime';
import { messageKeyFor } from '@odx/schemas';
import { mapOrderStage, type BridgeEvent, type MappingContext } from '../mapping/map-wms-webhook.js';
import { stagesToPublish, type ProgressStage } from '../mapping/order-stages.js';
import type { StageStore } from '../webhooks/stage-store.js';
import type { WmsOutboundOrder } from '../wms/wms-types.js';

export interface StagePublisherOptions {
  producer: EventProducer;
  stages: StageStore;
  mapping: MappingContext;
  /** The shipments topic. */
  topic: string;
}

/**
 * The one way stage events of a WMS order are published, whether a webhook
 * brought the snapshot or catch-up listed it: the stages up to the one the
 * snapshot has reached that nobody published yet, in order, with ids that
 * depend only on the order and the stage (`mapOrderStage`). One order at a
 * time in the process, so a late webhook and a catch-up run that see the same
 * order publish its stages once between them.
 */
export class StagePublisher {
  private readonly lock = new KeyedLock();

  constructor(private readonly options: StagePublisherOptions) {}

  /** Publishes the missing stages up to `reached`; resolves after Kafka acknowledged, with the events ([] when nothing was missing). */
  publishMissing(order: WmsOutboundOrder, reached: ProgressStage): Promise<BridgeEvent[]> {
    return this.lock.run(order.id, async () => {
      const todo = stagesToPublish(reached, await this.options.stages.recorded(order));
      if (todo.length === 0) return [];
      const events = todo.map((s) => mapOrderStage(order, s, this.options.mapping));
      // One request, one partition (same key): the stages of an order land in order.
      await this.options.producer.publish(
        events.map((e) => ({ ...e, key: messageKeyFor(e.eventType, e.payload), topic: this.options.topic })),
      );
      await this.options.stages.record(order, todo);
      return events;
    });
  }
}
