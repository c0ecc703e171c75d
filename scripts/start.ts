// `npm start`: install (done by scripts/odx.mjs), bring up the local stack,
// provision the catalog's topics, register the canonical schemas, then run a
// short demonstration flow through the shared runtime: canonical events
// published with Avro + CloudEvents headers, consumed by an idempotent
// consumer group, a duplicate dropped and a poison message dead-lettered.
// The stack keeps running afterwards; `npm run stack -- down` stops it.
import { randomUUID } from 'node:crypto';
import { registerAll } from '@odx/schemas';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import {
  ConsumerRunner, EventProducer, EventSerde, IdempotencyStore, createKafka, createLogger, createRuntimeMetrics,
  dlqTopicName, ensureTopics, headersToStrings, retryTopicName, loadRuntimeConfig, provisionCatalogTopics, startTelemetry, ERROR_HEADERS, type OutgoingEvent,
} from '@odx/runtime';
import { MongoClient } from 'mongodb';
import { endpointsEnv, stackUp } from './stack/index.js';

const say = (line: string): void => void process.stdout.write(`${line}\n`);

say('ODX — Odoo Distribution eXchange\n');
const endpoints = await stackUp();
Object.assign(process.env, endpointsEnv(endpoints));

const config = loadRuntimeConfig('odx-demo');
const logger = createLogger({ service: 'odx-demo', level: 'error' });
const telemetry = startTelemetry({ serviceName: 'odx-demo', otlpEndpoint: config.otlpEndpoint });
const kafka = createKafka(config.kafka, logger);
const admin = kafka.admin();
await admin.connect();
const created = await provisionCatalogTopics(admin);
say(`\ntopics: ${created.length ? `created ${created.join(', ')}` : 'all catalog topics already exist'}`);
const registered = await registerAll(config.schemaRegistry.url);
say(`schemas: ${registered.length} event schemas registered (TopicRecordNameStrategy subjects, BACKWARD compatibility)`);

const mongo = await new MongoClient(config.mongo.url).connect();
const db = mongo.db(config.mongo.database);
const serde = new EventSerde({ registryUrl: config.schemaRegistry.url });
const metrics = createRuntimeMetrics('odx-demo', { defaultMetrics: false });
const producer = new EventProducer({ kafka, serde, serviceName: 'odx-demo', logger, metrics });

// The demo runs on a topic of its own (removed at the end), so its poison
// message never reaches the consumer groups of the real odx.* topics.
const runId = randomUUID().slice(0, 8);
const group = `odx-demo-${runId}`;
const demoTopic = `odx.demo.orders.${runId}`;
await ensureTopics(admin, [{ name: demoTopic, partitions: 6, replicationFactor: 1, config: {} }]);
const orders: OutgoingEvent[] = ['S00101', 'S00102', 'S00103'].map((ref) => ({
  eventType: 'OrderConfirmed',
  key: ref,
  topic: demoTopic,
  payload: { ...sampleEvent('OrderConfirmed'), meta: sampleMeta({ eventId: randomUUID(), correlationId: ref, occurredAt: new Date(), source: 'odoo' }) } as unknown as OutgoingEvent['payload'],
}));
const handled: string[] = [];
const runner = new ConsumerRunner({
  kafka, serde, producer, logger, metrics, groupId: group, topics: [demoTopic], fromBeginning: true,
  idempotency: new IdempotencyStore({ db }), retryDelaysMs: [500],
  handler: async (e) => {
    handled.push(e.key ?? '?');
    say(`  consumed ${e.eventType.padEnd(16)} key=${e.key} partition=${e.receivedFrom.partition} offset=${e.receivedFrom.offset} trace=${e.headers['traceparent']?.split('-')[1] ?? '-'}`);
  },
});
await runner.start();
await new Promise((r) => setTimeout(r, 3_000)); // let the group join

say('\npublishing 3 OrderConfirmed events, one of them twice, and one poison message ...');
await producer.publish([...orders, orders[0]!]);
const raw = kafka.producer();
await raw.connect();
await raw.send({ topic: demoTopic, messages: [{ key: 'S00199', value: 'not avro at all' }] });
await raw.disconnect();

const deadline = Date.now() + 30_000;
while (handled.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
await new Promise((r) => setTimeout(r, 1_500));
const dlqTopic = dlqTopicName(demoTopic, group);
const dlqEnd = await admin.fetchTopicOffsets(dlqTopic);
const dlqDepth = dlqEnd.reduce((n, p) => n + Number(p.high), 0);
say(`\nresult: ${handled.length} events handled (the duplicate was dropped by its idempotency key), ${dlqDepth} message in ${dlqTopic}`);
if (dlqDepth > 0) {
  const reader = kafka.consumer({ groupId: `${group}-dlq-reader` });
  await reader.connect();
  await reader.subscribe({ topic: dlqTopic, fromBeginning: true });
  await new Promise<void>((resolve) => {
    void reader.run({
      eachMessage: async ({ message }) => {
        const h = headersToStrings(message.headers);
        say(`  DLQ: key=${message.key?.toString()} ${ERROR_HEADERS.errorClass}=${h[ERROR_HEADERS.errorClass]} from ${h[ERROR_HEADERS.originalTopic]}@${h[ERROR_HEADERS.originalPartition]}:${h[ERROR_HEADERS.originalOffset]}`);
        resolve();
      },
    });
  });
  await reader.disconnect();
}

await runner.close();
await producer.close();
await admin.deleteTopics({ topics: [demoTopic, retryTopicName(demoTopic, group, 1), dlqTopic] }).catch(() => undefined);
const demoSubject = encodeURIComponent(EventSerde.subject(demoTopic, serde.fullNameOf('OrderConfirmed')));
for (const permanent of ['false', 'true']) {
  await fetch(`${config.schemaRegistry.url}/subjects/${demoSubject}?permanent=${permanent}`, { method: 'DELETE' }).catch(() => undefined);
}
await admin.disconnect();
await mongo.close();
await telemetry.shutdown();

say(`
The local stack keeps running:
  Kafka            ${endpoints.kafkaBrokers.join(',')}
  Schema registry  ${endpoints.schemaRegistryUrl}
  MongoDB          ${endpoints.mongoUrl}

  npm run stack -- status     what runs where
  npm run stack -- logs kafka the broker's log
  npm run stack -- down       stop it (--wipe also deletes data)
  npm test                    the whole test suite
`);
