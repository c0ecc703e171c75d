import { Writable } from 'node:stream';
import type { Admin, Kafka } from 'kafkajs';
import { MongoClient, type Db } from 'mongodb';
import { loadRuntimeConfig } from '../../src/config/index.js';
import { IdempotencyStore } from '../../src/idempotency/index.js';
import { EventProducer, createKafka, ensureTopics } from '../../src/kafka/index.js';
import { createLogger, type Logger } from '../../src/logging/index.js';
import { EventSerde, type SchemaSource } from '../../src/serde/index.js';
import { createRuntimeMetrics, type RuntimeMetrics } from '../../src/telemetry/index.js';
import { eventually, uniqueName } from '../../src/testing/index.js';
export { eventually, uniqueName };

/** What node:test's TestContext offers for cleanup (typed loosely to suit before/after hooks too). */
export interface Cleanup {
  after(fn: () => Promise<void> | void): void;
}

export interface TestKit {
  kafka: Kafka;
  admin: Admin;
  serde: EventSerde;
  producer: EventProducer;
  mongo: MongoClient;
  db: Db;
  logger: Logger;
  metrics: RuntimeMetrics;
  registryUrl: string;
  /** A fresh topic with `partitions` partitions, deleted after the test. */
  topic(partitions?: number): Promise<string>;
  /** Tracks a topic created by code under test so it is deleted after the test. */
  track(topic: string): void;
  idempotency(options?: { leaseMs?: number; owner?: string }): IdempotencyStore;
}

/**
 * Test logs are off (tests provoke errors on purpose: poison messages, deleted
 * topics); set ODX_TEST_LOG_LEVEL=error|warn|info|debug to see them on stderr.
 */
export function testLogger(): Logger {
  const level = process.env['ODX_TEST_LOG_LEVEL'] as 'error' | 'warn' | 'info' | 'debug' | undefined;
  const logger = createLogger({
    service: 'test',
    level: level ?? 'error',
    stream: new Writable({
      write: (c, _e, cb) => {
        process.stderr.write(c);
        cb();
      },
    }),
  });
  logger.silent = level === undefined;
  return logger;
}

/**
 * Clients for the real local stack (addresses from ODX_* variables, as the test
 * launcher exports them), each test with its own database and topics.
 */
export async function createTestKit(t: Cleanup, options: { schemas?: SchemaSource } = {}): Promise<TestKit> {
  const config = loadRuntimeConfig('odx-test');
  const logger = testLogger();
  const metrics = createRuntimeMetrics('odx-test', { defaultMetrics: false });
  const kafka = createKafka(config.kafka, logger);
  const admin = kafka.admin();
  await admin.connect();
  const mongo = new MongoClient(config.mongo.url, { serverSelectionTimeoutMS: 5_000 });
  await mongo.connect();
  const db = mongo.db(uniqueName('odx-test').replace(/-/g, '_'));
  const serde = new EventSerde({ registryUrl: config.schemaRegistry.url, ...(options.schemas ? { schemas: options.schemas } : {}) });
  const producer = new EventProducer({ kafka, serde, serviceName: 'odx-test', logger, metrics });
  const topics = new Set<string>();
  t.after(async () => {
    await producer.close();
    if (topics.size > 0) await admin.deleteTopics({ topics: [...topics] }).catch(() => undefined);
    await admin.disconnect();
    await db.dropDatabase().catch(() => undefined);
    await mongo.close();
  });
  return {
    kafka,
    admin,
    serde,
    producer,
    mongo,
    db,
    logger,
    metrics,
    registryUrl: config.schemaRegistry.url,
    topic: async (partitions = 3) => {
      const name = uniqueName('test.odx');
      await ensureTopics(admin, [{ name, partitions, replicationFactor: 1, config: {} }]);
      topics.add(name);
      return name;
    },
    track: (topic) => void topics.add(topic),
    idempotency: (o = {}) =>
      new IdempotencyStore({ db, ...(o.leaseMs ? { leaseMs: o.leaseMs } : {}), ...(o.owner ? { owner: o.owner } : {}) }),
  };
}
