// `npm run bench:sink`: analytics-sink ingest throughput with idempotency.
// Pre-produces N canonical events (a realistic mix of order, shipment,
// tracking, invoice, inventory and EDI events from @odx/schemas/fixtures, one
// order-to-cash story per order) to fresh topics, a share of them published
// twice (as a producer retry or a replay would), then starts the sink on them
// and measures the time until every message was handled: written to the event
// index or dropped as a duplicate by its `_id`. Then checks the index holds each
// event exactly once, times a KPI query and a timeline query over it, and
// prints the machine. Nothing here is asserted by the test suite.
//
//   npm run bench:sink -- [--events 50000] [--duplicates 0.1] [--partitions 6] [--batch 500] [--concurrency 6]
import { randomUUID } from 'node:crypto';
import { arch, cpus, release, totalmem } from 'node:os';
import { parseCliArgs } from '@odx/runtime/cli';
import { createServiceRuntime, ensureTopics, outgoingEvent, type OutgoingEvent } from '@odx/runtime';
import { loadSinkConfig, startAnalyticsSink } from '@odx/analytics-sink';
import type { EventPayloads, EventType } from '@odx/schemas';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import { endpointsEnv, stackUp } from '../stack/index.js';
import { printSummary } from './summary.js';

const { values } = parseCliArgs('bench:sink', 'analytics-sink ingest throughput with idempotency', {
  options: {
    events: { type: 'string', default: '50000' },
    duplicates: { type: 'string', default: '0.1' },
    partitions: { type: 'string', default: '6' },
    batch: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '6' },
  },
});
const N = Number(values.events);
const DUP = Number(values.duplicates);
const PARTITIONS = Number(values.partitions);
if (!(N > 0) || !(DUP >= 0 && DUP < 1) || !(PARTITIONS > 0))
  throw new Error('usage: --events N (>0) --duplicates F (0..1) --partitions P (>0)');

const endpoints = await stackUp({ quiet: true });
Object.assign(process.env, endpointsEnv(endpoints));
const cpu = cpus();
console.log(
  `machine: ${cpu.length} x ${cpu[0]?.model ?? 'unknown cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${process.platform} ${release()} ${arch()}, node ${process.version}`,
);
console.log(
  'stack: Kafka at 127.0.0.1:9092, registry (Apicurio ccompat), MongoDB wire at',
  process.env['ODX_MONGO_URL'] ?? 'mongodb://127.0.0.1:27017/ (FerretDB 1.24 on SQLite unless a mongod is configured)',
);

const id = randomUUID().slice(0, 8);
const kinds = {
  orders: 'odx.orders.v1',
  shipments: 'odx.shipments.v1',
  inventory: 'odx.inventory.v1',
  invoices: 'odx.invoices.v1',
  edi: 'odx.edi.documents.v1',
} as const;
type Kind = keyof typeof kinds;
const topics = Object.fromEntries(Object.keys(kinds).map((k) => [k, `bench.sink-${id}.${k}`])) as Record<Kind, string>;
const group = `bench-sink-${id}`;
const env: NodeJS.ProcessEnv = {
  ...process.env,
  ODX_SERVICE_NAME: 'analytics-sink',
  ODX_HTTP_PORT: '0',
  ODX_LOG_LEVEL: 'error',
  ODX_MONGO_DB: `bench_sink_${id}`,
  ODX_SINK_GROUP: group,
  ODX_SINK_TOPICS: (Object.keys(kinds) as Kind[]).map((k) => `${topics[k]}=${kinds[k]}`).join(','),
  ODX_SINK_LAG_GROUPS: group,
  ODX_SINK_PROVISION_TOPICS: 'false',
  ODX_SINK_KPI_METRICS_INTERVAL_MS: '0',
  ODX_SINK_LIFECYCLE_INTERVAL_MS: '0',
  ODX_SINK_BATCH_SIZE: values.batch,
  ODX_SINK_PARTITION_CONCURRENCY: values.concurrency,
};

// One order's story: 12 events across four topics.
function orderStory(n: number): Array<OutgoingEvent & { kind: Kind }> {
  const orderId = `B-${id}-${n}`;
  const shipmentId = `BS-${id}-${n}`;
  const t0 = Date.UTC(2026, 0, 5) + n * 60_000;
  const out: Array<OutgoingEvent & { kind: Kind }> = [];
  const add = <T extends EventType>(
    eventType: T,
    kind: Kind,
    key: string,
    minutes: number,
    source: string,
    edit: (p: EventPayloads[T]) => void,
  ): void => {
    const payload = sampleEvent(eventType);
    payload.meta = sampleMeta({ eventId: randomUUID(), occurredAt: new Date(t0 + minutes * 60_000), source, correlationId: orderId });
    edit(payload);
    out.push({ ...outgoingEvent(eventType, key, payload), kind });
  };
  add('OrderConfirmed', 'orders', orderId, 0, 'odoo', (p) => {
    p.order = { ...p.order, orderId, odooId: orderId, name: orderId };
  });
  add('FulfillmentRequested', 'shipments', shipmentId, 10, 'odoo', (p) => {
    p.shipment = { ...p.shipment, shipmentId, orderId };
  });
  add('ShipmentPicked', 'shipments', shipmentId, 60, 'wms', (p) => {
    p.shipmentId = shipmentId;
    p.orderId = orderId;
    p.shortPicked = n % 17 === 0;
  });
  add('ShipmentPacked', 'shipments', shipmentId, 80, 'wms', (p) => {
    p.shipmentId = shipmentId;
    p.orderId = orderId;
  });
  add('ShipmentBooked', 'shipments', shipmentId, 90, 'tms', (p) => {
    p.shipmentId = shipmentId;
    p.orderId = orderId;
  });
  add('ShipmentDispatched', 'shipments', shipmentId, 120, 'wms', (p) => {
    p.shipment = { ...p.shipment, shipmentId, orderId };
  });
  add('ShipmentMilestoneRecorded', 'shipments', shipmentId, 180, 'tms', (p) => {
    p.shipmentId = shipmentId;
    p.orderId = orderId;
    p.milestone = { ...p.milestone, code: 'IN_TRANSIT' };
  });
  add('ShipmentMilestoneRecorded', 'shipments', shipmentId, 1400, 'tms', (p) => {
    p.shipmentId = shipmentId;
    p.orderId = orderId;
  });
  add('ShipmentDelivered', 'shipments', shipmentId, 1500, 'tms', (p) => {
    p.shipmentId = shipmentId;
    p.orderId = orderId;
  });
  add('InvoicePosted', 'invoices', `BI-${id}-${n}`, 1600, 'odoo', (p) => {
    p.invoice = { ...p.invoice, invoiceId: `BI-${id}-${n}`, orderId, shipmentIds: [shipmentId] };
  });
  add('InventoryLevelChanged', 'inventory', `SKU-${n % 500}`, 60, 'wms', (p) => {
    p.level = { ...p.level, sku: `SKU-${n % 500}` };
  });
  add('EdiDocumentSent', 'edi', 'northwind', 130, 'odx', (p) => {
    p.document = { ...p.document, documentId: `D-${id}-${n}`, businessObjectId: shipmentId };
  });
  return out;
}

const unique: Array<OutgoingEvent & { kind: Kind }> = [];
for (let n = 0; unique.length < Math.round(N * (1 - DUP)); n++) unique.push(...orderStory(n));
unique.length = Math.round(N * (1 - DUP));
const messages = [...unique, ...unique.slice(0, N - unique.length)];

const rt = await createServiceRuntime({ name: 'analytics-sink', env });
rt.logger.silent = true;
await ensureTopics(
  rt.cluster,
  Object.values(topics).map((name) => ({ name, partitions: PARTITIONS, replicationFactor: 1, config: {} })),
);
const producedAt = Date.now();
for (let i = 0; i < messages.length; i += 1000) {
  await rt.producer.publish(messages.slice(i, i + 1000).map(({ kind, ...m }) => ({ ...m, topic: topics[kind] })));
}
const produceS = (Date.now() - producedAt) / 1000;
console.log(
  `pre-produced ${messages.length} messages (${unique.length} distinct events, ${messages.length - unique.length} duplicates) on ${Object.keys(topics).length} topics x ${PARTITIONS} partitions in ${produceS.toFixed(1)} s (not part of the measurement)`,
);

const rss0 = process.memoryUsage().rss;
let peakRss = rss0;
const started = process.hrtime.bigint();
const sink = await startAnalyticsSink(rt, loadSinkConfig(env));
const handled = async (): Promise<{ indexed: number; duplicates: number }> => {
  const indexed = (await sink.metrics.indexed.get()).values.filter((v) => v.labels['entry'] === 'event').reduce((s, v) => s + v.value, 0);
  const duplicates = (await sink.metrics.duplicates.get()).values.reduce((s, v) => s + v.value, 0);
  return { indexed, duplicates };
};
let last: { indexed: number; duplicates: number };
let lastPrint = Date.now();
let firstAt: bigint | undefined;
for (;;) {
  last = await handled();
  if (firstAt === undefined && last.indexed > 0) firstAt = process.hrtime.bigint();
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  // Duplicates published after their originals are dropped by _id; those consumed in the same window count once.
  if (last.indexed >= unique.length) break;
  if (Date.now() - lastPrint > 5000) {
    lastPrint = Date.now();
    console.log(`  ... ${last.indexed} indexed, ${last.duplicates} duplicates dropped`);
  }
  await new Promise((r) => setTimeout(r, 50));
}
const ended = process.hrtime.bigint();
const seconds = Number(ended - started) / 1e9;
const startupS = Number((firstAt ?? ended) - started) / 1e9;
// Let the duplicates still in flight finish so the count below is final.
await new Promise((r) => setTimeout(r, 2000));
await sink.stop();
const stored = await sink.index.count({});
const distinct = new Set(unique.map((m) => m.payload.meta.eventId)).size;

const k0 = Date.now();
const kpis = await sink.queries.kpis({ from: new Date(Date.UTC(2026, 0, 5)), to: new Date(Date.UTC(2026, 1, 5)) });
const kpiMs = Date.now() - k0;
const t1 = Date.now();
const tl = await sink.queries.timeline(`B-${id}-7`);
const timelineMs = Date.now() - t1;

console.log('');
console.log('| measure | figure |');
console.log('|---|---|');
console.log(`| messages consumed | ${messages.length} (${distinct} distinct events) |`);
console.log(`| time to index every distinct event (from sink start, incl. group join) | ${seconds.toFixed(1)} s |`);
console.log(`| start-up (retry/DLQ topics, group join) until the first event is indexed | ${startupS.toFixed(1)} s |`);
console.log(
  `| ingest rate, whole run | **${Math.round(unique.length / seconds)} events/s** (distinct events written); ${Math.round(messages.length / seconds)} messages/s incl. duplicates |`,
);
console.log(
  `| ingest rate after start-up | **${Math.round(unique.length / (seconds - startupS))} events/s**; ${Math.round(messages.length / (seconds - startupS))} messages/s incl. duplicates |`,
);
console.log(
  `| index after the run | ${stored} documents for ${distinct} distinct events (${stored === distinct ? 'each exactly once' : 'MISMATCH'}) |`,
);
console.log(
  `| duplicates dropped by _id | ${last.duplicates} counted by the commit metric (others were deduplicated within a claim window) |`,
);
console.log(`| KPI query over the index | ${kpiMs} ms (${kpis.orders.total} orders in the cohort) |`);
console.log(`| timeline query | ${timelineMs} ms (${tl.status === 'found' ? tl.timeline.hops.length : 0} hops) |`);
console.log(`| peak RSS | ${Math.round(peakRss / 2 ** 20)} MB |`);
console.log(
  `target >= 5,000 events/s: whole run ${unique.length / seconds >= 5000 ? 'met' : 'not met'}, after start-up ${unique.length / (seconds - startupS) >= 5000 ? 'met' : 'not met'}`,
);

await rt.cluster.deleteTopics((await rt.cluster.listTopics()).filter((t) => t.startsWith(`bench.sink-${id}.`))).catch(() => undefined);
await rt.cluster.deleteGroups([group, `${group}-failures`]).catch(() => undefined);
await rt.db.dropDatabase().catch(() => undefined);
await rt.shutdown('bench done');
const exactlyOnce = stored === distinct ? 'index: each event exactly once' : `index MISMATCH: ${stored} documents for ${distinct} events`;
printSummary('sink', [
  {
    figure: 'ingest, whole run',
    value: unique.length / seconds,
    unit: 'events/s',
    note: `${messages.length} messages, ${distinct} distinct; target >= 5000/s; ${exactlyOnce}`,
  },
  {
    figure: 'ingest after start-up',
    value: unique.length / (seconds - startupS),
    unit: 'events/s',
    note: `start-up ${startupS.toFixed(1)} s`,
  },
  { figure: 'KPI query over the index', value: kpiMs, unit: 'ms', note: `${kpis.orders.total} orders in the cohort` },
  { figure: 'peak RSS', value: peakRss / 2 ** 20, unit: 'MB', note: 'the sink with the bench in one process' },
]);
process.exit(0);
