// `npm run bench:replay`: a replay-dlq replay job copying N messages from one
// topic to another, against a raw kafkajs consume-and-produce copy of the same
// range on the same broker (same fetch sizes, one produce request per fetched
// batch, partitions in parallel). Prints both rates, their ratio, and the machine.
// The baseline uses the client itself, as the runtime's `createKafka` makes it:
// it measures what the client can do, so it changes with the client.
//
//   npm run bench:replay -- [--messages 500000] [--partitions 3] [--value-bytes 100]
import { randomBytes, randomUUID } from 'node:crypto';
import { arch, cpus, release, totalmem } from 'node:os';
import { parseCliArgs } from '@odx/runtime/cli';
import { createKafka, createServiceRuntime, type ServiceRuntime } from '@odx/runtime';
import { authenticate, chunkBySize, loadReplayDlqConfig, messageBytes, startReplayDlq } from '@odx/replay-dlq';
import { endpointsEnv, stackUp } from '../stack/index.js';
import { percentOf, printSummary } from './summary.js';

/** The raw client the runtime wraps (the baseline's tool). */
type RawClient = ReturnType<typeof createKafka>;

const { values } = parseCliArgs('bench:replay', 'a replay-dlq replay job against a raw kafkajs copy of the same range', {
  options: {
    messages: { type: 'string', default: '500000' },
    partitions: { type: 'string', default: '3' },
    'value-bytes': { type: 'string', default: '100' },
  },
});
const N = Number(values.messages);
const PARTITIONS = Number(values.partitions);
const VALUE_BYTES = Number(values['value-bytes']);
if (!Number.isInteger(N) || N < 1 || !Number.isInteger(PARTITIONS) || PARTITIONS < 1 || !Number.isInteger(VALUE_BYTES) || VALUE_BYTES < 1) {
  console.error('usage: npm run bench:replay -- [--messages N] [--partitions P] [--value-bytes B]');
  process.exit(2);
}

/** Fills the source topic fast: pre-built messages, big batches, a few requests in flight. */
async function fill(kafka: RawClient, topic: string): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const value = randomBytes(VALUE_BYTES);
  const batch = 10_000;
  let sent = 0;
  const inFlight = new Set<Promise<unknown>>();
  while (sent < N) {
    const n = Math.min(batch, N - sent);
    const messages = Array.from({ length: n }, (_, i) => ({
      key: `K-${(sent + i) % 5_000}`,
      value,
      headers: { ce_id: randomUUID(), ce_type: 'com.odx.events.BenchEvent' },
    }));
    sent += n;
    const p = producer.send({ topic, messages, acks: 1 }).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= 4) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  await producer.disconnect();
}

/** The baseline: consume the source with kafkajs and produce every batch to the target as it comes. */
async function rawCopy(kafka: RawClient, source: string, target: string): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const consumer = kafka.consumer({
    groupId: `bench-raw-${randomUUID()}`,
    maxWaitTimeInMs: 200,
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxBytes: 64 * 1024 * 1024,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: source, fromBeginning: true });
  let copied = 0;
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
    void consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: PARTITIONS,
      eachBatch: async ({ batch }) => {
        // Same request sizes as the replay job (Kafka refuses record batches over 1 MiB).
        const copies = batch.messages.map((m) => ({ key: m.key, value: m.value, headers: (m.headers ?? {}) as Record<string, Buffer> }));
        for (const chunk of chunkBySize(copies, messageBytes, 2_000)) await producer.send({ topic: target, acks: -1, messages: chunk });
        copied += batch.messages.length;
        if (copied >= N) resolve();
      },
    });
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await consumer.disconnect();
  await producer.disconnect();
  return seconds;
}

/** The same copy as a replay-dlq job: created through the service and waited for until completed. */
async function replayJob(svc: ReturnType<typeof startReplayDlq>, source: string, target: string): Promise<number> {
  const started = process.hrtime.bigint();
  const { job } = await svc.replay.start(
    { sourceTopic: source, targetTopic: target, execute: true },
    { subject: 'bench', role: 'operator' },
  );
  for (;;) {
    const j = await svc.jobs.get(job._id);
    if (j?.status === 'completed') break;
    if (j && j.status !== 'running') throw new Error(`replay job ended ${j.status}: ${j.error}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function count(rt: ServiceRuntime, topic: string): Promise<number> {
  return [...(await rt.cluster.watermarks(topic)).values()].reduce((n, p) => n + Number(p.high - p.low), 0);
}

const endpoints = await stackUp({ quiet: true });
const env: NodeJS.ProcessEnv = {
  ...process.env,
  ...endpointsEnv(endpoints),
  ODX_SERVICE_NAME: 'replay-dlq-bench',
  ODX_LOG_LEVEL: 'error',
  ODX_HTTP_PORT: '0',
  ODX_MONGO_DB: `replay_bench_${randomUUID().slice(0, 8)}`,
  ODX_REPLAY_JWT_SECRET: process.env['ODX_REPLAY_JWT_SECRET'] ?? randomBytes(32).toString('hex'),
};
const cpu = cpus();
console.log(
  `machine: ${cpu.length} x ${cpu[0]?.model ?? 'unknown cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${process.platform} ${release()} ${arch()}, node ${process.version}`,
);
console.log(`replay benchmark: ${N} messages of ${VALUE_BYTES} B (+ key and ce_id/ce_type headers), ${PARTITIONS} partitions`);

const config = loadReplayDlqConfig(env);
const rt = await createServiceRuntime({ name: 'replay-dlq-bench', env, authenticate: authenticate(config.auth) });
const svc = startReplayDlq(rt, config);
const raw = createKafka(rt.config.kafka, rt.logger);
const id = randomUUID().slice(0, 8);
const source = `bench.replay.src-${id}`;
const rawTarget = `bench.replay.raw-${id}`;
const jobTarget = `bench.replay.job-${id}`;
try {
  await rt.cluster.ensureTopics(
    [source, rawTarget, jobTarget].map((name) => ({ name, partitions: PARTITIONS, replicationFactor: 1, config: {} })),
  );
  const t0 = process.hrtime.bigint();
  await fill(raw, source);
  console.log(`filled ${source} in ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s`);

  const rawSeconds = await rawCopy(raw, source, rawTarget);
  const rawCount = await count(rt, rawTarget);
  const jobSeconds = await replayJob(svc, source, jobTarget);
  const jobCount = await count(rt, jobTarget);
  const rawRate = rawCount / rawSeconds;
  const jobRate = jobCount / jobSeconds;
  console.log(`raw kafkajs copy : ${rawCount} msgs in ${rawSeconds.toFixed(2)} s = ${Math.round(rawRate)} msgs/s`);
  console.log(
    `replay-dlq job   : ${jobCount} msgs in ${jobSeconds.toFixed(2)} s = ${Math.round(jobRate)} msgs/s (includes job creation, MongoDB progress writes, completion)`,
  );
  console.log(`ratio            : ${((jobRate / rawRate) * 100).toFixed(1)}% of raw (target >= 85%, issue 17; it was 70%)`);
  if (rawCount !== N || jobCount !== N) console.log(`WARNING: expected ${N} copies each, got raw=${rawCount} job=${jobCount}`);
  const mismatch = rawCount !== N || jobCount !== N ? `; expected ${N} copies each, got raw=${rawCount} job=${jobCount}` : '';
  printSummary('replay', [
    { figure: 'raw kafkajs copy', value: rawRate, unit: 'msgs/s', note: `baseline, ${N} messages of ${VALUE_BYTES} B${mismatch}` },
    {
      figure: 'replay job',
      value: jobRate,
      unit: 'msgs/s',
      note: `${percentOf(jobRate, rawRate)} of raw copy (target >= 85 %)${mismatch}`,
    },
  ]);
} finally {
  await rt.cluster.deleteTopics([source, rawTarget, jobTarget]).catch(() => undefined);
  await rt.db.dropDatabase().catch(() => undefined);
  await rt.shutdown('bench done');
}
