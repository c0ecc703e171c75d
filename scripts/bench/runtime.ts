// `npm run bench:runtime`: the runtime's pipeline (Avro serde through the
// registry + idempotency keys in MongoDB + consumer runner) against a raw
// kafkajs produce-and-consume copy on the same broker, with the same ~1 KB
// OrderConfirmed events. Prints throughput of both and the ratio, end-to-end
// latency percentiles at a fixed 1,000 events/s, peak RSS per phase, and the
// machine. Each phase runs in its own process so RSS figures are its own.
//
//   npm run bench:runtime -- [--events 100000] [--rate 1000] [--latency-seconds 20] [--partitions 3]
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpus, totalmem, arch, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseCliArgs } from '@odx/runtime/cli';
import { parseEventType } from '@odx/schemas';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import {
  ConsumerRunner,
  EventProducer,
  EventSerde,
  IdempotencyStore,
  AVRO_CONTENT_TYPE,
  toCloudEventHeaders,
  createClusterAdmin,
  createKafka,
  createLogger,
  loadRuntimeConfig,
  type ClusterAdmin,
  type OutgoingEvent,
} from '@odx/runtime';
import { MongoClient } from 'mongodb';
import { endpointsEnv, stackUp } from '../stack/index.js';
import { percentOf, printSummary, type SummaryFigure } from './summary.js';

const { values } = parseCliArgs('bench:runtime', "the runtime's pipeline (serde, idempotency, consumer runner) against raw kafkajs", {
  options: {
    events: { type: 'string', default: '100000' },
    rate: { type: 'string', default: '1000' },
    'latency-seconds': { type: 'string', default: '20' },
    partitions: { type: 'string', default: '3' },
    'claim-batch': { type: 'string', default: '200' },
    phase: { type: 'string' },
    phases: { type: 'string', default: 'raw,raw-wire,pipeline-off,pipeline-batch,pipeline-each,latency-batch,latency-each' },
  },
});
const N = Number(values.events);
const RATE = Number(values.rate);
const LATENCY_SECONDS = Number(values['latency-seconds']);
const PARTITIONS = Number(values.partitions);
const PRODUCE_BATCH = 1_000;

interface PhaseResult {
  phase: string;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  maxRssMb: number;
  p50Ms?: number;
  p99Ms?: number;
  maxMs?: number;
}

/** An OrderConfirmed of about 1 KB of Avro (the sample padded with order notes). */
function makeEvent(key: string, occurredAt = new Date()): OutgoingEvent {
  const base = sampleEvent('OrderConfirmed');
  const payload = {
    ...base,
    meta: sampleMeta({ eventId: randomUUID(), correlationId: key, occurredAt }),
    order: { ...base.order, notes: 'Deliver to dock 4 between 08:00 and 14:00; call ahead. '.repeat(4) },
  };
  return { eventType: 'OrderConfirmed', key, payload };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const maxRssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function freshTopic(cluster: ClusterAdmin, label: string): Promise<string> {
  const name = `bench.${label}.${randomUUID().slice(0, 8)}`;
  await cluster.ensureTopics([{ name, partitions: PARTITIONS, replicationFactor: 1, config: { 'retention.ms': String(3600_000) } }]);
  return name;
}

/**
 * Raw kafkajs: pre-encoded Avro bytes produced in batches, consumed with eachBatch, no serde, no idempotency.
 * With `wire`, each message also carries what the pipeline's messages carry besides the Avro body: the
 * CloudEvents headers, a traceparent and the 5-byte Confluent frame (the wire format's cost in the client).
 */
async function rawPhase(wire = false): Promise<PhaseResult> {
  const config = loadRuntimeConfig('bench');
  const logger = createLogger({ service: 'bench', level: 'error' });
  const kafka = createKafka(config.kafka, logger);
  const cluster = createClusterAdmin(config.kafka, logger);
  const topic = await freshTopic(cluster, 'raw');
  await cluster.close();
  const type = parseEventType('OrderConfirmed');
  const frame = Buffer.from([0, 0, 0, 0, 1]);
  const messages = Array.from({ length: N }, (_, i) => {
    const e = makeEvent(`SO${i % 5_000}`);
    const value = type.toBuffer(e.payload);
    if (!wire) return { key: e.key, value };
    const meta = e.payload.meta;
    const headers = {
      ...toCloudEventHeaders({
        specversion: '1.0',
        id: meta.eventId,
        type: 'com.odx.events.OrderConfirmed',
        source: '/odx/bench',
        time: meta.occurredAt.toISOString(),
        datacontenttype: AVRO_CONTENT_TYPE,
        subject: e.key,
        correlationid: meta.correlationId,
        company: meta.company,
      }),
      traceparent: `00-${randomUUID().replaceAll('-', '')}-${randomUUID().replaceAll('-', '').slice(0, 16)}-01`,
    };
    return { key: e.key, value: Buffer.concat([frame, value]), headers };
  });
  const consumer = kafka.consumer({ groupId: `bench-raw-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let consumed = 0;
  await consumer.run({
    partitionsConsumedConcurrently: 3,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      for (const m of batch.messages) {
        if (m.value) consumed++;
        resolveOffset(m.offset);
      }
      await heartbeat();
    },
  });
  await new Promise((r) => setTimeout(r, 2_000));
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const started = performance.now();
  for (let i = 0; i < N; i += PRODUCE_BATCH) {
    await producer.send({ topic, acks: -1, messages: messages.slice(i, i + PRODUCE_BATCH) });
  }
  await waitFor(() => consumed >= N, 600_000, 'raw consumption');
  const seconds = (performance.now() - started) / 1000;
  await producer.disconnect();
  await consumer.disconnect();
  return {
    phase: wire ? 'raw kafkajs, pipeline wire format' : 'raw kafkajs',
    events: N,
    seconds,
    eventsPerSecond: N / seconds,
    maxRssMb: maxRssMb(),
  };
}

interface Pipeline {
  topic: string;
  producer: EventProducer;
  runner: ConsumerRunner;
  close(): Promise<void>;
}

async function pipeline(
  label: string,
  completion: 'each' | 'batch' | 'off',
  onEvent: (payload: { meta: { occurredAt: Date } }) => void,
): Promise<Pipeline> {
  const config = loadRuntimeConfig('bench');
  const logger = createLogger({ service: 'bench', level: 'error' });
  const kafka = createKafka(config.kafka, logger);
  const cluster = createClusterAdmin(config.kafka, logger);
  const topic = await freshTopic(cluster, label);
  const serde = new EventSerde({ registryUrl: config.schemaRegistry.url });
  const producer = new EventProducer({ kafka, serde, serviceName: 'bench', logger });
  const mongo = await new MongoClient(config.mongo.url).connect();
  const db = mongo.db(`odx_bench_${randomUUID().slice(0, 8)}`);
  const runner = new ConsumerRunner({
    kafka,
    serde,
    producer,
    logger,
    groupId: `bench-${label}-${randomUUID().slice(0, 8)}`,
    topics: [topic],
    idempotency: completion === 'off' ? false : new IdempotencyStore({ db }),
    retryDelaysMs: [1_000],
    completion: completion === 'off' ? 'each' : completion,
    claimBatchSize: Number(values['claim-batch']),
    handler: async (e) => onEvent(e.payload as { meta: { occurredAt: Date } }),
  });
  await runner.start();
  await new Promise((r) => setTimeout(r, 2_000));
  return {
    topic,
    producer,
    runner,
    close: async () => {
      await runner.close();
      await producer.close();
      await db.dropDatabase();
      await mongo.close();
      await cluster.deleteTopics((await cluster.listTopics()).filter((t) => t.startsWith(topic))).catch(() => undefined);
      await cluster.close();
    },
  };
}

/** The runtime: EventProducer (Avro via registry, CloudEvents headers) -> ConsumerRunner with idempotency. */
async function pipelinePhase(completion: 'each' | 'batch' | 'off'): Promise<PhaseResult> {
  let consumed = 0;
  const p = await pipeline('pipeline', completion, () => void consumed++);
  const events = Array.from({ length: N }, (_, i) => ({ ...makeEvent(`SO${i % 5_000}`), topic: p.topic }));
  const started = performance.now();
  for (let i = 0; i < N; i += PRODUCE_BATCH) await p.producer.publish(events.slice(i, i + PRODUCE_BATCH));
  await waitFor(() => consumed >= N, 600_000, 'pipeline consumption');
  const seconds = (performance.now() - started) / 1000;
  await p.close();
  return { phase: `runtime pipeline (completion: ${completion})`, events: N, seconds, eventsPerSecond: N / seconds, maxRssMb: maxRssMb() };
}

/** Fixed-rate load through the pipeline; latency = handler time minus the event's occurredAt (set at send). */
async function latencyPhase(completion: 'each' | 'batch'): Promise<PhaseResult> {
  const latencies: number[] = [];
  const p = await pipeline('latency', completion, (payload) => void latencies.push(Date.now() - payload.meta.occurredAt.getTime()));
  const total = RATE * LATENCY_SECONDS;
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((RATE * tickMs) / 1000));
  const started = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE) + perTick);
    if (due > sent) {
      const batch = Array.from({ length: due - sent }, (_, i) => ({ ...makeEvent(`SO${(sent + i) % 5_000}`), topic: p.topic }));
      sent = due;
      void p.producer.publish(batch);
    }
    await new Promise((r) => setTimeout(r, tickMs));
  }
  await waitFor(() => latencies.length >= total, 600_000, 'latency consumption');
  const seconds = (performance.now() - started) / 1000;
  await p.close();
  // Skip the first second: group join and schema fetch are start-up, not steady state.
  const steady = latencies.slice(RATE).sort((a, b) => a - b);
  return {
    phase: `pipeline at ${RATE}/s (completion: ${completion})`,
    events: total,
    seconds,
    eventsPerSecond: total / seconds,
    maxRssMb: maxRssMb(),
    p50Ms: percentile(steady, 50),
    p99Ms: percentile(steady, 99),
    maxMs: steady[steady.length - 1] ?? Number.NaN,
  };
}

async function runPhase(phase: string): Promise<PhaseResult> {
  if (phase === 'raw') return rawPhase();
  if (phase === 'raw-wire') return rawPhase(true);
  if (phase === 'pipeline-each') return pipelinePhase('each');
  if (phase === 'pipeline-batch') return pipelinePhase('batch');
  if (phase === 'pipeline-off') return pipelinePhase('off');
  if (phase === 'latency-each') return latencyPhase('each');
  if (phase === 'latency-batch') return latencyPhase('batch');
  throw new Error(`unknown phase ${phase}`);
}

if (values.phase) {
  const result = await runPhase(values.phase);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}

const endpoints = await stackUp({ quiet: true });
const env = { ...process.env, ...endpointsEnv(endpoints) };
const cpu = cpus();
console.log(
  `machine: ${cpu.length} x ${cpu[0]?.model ?? 'unknown cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${process.platform} ${release()} ${arch()}, node ${process.version}`,
);
console.log(`stack: Kafka ${endpoints.kafkaBrokers.join(',')} | registry ${endpoints.schemaRegistryUrl} | mongo ${endpoints.mongoUrl}`);
console.log(`events: ${N} OrderConfirmed of ~1 KB Avro, ${PARTITIONS} partitions, producer batches of ${PRODUCE_BATCH}\n`);
const results: PhaseResult[] = [];
/** The phase ids (`raw`, `pipeline-each`, ...) of `results`, in the same order. */
const phaseIds: string[] = [];
for (const phase of values.phases.split(',')) {
  process.stderr.write(`running phase ${phase} ...\n`);
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      '--phase',
      phase,
      '--events',
      String(N),
      '--rate',
      String(RATE),
      '--latency-seconds',
      String(LATENCY_SECONDS),
      '--partitions',
      String(PARTITIONS),
      '--claim-batch',
      values['claim-batch'],
    ],
    { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 },
  );
  const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (child.status !== 0 || !line) {
    console.error(`phase ${phase} failed (exit ${child.status})\n${child.stdout}`);
    process.exit(1);
  }
  results.push(JSON.parse(line.slice(7)) as PhaseResult);
  phaseIds.push(phase);
}
const fmt = (n: number | undefined, d = 0): string => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(d));
console.log('| phase | events | seconds | events/s | p50 ms | p99 ms | max ms | peak RSS MB |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results)
  console.log(
    `| ${r.phase} | ${r.events} | ${fmt(r.seconds, 1)} | ${fmt(r.eventsPerSecond)} | ${fmt(r.p50Ms)} | ${fmt(r.p99Ms)} | ${fmt(r.maxMs)} | ${r.maxRssMb} |`,
  );
const raw = results.find((r) => r.phase === 'raw kafkajs');
const rawWire = results.find((r) => r.phase === 'raw kafkajs, pipeline wire format');
for (const r of results) {
  if (r.phase.startsWith('runtime pipeline')) {
    console.log(
      `${r.phase}: ${fmt(r.eventsPerSecond)} events/s end to end${raw ? `, ${((100 * r.eventsPerSecond) / raw.eventsPerSecond).toFixed(0)}% of raw kafkajs` : ''} (targets: the default mode >= 10,000/s and >= 50% of raw; no idempotency >= 70% of raw)`,
    );
  }
  if (r.p99Ms !== undefined)
    console.log(`${r.phase}: p50 ${fmt(r.p50Ms)} ms, p99 ${fmt(r.p99Ms)} ms (target in the default mode: p99 <= 50 ms)`);
}

/** Each phase's figure, with its ratio to raw kafkajs when raw ran. */
const summaryLabel = (id: string): string =>
  ({
    raw: 'raw kafkajs',
    'raw-wire': 'raw kafkajs, pipeline wire format',
    'pipeline-each': 'pipeline (each)',
    'pipeline-batch': 'pipeline (batch, the default)',
    'pipeline-off': 'pipeline (no idempotency)',
    'latency-each': `at ${RATE}/s (each)`,
    'latency-batch': `at ${RATE}/s (batch, the default)`,
  })[id] ?? id;
const ofRaw = (r: PhaseResult): string =>
  [
    raw ? `${percentOf(r.eventsPerSecond, raw.eventsPerSecond)} of raw` : 'raw not run',
    ...(rawWire && r !== rawWire && r.phase.startsWith('runtime pipeline')
      ? [`${percentOf(r.eventsPerSecond, rawWire.eventsPerSecond)} of raw with the wire format`]
      : []),
  ].join(', ');
printSummary(
  'runtime',
  results.map((r, i): SummaryFigure => {
    const label = summaryLabel(phaseIds[i]!);
    if (r === raw) return { figure: label, value: r.eventsPerSecond, unit: 'events/s', note: `baseline, ${r.events} events` };
    if (r.p99Ms !== undefined)
      return {
        figure: `${label} p99`,
        value: r.p99Ms,
        unit: 'ms',
        note: `p50 ${fmt(r.p50Ms)} ms; ${fmt(r.eventsPerSecond)} events/s, ${ofRaw(r)}`,
      };
    return { figure: label, value: r.eventsPerSecond, unit: 'events/s', note: ofRaw(r) };
  }),
);
