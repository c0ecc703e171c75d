import { KeyedLock, type EventProducer, type Logger } from '@odx/runtime';
import { messageKeyFor } from '@odx/schemas';
import type { BookingRecords } from '../booking/booking-records.js';
import type { TrackingEventOut } from '../mapping/map-tracking.js';
import { trackingRank, type MilestoneStore } from '../webhooks/milestone-store.js';

/**
 * What became of a tracking event: `published`; `late` (published as history:
 * a milestone that arrived after a later one); `stale` (published before,
 * whichever path brought it: nothing published).
 */
export type TrackingOutcome = 'published' | 'late' | 'stale';

export interface TrackingPublisherOptions {
  producer: EventProducer;
  milestones: MilestoneStore;
  /** Tracking news feeds the late watchdog. */
  bookings: BookingRecords;
  logger: Logger;
  /** The shipments topic. */
  topic: string;
}

/** Tracking statuses after which the shipment needs no watching. */
const FINAL_EXCEPTIONS = new Set(['LOST', 'REFUSED']);

/**
 * The one way tracking events are published, whether a webhook brought them
 * or catch-up found them in a listed shipment's history: a milestone once per
 * shipment and rank, whatever the event id (never moving the shipment
 * backwards: one arriving after a later one is published once as history), an
 * exception once per event id. One shipment at a time in the process, so a
 * late webhook and a catch-up run publish each event once between them.
 */
export class TrackingPublisher {
  private readonly lock = new KeyedLock();

  constructor(private readonly options: TrackingPublisherOptions) {}

  /** Publishes the event unless it was published before; resolves after Kafka acknowledged it. */
  async publish(event: TrackingEventOut): Promise<TrackingOutcome> {
    const { shipmentId } = event.payload;
    const { eventId } = event.payload.meta;
    const rank = trackingRank(event);
    const outcome = await this.lock.run(shipmentId, async (): Promise<TrackingOutcome> => {
      if (rank === null) {
        if (await this.options.milestones.hasException(shipmentId, eventId)) return 'stale';
        await this.send(event);
        await this.options.milestones.recordException(shipmentId, eventId);
        return 'published';
      }
      const recorded = await this.options.milestones.recorded(shipmentId);
      if (recorded.has(rank)) return 'stale';
      await this.send(event);
      await this.options.milestones.record(shipmentId, rank);
      return [...recorded].some((r) => r > rank) ? 'late' : 'published';
    });
    if (outcome === 'published') {
      const closed =
        event.eventType === 'ShipmentDelivered' ||
        (event.eventType === 'ShipmentException' && FINAL_EXCEPTIONS.has(event.payload.exceptionCode));
      await this.options.bookings.recordNews(shipmentId, new Date(), closed).catch((err: unknown) => {
        this.options.logger.warn('could not record tracking news for the watchdog', { shipment_id: shipmentId, err });
      });
    }
    return outcome;
  }

  private async send(event: TrackingEventOut): Promise<void> {
    await this.options.producer.publish([{ ...event, key: messageKeyFor(event.eventType, event.payload), topic: this.options.topic }]);
  }
}
