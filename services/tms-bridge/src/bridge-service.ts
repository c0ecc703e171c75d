import { provisionCatalogTopics, type CatchUpRunner, type RunningConsumer, type ServiceRuntime } from '@odx/runtime';
import { HANDLED_EVENT_TYPES, bookingHandler } from './booking/booking-handler.js';
import { BookingRecords, CancelledOrders } from './booking/booking-records.js';
import { startTmsCatchUp } from './catchup/shipment-catch-up.js';
import { MilestoneStore } from './webhooks/milestone-store.js';
import type { TmsBridgeConfig } from './config.js';
import { OrderFactsStore } from './orders/order-facts.js';
import type { ListedShipment } from './tms/shipment-page.js';
import { TmsClient } from './tms/tms-client.js';
import { tmsBridgeSubscriptions } from './subscriptions.js';
import { LateWatchdog } from './watchdog/late-watchdog.js';
import { WebhookProcessor } from './webhooks/webhook-processor.js';
import { mountWebhookRoute } from './webhooks/webhook-route.js';

export interface TmsBridge {
  client: TmsClient;
  consumer: RunningConsumer;
  webhooks: WebhookProcessor;
  watchdog: LateWatchdog;
  /** Catch-up for lost tracking webhooks: the TMS's changed shipments, on a schedule and on POST /v1/catch-up. */
  catchUp: CatchUpRunner<ListedShipment>;
}

/**
 * Wires the bridge into a runtime: the TMS client (one circuit), the consumer
 * of orders and shipments (paused while the circuit is open), the tracking
 * webhook route, catch-up (schedule and route) and the late watchdog. Call
 * before `rt.listen()`.
 */
export async function startTmsBridge(rt: ServiceRuntime, config: TmsBridgeConfig): Promise<TmsBridge> {
  if (config.provisionTopics) await provisionCatalogTopics(rt.cluster);
  const client = new TmsClient({ ...config.tms, circuit: config.circuit });
  rt.lifecycle.register('tms-client', () => client.shutdown());
  rt.http.addReadinessCheck({
    name: 'tms-circuit',
    check: async () => {
      if (client.circuit.state === 'open') throw new Error('TMS circuit is open: calls to the TMS are failing');
    },
  });

  const bookings = new BookingRecords(rt.db);
  const webhooks = new WebhookProcessor({
    secret: config.webhook.secret,
    toleranceSeconds: config.webhook.toleranceSeconds,
    producer: rt.producer,
    idempotency: rt.idempotency,
    bookings,
    milestones: new MilestoneStore(rt.db),
    logger: rt.logger,
    mapping: { company: rt.config.company },
    topics: { shipments: config.topics.shipments },
  });
  mountWebhookRoute(rt.http, webhooks);
  const catchUp = startTmsCatchUp({
    rt,
    client,
    publisher: webhooks.trackingPublisher,
    mapping: { company: rt.config.company },
    groupId: config.consumer.groupId,
    options: config.catchUp,
  });

  const consumer = rt.consumer({
    ...tmsBridgeSubscriptions(config).booking,
    retryDelaysMs: config.consumer.retryDelaysMs,
    partitionConcurrency: config.consumer.partitionConcurrency,
    circuits: [client.circuit],
    // odx.shipments.v1 is mostly other events (the bridges' own among them): the
    // runner skips every type the handler does not act on before any idempotency claim.
    eventTypes: [...HANDLED_EVENT_TYPES],
    handler: bookingHandler({
      client,
      orders: new OrderFactsStore(rt.db),
      bookings,
      cancelled: new CancelledOrders(rt.db),
      producer: rt.producer,
      logger: rt.logger,
      rating: config.rating,
      topics: { shipments: config.topics.shipments },
    }),
  });
  await consumer.start();

  const watchdog = new LateWatchdog({
    bookings,
    producer: rt.producer,
    logger: rt.logger,
    ...config.watchdog,
    topics: { shipments: config.topics.shipments },
  });
  rt.lifecycle.register('late-watchdog', () => watchdog.stop());
  watchdog.start();
  return { client, consumer, webhooks, watchdog, catchUp };
}
