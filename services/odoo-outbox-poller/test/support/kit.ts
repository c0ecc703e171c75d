import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import {
  EventProducer,
  EventSerde,
  RawConsumer,
  createClusterAdmin,
  createKafka,
  createLogger,
  loadRuntimeConfig,
  type ClusterAdmin,
  type EventProducerOptions,
  type Logger,
  type OutgoingEvent,
} from '@odx/runtime';
import { MongoClient, type Db } from 'mongodb';
import type { ModelSpec } from '../../src/poll/model-poller.js';

export interface Cleanup {
  after(fn: () => Promise<void> | void): void;
}

export interface PollerTestKit {
  /** The client the runtime's producer and consumer runner take. */
  kafka: EventProducerOptions['kafka'];
  cluster: ClusterAdmin;
  serde: EventSerde;
  producer: EventProducer;
  db: Db;
  logger: Logger;
  topic: string;
  /** Deletes `name` with the test topic after the test (retry/DLQ topics of runners under test). */
  track(name: string): void;
  /** The same spec, with every event sent to this test's topic. */
  redirect(spec: ModelSpec): ModelSpec;
  /** Every event on the test topic so far: event type, event id, key. */
  readAll(expectedAtLeast: number, timeoutMs?: number): Promise<Array<{ type: string; id: string; key: string; payload: unknown }>>;
}

const uid = (p: string): string => `${p}-${randomUUID().slice(0, 8)}`;

/** Kafka, registry and MongoDB of the real local stack, a fresh topic and database per test. */
export async function pollerKit(t: Cleanup): Promise<PollerTestKit> {
  const config = loadRuntimeConfig('poller-test');
  const logger = createLogger({
    service: 'poller-test',
    level: 'error',
    stream: new Writable({
      write: (c, _e, cb) => {
        if (process.env['ODX_TEST_LOG_LEVEL']) process.stderr.write(c);
        cb();
      },
    }),
  });
  const kafka = createKafka(config.kafka, logger);
  const cluster = createClusterAdmin(config.kafka, logger);
  const topic = uid('test.odoo');
  await cluster.ensureTopics([{ name: topic, partitions: 3, replicationFactor: 1, config: {} }]);
  const mongo = await new MongoClient(config.mongo.url).connect();
  const db = mongo.db(uid('odx_poll_test').replace(/-/g, '_'));
  const serde = new EventSerde({ registryUrl: config.schemaRegistry.url });
  const producer = new EventProducer({ kafka, serde, serviceName: 'poller-test', logger });
  const tracked = new Set<string>([topic]);
  t.after(async () => {
    await producer.close();
    await cluster.deleteTopics([...tracked]).catch(() => undefined);
    await cluster.close();
    await db.dropDatabase().catch(() => undefined);
    await mongo.close();
  });
  return {
    kafka,
    cluster,
    serde,
    producer,
    db,
    logger,
    topic,
    track: (name) => void tracked.add(name),
    redirect: (spec) => ({
      ...spec,
      toEvents: async (records) => (await spec.toEvents(records)).map((e): OutgoingEvent => ({ ...e, topic })),
    }),
    readAll: async (expectedAtLeast, timeoutMs = 30_000) => {
      const seen: Array<{ type: string; id: string; key: string; payload: unknown }> = [];
      const consumer = new RawConsumer(cluster, {
        groupId: uid('reader'),
        topics: [topic],
        onBatch: async ({ messages }) => {
          for (const m of messages) {
            const decoded = await serde.decode(m.value);
            seen.push({ type: decoded.eventType, id: m.headers['ce_id'] ?? '', key: m.key?.toString() ?? '', payload: decoded.payload });
          }
        },
      });
      try {
        await consumer.start();
        const deadline = Date.now() + timeoutMs;
        while (seen.length < expectedAtLeast && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        // Let stragglers (duplicates) arrive, then stop.
        await new Promise((r) => setTimeout(r, 1_500));
        return seen;
      } finally {
        await consumer.close();
      }
    },
  };
}
