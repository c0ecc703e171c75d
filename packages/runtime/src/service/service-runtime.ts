import type { Server } from 'node:http';
import type { EventType } from '@odx/schemas';
import { MongoClient, type Db } from 'mongodb';
import { loadRuntimeConfig, type CompiledRuntimeConfig } from '../config/runtime-config.js';
import { createHttpApp, type HttpApp } from '../http/http-app.js';
import { consumerReadiness, kafkaReadiness, mongoReadiness, registryReadiness, type ReadinessCheck } from '../http/readiness.js';
import { IdempotencyStore } from '../idempotency/idempotency-store.js';
import { createKafka } from '../kafka/client.js';
import { clusterAdminOn, kafkaAdminOf, type ClusterAdmin } from '../kafka/cluster-admin.js';
import { ConsumerRunner, type ConsumerRunnerOptions } from '../kafka/consumer-runner.js';
import { EventProducer } from '../kafka/event-producer.js';
import { Lifecycle } from '../lifecycle/lifecycle.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { EventSerde, type SchemaSource } from '../serde/event-serde.js';
import { configureStoreLimits } from '../store/store-limits.js';
import { createRuntimeMetrics, type RuntimeMetrics } from '../telemetry/metrics.js';
import { startTelemetry } from '../telemetry/sdk.js';
import type { RequestHandler } from 'express';
import { accessControl } from '../auth/access-control.js';
import { ServiceKeyStore } from '../auth/service-keys.js';
import type { TokenSettings } from '../auth/tokens.js';
import { AuditLog } from '../audit/audit-log.js';
import { auditCalls } from '../audit/audit-calls.js';

export interface ServiceRuntimeOptions {
  /** Default service name (ODX_SERVICE_NAME overrides). */
  name: string;
  version?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * JWT settings of the service's API when it has its own (replay-dlq, order-orchestrator); default: the
   * runtime's ODX_AUTH_JWT_* settings. Service-account keys, rate limits and the audit apply either way.
   */
  tokens?: TokenSettings;
  /**
   * Replaces the runtime's authentication of the API routes (JWT and keys) with this handler, which must set
   * `res.locals.principal`; rate limits and the audit still apply. Prefer `tokens`.
   */
  authenticate?: RequestHandler;
  /** Extra /readyz checks (e.g. the external system the service talks to). */
  readiness?: ReadinessCheck[];
  /** Schemas the serde writes/reads (tests pass their own). @default the canonical schemas */
  schemas?: SchemaSource;
}

/** Everything a service needs, wired from the environment, closed in order on shutdown. */
export interface ServiceRuntime {
  config: CompiledRuntimeConfig;
  logger: Logger;
  metrics: RuntimeMetrics;
  /** Topics, offsets and consumer groups of the cluster; the connection for `readRanges` and `RawConsumer`. */
  cluster: ClusterAdmin;
  serde: EventSerde;
  producer: EventProducer;
  mongo: MongoClient;
  db: Db;
  idempotency: IdempotencyStore;
  /** Service-account keys (runtime-owned collection `odx_service_keys`). */
  keys: ServiceKeyStore;
  /** The audit trail (collection `odx_audit`): every state-changing API call lands here by itself. */
  audit: AuditLog;
  http: HttpApp;
  lifecycle: Lifecycle;
  /**
   * A consumer runner sharing this runtime's clients; closed before the producer
   * on shutdown. Its idempotency keys go to the runtime's store unless
   * `idempotency` is `false` (none) or a store of the service's own (a subclass
   * that commits its effect with the keys, as analytics-sink's index does).
   */
  consumer<T extends EventType = EventType>(
    options: Omit<ConsumerRunnerOptions<T>, 'kafka' | 'serde' | 'producer' | 'logger' | 'metrics' | 'idempotency'> & {
      idempotency?: false | IdempotencyStore;
    },
  ): ConsumerRunner<T>;
  /** Starts the HTTP server on ODX_HTTP_HOST:ODX_HTTP_PORT. */
  listen(): Promise<Server>;
  shutdown(reason?: string): Promise<void>;
}

/**
 * Builds a service's runtime: config, logger, tracing, metrics, Kafka clients,
 * serde, MongoDB, idempotency store and HTTP app with health endpoints, and
 * registers each for graceful shutdown. `main.ts` then only adds its own loops.
 */
export async function createServiceRuntime(options: ServiceRuntimeOptions): Promise<ServiceRuntime> {
  const config = loadRuntimeConfig(options.name, options.env);
  const logger = createLogger({ service: config.serviceName, level: config.logLevel, defaultMeta: { instance: config.instanceId } });
  const lifecycle = new Lifecycle(logger, config.shutdownTimeoutMs);
  const telemetry = startTelemetry({ serviceName: config.serviceName, serviceVersion: options.version, otlpEndpoint: config.otlpEndpoint });
  lifecycle.register('telemetry', () => telemetry.shutdown());
  const metrics = createRuntimeMetrics(config.serviceName);

  const kafka = createKafka(config.kafka, logger);
  const cluster = clusterAdminOn(kafka, { sessionTimeoutMs: config.consumers.sessionTimeoutMs });
  await cluster.connect();
  lifecycle.register('kafka-admin', () => cluster.close());
  const admin = kafkaAdminOf(cluster);

  const mongo = new MongoClient(config.mongo.url, { serverSelectionTimeoutMS: 5_000, appName: config.serviceName });
  await mongo.connect();
  lifecycle.register('mongo', () => mongo.close());
  const db = mongo.db(config.mongo.database);
  configureStoreLimits({ maxStatements: config.mongo.maxStatements });

  const serde = new EventSerde({
    registryUrl: config.schemaRegistry.url,
    auth: config.schemaRegistry.auth,
    ...(options.schemas ? { schemas: options.schemas } : {}),
  });
  const producer = new EventProducer({ kafka, serde, serviceName: config.serviceName, logger, metrics });
  await producer.connect();
  lifecycle.register('producer', () => producer.close());

  const idempotency = new IdempotencyStore({ db, owner: config.instanceId });
  await idempotency.init();
  idempotency.startSweeper(60_000, lifecycle.signal, (err) => logger.warn('idempotency sweep failed', { err }));

  const keys = new ServiceKeyStore(db, config.auth.keyCacheMs);
  const audit = new AuditLog(db);
  const tokens: TokenSettings | null = options.tokens ?? config.auth.jwt;
  const access = accessControl({ service: config.serviceName, tokens, keys, rateLimit: config.auth.rateLimit });
  const http = createHttpApp({
    service: config.serviceName,
    logger,
    metrics,
    readiness: [
      kafkaReadiness(admin),
      registryReadiness(config.schemaRegistry.url, config.schemaRegistry.auth),
      mongoReadiness(db, config.instanceId),
      ...(options.readiness ?? []),
    ],
    authenticate: [options.authenticate ?? access.authenticate, access.rateLimit, auditCalls(audit, config.serviceName, logger)],
  });

  return {
    config,
    logger,
    metrics,
    cluster,
    serde,
    producer,
    mongo,
    db,
    idempotency,
    keys,
    audit,
    http,
    lifecycle,
    consumer: <T extends EventType>(
      o: Omit<ConsumerRunnerOptions<T>, 'kafka' | 'serde' | 'producer' | 'logger' | 'metrics' | 'idempotency'> & {
        idempotency?: false | IdempotencyStore;
      },
    ) => {
      const runner = new ConsumerRunner<T>({
        ...o,
        sessionTimeoutMs: o.sessionTimeoutMs ?? config.consumers.sessionTimeoutMs,
        kafka,
        serde,
        producer,
        logger,
        metrics,
        idempotency: o.idempotency ?? idempotency,
        onFatal: o.onFatal ?? ((err) => lifecycle.fail(`consumer ${o.groupId} crashed`, err)),
      });
      lifecycle.register(`consumer:${o.groupId}`, () => runner.close());
      http.addReadinessCheck(consumerReadiness(`consumer:${o.groupId}`, runner));
      return runner;
    },
    listen: async () => {
      const server = await http.listen(config.http.port, config.http.host);
      lifecycle.register('http', () => http.close());
      const addr = server.address();
      logger.info('listening', { address: typeof addr === 'object' && addr ? `http://${addr.address}:${addr.port}` : String(addr) });
      return server;
    },
    shutdown: (reason) => lifecycle.shutdown(reason),
  };
}
