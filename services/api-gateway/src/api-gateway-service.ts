import { BatchingPublisher, LatestValueFeed, provisionCatalogTopics, type ServiceRuntime } from '@odx/runtime';
import { availabilityLevels, type LevelDoc } from './availability/availability-feed.js';
import { AvailabilityView } from './availability/availability-view.js';
import type { ApiGatewayConfig } from './config.js';
import { mountRoutes } from './http/routes.js';
import { openApiDocument } from './http/openapi.js';
import { OrderIntake } from './intake/order-intake.js';
import type { CallerAuthenticator } from './keys/callers.js';
import { ApiKeyStore } from './keys/key-store.js';
import { StatusFeed } from './status/status-feed.js';
import { apiGatewaySubscriptions } from './subscriptions.js';

export interface ApiGateway {
  intake: OrderIntake;
  keys: ApiKeyStore;
  availability: AvailabilityView;
  availabilityFeed: LatestValueFeed<LevelDoc>;
  status: StatusFeed;
}

/**
 * Wires the API keys (attached to `callers`, the runtime's `authenticate`), intake, the availability and status views and the
 * routes onto a service runtime, and starts the two feeds; everything is
 * closed with the runtime.
 */
export async function startApiGateway(rt: ServiceRuntime, config: ApiGatewayConfig, callers: CallerAuthenticator): Promise<ApiGateway> {
  const keys = new ApiKeyStore(rt.db, config.keyCacheMs);
  callers.attach(keys);
  if (config.provisionTopics) await provisionCatalogTopics(rt.cluster);
  const publisher = new BatchingPublisher(rt.producer, { maxBatchSize: 500, lingerMs: 2 });
  rt.lifecycle.register('intake-publisher', () => publisher.flush());
  const intake = new OrderIntake({
    db: rt.db,
    publisher,
    ordersTopic: config.topics.orders,
    company: rt.config.company,
    ...config.intake,
  });
  const sweeper = setInterval(
    () => void intake.sweepExpired().catch((err: unknown) => rt.logger.warn('intake sweep failed', { err })),
    3_600_000,
  );
  sweeper.unref();
  rt.lifecycle.register('intake-sweeper', () => clearInterval(sweeper));
  const availability = new AvailabilityView();
  const onFatal = (what: string) => (err: Error) => void rt.lifecycle.fail(`${what} crashed`, err);
  const subscriptions = apiGatewaySubscriptions(config);
  const availabilityFeed = new LatestValueFeed(availabilityLevels(availability), {
    cluster: rt.cluster,
    serde: rt.serde,
    db: rt.db,
    logger: rt.logger,
    groupId: subscriptions.inventory.groupId,
    topic: subscriptions.inventory.topics[0]!,
    refreshMs: config.viewRefreshMs,
    onFatal: onFatal('availability feed'),
  });
  const status = new StatusFeed({
    cluster: rt.cluster,
    serde: rt.serde,
    db: rt.db,
    groupId: subscriptions.status.groupId,
    topics: [...subscriptions.status.topics],
    onFatal: onFatal('status feed'),
  });
  await Promise.all([availabilityFeed.start(), status.start()]);
  rt.lifecycle.register('availability-feed', () => availabilityFeed.close());
  rt.lifecycle.register('status-feed', () => status.close());
  mountRoutes(rt.http.api, { intake, availability, status, keys, openapi: openApiDocument('1.0.0') });
  return { intake, keys, availability, availabilityFeed, status };
}
