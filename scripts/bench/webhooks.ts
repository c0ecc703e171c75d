// `npm run bench:webhooks`: webhook-dispatcher delivery throughput and latency.
//
// Throughput: N canonical events are produced to a fresh topic first, one
// subscription (all event types) points at a local receiver answering 204, then
// the dispatcher starts and the clock runs until the receiver has every event
// (distinct webhook-ids): deliveries/s, each one queued durably in MongoDB,
// signed, POSTed, logged. Latency: then events are published one at a time at
// a fixed rate; each delivery's latency is the receiver's arrival time minus the
// event's meta.occurredAt, set right before the produce call (so the produce
// round trip counts too). The receiver runs in this process (one less hop of
// isolation, and it shares the CPU with the dispatcher). Prints the machine and
// its load. Nothing here is asserted by the test suite.
//
//   npm run bench:webhooks -- [--events 20000] [--partitions 6] [--keys 1000] [--rate 200] [--seconds 20]
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { arch, cpus, loadavg, release, totalmem } from 'node:os';
import { parseCliArgs } from '@odx/runtime/cli';
import { authenticate, createClusterAdmin, createServiceRuntime, outgoingEvent, type OutgoingEvent } from '@odx/runtime';
import { loadWebhookDispatcherConfig, startWebhookDispatcher } from '@odx/webhook-dispatcher';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import { MongoClient } from 'mongodb';
import { Webhook } from 'standardwebhooks';

const { values } = parseCliArgs('bench:webhooks', 'webhook-dispatcher deliveries/s and event-to-delivery latency at a fixed rate', {
  options: {
    events: { type: 'string', default: '20000' },
    partitions: { type: 'string', default: '6' },
    keys: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '20' },
  },
});
const N = Number(values.events);
const PARTITIONS = Number(values.partitions);
const KEYS = Number(values.keys);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
for (const [name, v] of Object.entries({ events: N, partitions: PARTITIONS, keys: KEYS, rate: RATE, seconds: SECONDS }))
  if (!Number.isInteger(v) || v <= 0) {
    console.error(`bench:webhooks: --${name} must be a positive whole number; see bench:webhooks --help`);
    process.exit(2);
  }

const cpu = cpus();
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
console.log(
  `machine: ${cpu.length} x ${cpu[0]?.model ?? 'unknown cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${process.platform} ${release()} ${arch()}, node ${process.version}`,
);
console.log(`load average (1/5/15 min) at start: ${load()}`);
console.log('stack: Kafka at 127.0.0.1:9092, registry (Apicurio ccompat), MongoDB wire at', process.env['ODX_MONGO_URL'] ?? 'mongodb://127.0.0.1:27017/ (FerretDB)');

const id = randomUUID().slice(0, 8);
const topic = `bench.webhooks-${id}.orders`;
const database = `bench_webhooks_${id}`;

// The receiver: verifies one delivery in a hundred with the standardwebhooks library, records arrival and event time.
const arrivals = new Map<string, { at: number; occurredAt: number }>();
let requests = 0;
let badSignatures = 0;
let verifier: Webhook | undefined;
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = Date.now();
    requests++;
    const body = Buffer.concat(chunks).toString('utf8');
    const webhookId = String(req.headers['webhook-id']);
    if (verifier && requests % 100 === 1) {
      try {
        verifier.verify(body, req.headers as Record<string, string>);
      } catch {
        badSignatures++;
      }
    }
    if (!arrivals.has(webhookId)) {
      const occurred = /"occurredAt":"([^"]+)"/.exec(body)?.[1];
      arrivals.set(webhookId, { at, occurredAt: occurred ? Date.parse(occurred) : NaN });
    }
    res.writeHead(204).end();
  });
});
receiver.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

const env: NodeJS.ProcessEnv = {
  ...process.env,
  ODX_SERVICE_NAME: 'webhook-dispatcher',
  ODX_HTTP_PORT: '0',
  ODX_LOG_LEVEL: 'error',
  ODX_MONGO_DB: database,
  ODX_WEBHOOKS_JWT_SECRET: randomUUID() + randomUUID(),
  ODX_WEBHOOKS_TOPICS: topic,
  ODX_WEBHOOKS_GROUP: `bench-webhooks-${id}`,
  ODX_WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true',
  ODX_WEBHOOKS_PARTITION_CONCURRENCY: String(PARTITIONS),
};
const config = loadWebhookDispatcherConfig(env);
const rt = await createServiceRuntime({ name: 'webhook-dispatcher', env, authenticate: authenticate(config.auth) });
rt.logger.silent = true;
await rt.cluster.ensureTopics([{ name: topic, partitions: PARTITIONS, replicationFactor: 1, config: {} }]);

function orderEvent(n: number, occurredAt = new Date()): OutgoingEvent {
  const payload = { ...sampleEvent('OrderConfirmed'), meta: sampleMeta({ eventId: randomUUID(), correlationId: `k${n % KEYS}`, occurredAt }) };
  return outgoingEvent('OrderConfirmed', `B-${id}-${n % KEYS}`, payload, { topic });
}

let exitCode = 0;
try {
  // Phase 1: N events waiting on the topic, then the dispatcher starts.
  const producedAt = Date.now();
  for (let i = 0; i < N; i += 1_000) await rt.producer.publish(Array.from({ length: Math.min(1_000, N - i) }, (_, j) => orderEvent(i + j)));
  console.log(`produced ${N} OrderConfirmed events to ${topic} (${PARTITIONS} partitions, ${KEYS} keys) in ${((Date.now() - producedAt) / 1000).toFixed(1)} s`);
  const started = Date.now();
  const svc = await startWebhookDispatcher(rt, config);
  const { secret } = await svc.subscriptions.create({ name: 'bench', url: receiverUrl, eventTypes: ['*'] }, { subject: 'bench', role: 'operator' });
  verifier = new Webhook(secret);
  let last = 0;
  let lastChange = Date.now();
  while (arrivals.size < N) {
    await new Promise((r) => setTimeout(r, 100));
    if (arrivals.size !== last) [last, lastChange] = [arrivals.size, Date.now()];
    if (Date.now() - lastChange > 60_000) throw new Error(`stalled at ${arrivals.size} of ${N} deliveries`);
  }
  const throughputSeconds = (Math.max(...[...arrivals.values()].map((a) => a.at)) - started) / 1000;
  const throughput = N / throughputSeconds;
  console.log(
    `throughput: ${N} deliveries in ${throughputSeconds.toFixed(2)} s = ${Math.round(throughput)} deliveries/s (target >= 2,000/s: ${throughput >= 2_000 ? 'met' : 'NOT met'}); requests ${requests}, repeats ${requests - N}`,
  );
  console.log(`load average after throughput: ${load()}`);

  // Phase 2: RATE events/s, one publish each, for SECONDS.
  arrivals.clear();
  const total = RATE * SECONDS;
  const t0 = performance.now();
  const sends: Array<Promise<unknown>> = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sends.push(rt.producer.publish([orderEvent(N + i, new Date())]));
  }
  await Promise.all(sends);
  const deadline = Date.now() + 60_000;
  while (arrivals.size < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const latencies = [...arrivals.values()].map((a) => a.at - a.occurredAt).sort((a, b) => a - b);
  const q = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  console.log(
    `latency at ${RATE}/s for ${SECONDS} s: ${latencies.length} of ${total} delivered; event produced -> receiver: p50 ${q(50)} ms, p95 ${q(95)} ms, p99 ${q(99)} ms, max ${latencies.at(-1)} ms (target p99 <= 100 ms: ${q(99) <= 100 ? 'met' : 'NOT met'})`,
  );
  console.log(`signatures checked with the standardwebhooks library: ${Math.ceil(requests / 100)}, failed ${badSignatures}`);
  console.log(`load average at end: ${load()}`);
} catch (err) {
  console.error(`bench:webhooks failed: ${(err as Error).message}`);
  exitCode = 1;
} finally {
  await rt.shutdown('bench done');
  receiver.closeAllConnections();
  receiver.close();
  const cluster = createClusterAdmin(rt.config.kafka, rt.logger);
  const all = await cluster.listTopics();
  await cluster.deleteTopics(all.filter((n) => n.startsWith(topic))).catch(() => undefined);
  await cluster.deleteGroups([config.consumer.groupId]).catch(() => undefined);
  await cluster.close();
  const m = new MongoClient(rt.config.mongo.url);
  await m
    .db(database)
    .dropDatabase()
    .catch(() => undefined);
  await m.close();
}
process.exit(exitCode);
