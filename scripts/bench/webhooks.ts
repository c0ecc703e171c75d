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
import { arch, cpus, loadavg, release, totalmem } from 'node:os';
import { Worker } from 'node:worker_threads';
import { parseCliArgs } from '@odx/runtime/cli';
import { createClusterAdmin, createServiceRuntime, outgoingEvent, type OutgoingEvent } from '@odx/runtime';
import { generateSecret, loadWebhookDispatcherConfig, startWebhookDispatcher, SubscriptionStore } from '@odx/webhook-dispatcher';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import { MongoClient } from 'mongodb';
import { Webhook } from 'standardwebhooks';
import { withStackEnv } from '../stack/index.js';
import { printSummary } from './summary.js';

const { values } = parseCliArgs('bench:webhooks', 'webhook-dispatcher deliveries/s and event-to-delivery latency at a fixed rate', {
  options: {
    events: { type: 'string', default: '20000' },
    partitions: { type: 'string', default: '6' },
    keys: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '20' },
    progress: { type: 'boolean', default: false },
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
console.log(
  'stack: Kafka at 127.0.0.1:9092, registry (Apicurio ccompat), MongoDB wire at',
  process.env['ODX_MONGO_URL'] ?? 'mongodb://127.0.0.1:27017/ (FerretDB)',
);

const id = randomUUID().slice(0, 8);
const topic = `bench.webhooks-${id}.orders`;
const database = `bench_webhooks_${id}`;

// The receiver runs in a worker thread (its own core, as a real receiver would be
// its own process): it answers 204 at once and reports each webhook-id's arrival
// time and the event's occurredAt in batches. This thread checks one delivery in a
// hundred with the standardwebhooks library.
const RECEIVER = `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
let batch = [];
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const at = Date.now();
    const body = Buffer.concat(chunks).toString('utf8');
    const m = /"occurredAt":"([^"]+)"/.exec(body);
    batch.push({ id: String(req.headers['webhook-id']), at, occurredAt: m ? Date.parse(m[1]) : NaN,
      sample: batch.length === 0 ? { body, headers: req.headers } : undefined });
    res.writeHead(204).end();
  });
});
server.keepAliveTimeout = 60000;
setInterval(() => { if (batch.length) { parentPort.postMessage(batch); batch = []; } }, 20).unref();
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', () => { server.closeAllConnections(); server.close(); process.exit(0); });
`;
interface Arrival {
  id: string;
  at: number;
  occurredAt: number;
  sample?: { body: string; headers: Record<string, string> };
}
const arrivals = new Map<string, { at: number; occurredAt: number }>();
let requests = 0;
let checked = 0;
let badSignatures = 0;
let verifier: Webhook | undefined;
const receiver = new Worker(RECEIVER, { eval: true });
const receiverPort = await new Promise<number>((resolve) => receiver.once('message', (m: { port: number }) => resolve(m.port)));
receiver.on('message', (list: Arrival[]) => {
  for (const a of list) {
    requests++;
    if (a.sample && verifier) {
      checked++;
      try {
        verifier.verify(a.sample.body, a.sample.headers);
      } catch {
        badSignatures++;
      }
    }
    if (!arrivals.has(a.id)) arrivals.set(a.id, { at: a.at, occurredAt: a.occurredAt });
  }
});
const receiverUrl = `http://127.0.0.1:${receiverPort}/hooks`;

const env: NodeJS.ProcessEnv = {
  ...withStackEnv(),
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
const rt = await createServiceRuntime({ name: 'webhook-dispatcher', env, tokens: config.auth });
rt.logger.silent = true;
await rt.cluster.ensureTopics([{ name: topic, partitions: PARTITIONS, replicationFactor: 1, config: {} }]);

function orderEvent(n: number, occurredAt = new Date()): OutgoingEvent {
  const payload = {
    ...sampleEvent('OrderConfirmed'),
    meta: sampleMeta({ eventId: randomUUID(), correlationId: `k${n % KEYS}`, occurredAt }),
  };
  return outgoingEvent('OrderConfirmed', `B-${id}-${n % KEYS}`, payload, { topic });
}

/** Attempts by outcome and their mean duration, from the dispatcher's metrics. */
async function attemptSummary(): Promise<string> {
  const attempts = (await rt.metrics.registry.getSingleMetric('odx_webhook_attempts_total')?.get())?.values ?? [];
  const outcomes = attempts.map((v) => `${v.labels['outcome']} ${v.value}`).join(', ');
  const seconds = (await rt.metrics.registry.getSingleMetric('odx_webhook_attempt_seconds')?.get())?.values ?? [];
  const sum = seconds.find((v) => 'metricName' in v && String(v.metricName).endsWith('_sum'))?.value ?? 0;
  const count = seconds.find((v) => 'metricName' in v && String(v.metricName).endsWith('_count'))?.value ?? 0;
  const failed = await rt.db
    .collection<{ error: string | null }>('webhook_attempts')
    .find({ outcome: 'failed' }, { projection: { error: 1 } })
    .limit(3)
    .toArray();
  const errors = [...new Set(failed.map((a) => a.error))].join(' | ');
  return `attempts ${outcomes || 'none'}; mean attempt ${count ? ((sum / count) * 1000).toFixed(1) : '-'} ms${errors ? `; failures, e.g.: ${errors}` : ''}`;
}

let exitCode = 0;
try {
  // Phase 1: N events waiting on the topic, then the dispatcher starts.
  const producedAt = Date.now();
  for (let i = 0; i < N; i += 1_000) await rt.producer.publish(Array.from({ length: Math.min(1_000, N - i) }, (_, j) => orderEvent(i + j)));
  console.log(
    `produced ${N} OrderConfirmed events to ${topic} (${PARTITIONS} partitions, ${KEYS} keys) in ${((Date.now() - producedAt) / 1000).toFixed(1)} s`,
  );
  // The subscription exists before the consumer starts (events consumed without one are not queued for it).
  const secret = generateSecret();
  const now = new Date();
  await new SubscriptionStore(rt.db).insert({
    _id: randomUUID(),
    name: 'bench',
    url: receiverUrl,
    eventTypes: [],
    secrets: [{ id: randomUUID().slice(0, 8), secret, createdAt: now }],
    status: 'active',
    disabledReason: null,
    disabledAt: null,
    activeSince: now,
    createdAt: now,
    updatedAt: now,
    createdBy: 'bench',
  });
  verifier = new Webhook(secret);
  const started = Date.now();
  await startWebhookDispatcher(rt, config);
  let seen = 0;
  let lastChange = Date.now();
  while (arrivals.size < N) {
    await new Promise((r) => setTimeout(r, 100));
    if (arrivals.size !== seen) [seen, lastChange] = [arrivals.size, Date.now()];
    if (values.progress && Math.floor((Date.now() - started) / 1000) !== Math.floor((Date.now() - started - 100) / 1000)) {
      const queued = (await rt.metrics.registry.getSingleMetric('odx_webhook_queued_total')?.get())?.values.reduce(
        (a, v) => a + v.value,
        0,
      );
      console.log(`  ${((Date.now() - started) / 1000).toFixed(0)} s: queued ${queued ?? 0}, delivered ${arrivals.size}, load ${load()}`);
    }
    if (Date.now() - lastChange > 60_000) throw new Error(`stalled at ${arrivals.size} of ${N} deliveries`);
  }
  const times = [...arrivals.values()].map((a) => a.at);
  const [first, last] = [Math.min(...times), Math.max(...times)];
  const steady = N / ((last - first) / 1000);
  const overall = N / ((last - started) / 1000);
  console.log(
    `throughput: ${N} deliveries, first ${((first - started) / 1000).toFixed(1)} s after start (consumer group join, lanes), then ${((last - first) / 1000).toFixed(2)} s = ${Math.round(steady)} deliveries/s (target >= 2,000/s: ${steady >= 2_000 ? 'met' : 'NOT met'}); ${Math.round(overall)}/s counting the start; requests ${requests}, repeats ${requests - N}`,
  );
  console.log(`load average after throughput: ${load()}`);
  console.log(`dispatcher: ${await attemptSummary()}`);

  // Phase 2: RATE events/s, published every 25 ms (the runtime's idempotent producer has one request in
  // flight, so one publish per event would measure the producer's queue); latency from Kafka's ack of the
  // event (on Kafka) and from the send, to the receiver.
  arrivals.clear();
  const total = RATE * SECONDS;
  const ackedAt = new Map<string, number>();
  const t0 = performance.now();
  const sends: Array<Promise<void>> = [];
  for (let sent = 0; sent < total;) {
    await new Promise((r) => setTimeout(r, 25));
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * RATE));
    if (due <= sent) continue;
    const batch = Array.from({ length: due - sent }, (_, j) => orderEvent(N + sent + j, new Date()));
    sent = due;
    sends.push(
      rt.producer.publish(batch).then((published) => {
        const now = Date.now();
        for (const p of published) ackedAt.set(p.eventId, now);
      }),
    );
  }
  await Promise.all(sends);
  const deadline = Date.now() + 60_000;
  while (arrivals.size < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const quantiles = (list: number[]): string => {
    const sorted = list.sort((a, b) => a - b);
    const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
    return `p50 ${q(50)} ms, p95 ${q(95)} ms, p99 ${q(99)} ms, max ${sorted.at(-1)} ms`;
  };
  const fromAck = [...arrivals].flatMap(([id, a]) => (ackedAt.has(id) ? [a.at - ackedAt.get(id)!] : []));
  const fromSend = [...arrivals.values()].map((a) => a.at - a.occurredAt);
  const p99 = fromAck.sort((a, b) => a - b)[Math.min(fromAck.length - 1, Math.floor(0.99 * fromAck.length))] ?? NaN;
  console.log(`latency at ${RATE}/s for ${SECONDS} s: ${arrivals.size} of ${total} delivered`);
  console.log(
    `  on Kafka (produce acknowledged) -> receiver: ${quantiles(fromAck)} (target p99 <= 100 ms: ${p99 <= 100 ? 'met' : 'NOT met'})`,
  );
  console.log(`  produce sent -> receiver: ${quantiles(fromSend)}`);
  console.log(`signatures checked with the standardwebhooks library: ${checked}, failed ${badSignatures}`);
  console.log(`load average at end: ${load()}`);
  const at = (list: number[], p: number): number => list[Math.min(list.length - 1, Math.floor((p / 100) * list.length))] ?? NaN;
  printSummary('webhooks', [
    {
      figure: 'deliveries after the group join',
      value: steady,
      unit: 'deliveries/s',
      note: `${N} events; ${Math.round(overall)}/s counting the start; target >= 2000/s`,
    },
    {
      figure: `on Kafka -> receiver at ${RATE}/s, p99`,
      value: p99,
      unit: 'ms',
      note: `p50 ${at(fromAck, 50)} ms; ${arrivals.size} of ${total} delivered; target <= 100 ms`,
    },
  ]);
} catch (err) {
  console.error(`bench:webhooks failed: ${(err as Error).message}`);
  exitCode = 1;
} finally {
  await rt.shutdown('bench done');
  receiver.postMessage('stop');
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
