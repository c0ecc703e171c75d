// `npm run bench:orchestrator`: the order orchestrator's two hot paths on the
// local stack (Kafka, registry, MongoDB wire store), through the service's own
// code, in a database and topics of its own (removed at the end).
//
// 1. Order events folded into process state: --orders orders x 8 events
//    (OrderConfirmed, picked, packed, booked, dispatched, delivered, invoice,
//    payment) as inbox signals, interleaved as a live stream is (batches hold
//    events of many orders), handed batch by batch to the inbox consumer's
//    `process` as its partitions would be (6 partitions, 3 at a time): fold,
//    bounded writes of the process documents and due-index buckets, and the
//    effects (FulfillmentRequested and OrderStageChanged published to Kafka).
//    Also the fold alone, in memory.
// 2. The due-timer scan with --open open orders in the due index (due times
//    spread over the next day, --due of them due now): the first scan of an
//    index never scanned (it lists the index once), the first scan of a
//    restarted scanner (from the stored cursor), and steady-state scans.
//
// Prints the machine and the figures; nothing is asserted.
//
//   npm run bench:orchestrator -- [--orders 2000] [--batch 500] [--open 100000] [--due 1000] [--label x]
import { randomUUID } from 'node:crypto';
import { arch, cpus, release, totalmem } from 'node:os';
import { parseCliArgs } from '@odx/runtime/cli';
import { createServiceRuntime, ensureTopics, mapLimited, storeLimits } from '@odx/runtime';
import {
  BridgeCatchUp,
  DueIndex,
  EffectExecutor,
  InboxConsumer,
  LoggingCaseDesk,
  NO_CREDIT_FACTS,
  ProcessStore,
  TimerScanner,
  foldSignal,
  signalsOf,
  type DueChange,
  type IntakeEventType,
  type ProcessPolicy,
  type ProcessState,
} from '@odx/order-orchestrator';
import { loadCatalog, type EventMeta, type EvidenceLink, type OrchestratorSignal } from '@odx/schemas';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import type { CanonicalEvent } from '@odx/runtime';
import { endpointsEnv, stackUp } from '../stack/index.js';
import { percentOf, printSummary, type SummaryFigure } from './summary.js';

const { values } = parseCliArgs(
  'bench:orchestrator',
  "the order orchestrator's throughput: order events folded into process state, the inbox path, the due-timer scan",
  {
    options: {
      orders: { type: 'string', default: '2000' },
      batch: { type: 'string', default: '500' },
      open: { type: 'string', default: '100000' },
      due: { type: 'string', default: '1000' },
      label: { type: 'string', default: '' },
    },
  },
);
const ORDERS = Number(values.orders);
const BATCH = Number(values.batch);
const OPEN = Number(values.open);
const DUE_NOW = Number(values.due);
for (const [name, v] of Object.entries({ orders: ORDERS, batch: BATCH, open: OPEN, due: DUE_NOW })) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`usage: --${name} must be a positive integer, got ${String(v)}`);
}
const PARTITIONS = 6;
const CONCURRENCY = 3;
/** The headline figures, printed as summary lines at the end. */
const figures: SummaryFigure[] = [];
/** Events/s of the fold alone in memory (set by step 1a): the inbox path's baseline. */
let foldRate: number;

const endpoints = await stackUp({ quiet: true });
Object.assign(process.env, endpointsEnv(endpoints));
const cpu = cpus();
console.log(`bench:orchestrator ${new Date().toISOString()}${values.label ? ` [${values.label}]` : ''}`);
console.log(
  `machine: ${cpu.length} x ${cpu[0]?.model ?? 'unknown cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${process.platform} ${release()} ${arch()}, node ${process.version}`,
);
console.log(`store: ${process.env['ODX_MONGO_URL']} (${storeLimits().maxStatements} statements/command)`);

const id = randomUUID().slice(0, 8);
const prefix = `bench.orch-${id}.`;
const env: NodeJS.ProcessEnv = {
  ...process.env,
  ODX_TOPIC_PREFIX: prefix,
  ODX_MONGO_DB: `odx_bench_orch_${id}`,
  ODX_LOG_LEVEL: 'error',
  ODX_HTTP_PORT: '0',
};
const rt = await createServiceRuntime({ name: 'bench-orchestrator', env });
rt.logger.silent = true;
await ensureTopics(
  rt.cluster,
  loadCatalog()
    .topics.filter((t) => ['odx.shipments.v1', 'odx.process.v1'].includes(t.name))
    .map((t) => ({ name: `${prefix}${t.name}`, partitions: t.partitions, replicationFactor: 1, config: {} })),
);

const HOUR = 3_600_000;
const policy: ProcessPolicy = {
  decideCredit: () => ({ decision: 'approve', rule: 'bench', detail: 'approved' }),
  allocate: (i) => ({ kind: 'allocated', parts: [{ warehouseCode: 'WH', lines: i.lines }] }),
  slaMs: () => HOUR,
};
const settings = {
  releaseMode: 'fulfillment-requested' as const,
  company: 'bench',
  retryDelaysMs: [60_000],
  service: 'order-orchestrator',
};

// --- the signals of ORDERS orders, interleaved step by step -------------------------------------------------------
const evidence: EvidenceLink = { kind: 'record', topic: 'odx.orders.v1', partition: 0, offset: '0', eventId: null, note: null };
const meta = (): EventMeta => sampleMeta({ eventId: randomUUID() });
function lifecycle(orderId: string): OrchestratorSignal[] {
  const sh = `${orderId}-WH`;
  const confirmed = sampleEvent('OrderConfirmed', { meta: meta() });
  confirmed.order = { ...confirmed.order, orderId };
  const dispatched = sampleEvent('ShipmentDispatched', { meta: meta() });
  dispatched.shipment = { ...dispatched.shipment, shipmentId: sh, orderId };
  const invoice = sampleEvent('InvoicePosted', { meta: meta() });
  invoice.invoice = { ...invoice.invoice, invoiceId: `I${orderId}`, orderId, moveType: 'out_invoice', paymentState: 'not_paid' };
  const payment = sampleEvent('PaymentReceived', { meta: meta() });
  payment.payment = {
    ...payment.payment,
    allocations: [{ invoiceId: `I${orderId}`, invoiceName: null, amount: invoice.invoice.amountTotal }],
  };
  const events: Array<CanonicalEvent<IntakeEventType>> = [
    { eventType: 'OrderConfirmed', payload: confirmed },
    { eventType: 'ShipmentPicked', payload: sampleEvent('ShipmentPicked', { meta: meta(), shipmentId: sh, orderId }) },
    { eventType: 'ShipmentPacked', payload: sampleEvent('ShipmentPacked', { meta: meta(), shipmentId: sh, orderId }) },
    { eventType: 'ShipmentBooked', payload: sampleEvent('ShipmentBooked', { meta: meta(), shipmentId: sh, orderId }) },
    { eventType: 'ShipmentDispatched', payload: dispatched },
    { eventType: 'ShipmentDelivered', payload: sampleEvent('ShipmentDelivered', { meta: meta(), shipmentId: sh, orderId }) },
    { eventType: 'InvoicePosted', payload: invoice },
    { eventType: 'PaymentReceived', payload: payment },
  ];
  return events.flatMap((e) => signalsOf(e, evidence, new Map([[`I${orderId}`, orderId]])).signals);
}
const orderIds = Array.from({ length: ORDERS }, (_, i) => `B${id}-${i}`);
const perOrder = orderIds.map(lifecycle);
const STEPS = perOrder[0]!.length;
const stream: OrchestratorSignal[] = [];
for (let step = 0; step < STEPS; step++) for (const list of perOrder) stream.push(list[step]!);
const partitionOf = (orderId: string): number => {
  let h = 0;
  for (const c of orderId) h = (h * 31 + c.charCodeAt(0)) | 0;
  return Math.abs(h) % PARTITIONS;
};

// --- 1a. the fold alone ---------------------------------------------------------------------------------------------
{
  const states = new Map<string, ProcessState | null>();
  const started = performance.now();
  let t = Date.now();
  for (const s of stream) {
    const r = foldSignal(states.get(s.orderId) ?? null, s, { now: t++, policy, settings, stock: () => new Map() });
    states.set(s.orderId, r.state);
  }
  const secs = (performance.now() - started) / 1000;
  const completed = [...states.values()].filter((s) => s?.stage === 'completed').length;
  foldRate = stream.length / secs;
  figures.push({
    figure: 'fold only (memory)',
    value: foldRate,
    unit: 'events/s',
    note: `baseline, ${stream.length} events of ${ORDERS} orders`,
  });
  console.log(
    `\nfold only (memory): ${stream.length} events of ${ORDERS} orders in ${secs.toFixed(2)} s = ${Math.round(stream.length / secs)} events/s (${completed} completed)`,
  );
}

// --- 1b. the inbox path: fold, store, due index, effects -----------------------------------------------------------
{
  const store = new ProcessStore(rt.db);
  const index = new DueIndex(rt.db, 10_000);
  const executor = new EffectExecutor({
    producer: rt.producer,
    topics: { shipments: `${prefix}odx.shipments.v1`, process: `${prefix}odx.process.v1` },
    cases: new LoggingCaseDesk(),
    catchUp: new BridgeCatchUp({ wms: { url: null, token: null }, tms: { url: null, token: null } }, 1_000, rt.logger),
    logger: rt.logger,
  });
  const inbox = new InboxConsumer({
    cluster: rt.cluster,
    serde: rt.serde,
    store,
    index,
    executor,
    policy,
    settings,
    credit: NO_CREDIT_FACTS,
    stock: () => new Map(),
    logger: rt.logger,
    groupId: `bench-${id}`,
    topic: `${prefix}unused`,
    partitionConcurrency: CONCURRENCY,
  });
  // Each partition's share of the stream, cut into batches as a consumer would receive them.
  const byPartition = Array.from({ length: PARTITIONS }, () => [] as OrchestratorSignal[]);
  for (const s of stream) byPartition[partitionOf(s.orderId)]!.push(s);
  let clock = Date.now();
  const started = performance.now();
  let batches = 0;
  await mapLimited(byPartition, CONCURRENCY, async (signals, partition) => {
    for (let i = 0; i < signals.length; i += BATCH) {
      await inbox.process(
        signals.slice(i, i + BATCH).map((signal) => ({ signal, at: clock++ })),
        partition,
      );
      batches++;
    }
  });
  const secs = (performance.now() - started) / 1000;
  const stored = await store.count((s) => s.stage === 'completed');
  figures.push({
    figure: 'inbox path (persisted)',
    value: stream.length / secs,
    unit: 'events/s',
    note: `${percentOf(stream.length / secs, foldRate)} of fold only; target >= 2000/s; ${stored}/${ORDERS} stored completed`,
  });
  console.log(
    `inbox path (fold + process documents + due index + effects to Kafka): ${stream.length} events in ${secs.toFixed(2)} s = ${Math.round(stream.length / secs)} events/s ` +
      `(${batches} batches of up to ${BATCH}, ${PARTITIONS} partitions, ${CONCURRENCY} at once; ${stored}/${ORDERS} stored completed)`,
  );
}

// --- 2. the due-timer scan over OPEN open orders ---------------------------------------------------------------------
{
  const index = new DueIndex(rt.db, 10_000);
  const now = Date.now();
  const changes: DueChange[] = [];
  for (let i = 0; i < OPEN; i++) {
    const orderId = `O${id}-${i}`;
    // DUE_NOW of them in the last minute, the rest over the next day.
    const at = i < DUE_NOW ? now - 1 - Math.floor(Math.random() * 60_000) : now + 60_000 + Math.floor(Math.random() * 24 * HOUR);
    changes.push({ orderId, add: { step: 'pick-pack', attempt: 0, at, partition: partitionOf(orderId) }, remove: [] });
  }
  const loadStart = performance.now();
  // As the inbox writes them: a segment per slot and partition a batch touches (here batches of 5,000 orders).
  for (let i = 0; i < changes.length; i += 5_000) await index.add(changes.slice(i, i + 5_000));
  const windows = await index.windows();
  const segments = (await mapLimited(windows, 3, (w) => rt.db.collection(w.name).countDocuments({}))).reduce((a, b) => a + b, 0);
  console.log(
    `\ndue index: ${OPEN} open orders in ${segments} segments (10 s slots x ${PARTITIONS} partitions; ${windows.length} collections: a partition's hour of slots each; written in batches of 5,000 orders), written in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`,
  );
  const published: number[] = [];
  const scanner = new TimerScanner({
    index,
    // Counts what would be sent; the scan itself is what is measured.
    producer: { publish: (events) => (published.push(events.length), Promise.resolve([])) },
    inboxTopic: `${prefix}odx.orchestrator.inbox.v1`,
    company: 'bench',
    partitions: PARTITIONS,
    logger: rt.logger,
  });
  const listed = await scanner.scan(now);
  console.log(
    `first scan of an index never scanned (lists it once): ${listed.ms.toFixed(0)} ms, ${listed.buckets} buckets read, ${listed.fired} timers due (of ${DUE_NOW})`,
  );
  // A restarted instance: a fresh scanner starts from the stored cursor.
  const restarted = new TimerScanner({
    index,
    producer: { publish: (events) => (published.push(events.length), Promise.resolve([])) },
    inboxTopic: `${prefix}odx.orchestrator.inbox.v1`,
    company: 'bench',
    partitions: PARTITIONS,
    logger: rt.logger,
  });
  const first = await restarted.scan(now + 1_000);
  console.log(
    `first scan after a restart (from the stored cursor): ${first.ms.toFixed(0)} ms, ${first.buckets} buckets read, ${first.fired} timers due`,
  );
  const second = await restarted.scan(now + 5_000);
  figures.push(
    {
      figure: 'due scan, index never scanned',
      value: listed.ms,
      unit: 'ms',
      note: `${OPEN} open orders, ${listed.fired} of ${DUE_NOW} due fired; target <= 1000 ms`,
    },
    { figure: 'due scan after a restart', value: first.ms, unit: 'ms', note: `${OPEN} open orders` },
    { figure: 'due scan, steady state', value: second.ms, unit: 'ms', note: `${OPEN} open orders` },
  );
  console.log(
    `steady-state scan 5 s later: ${second.ms.toFixed(0)} ms, ${second.buckets} buckets read, ${second.fired} sent again (refire after 60 s)`,
  );
  const sweep = await restarted.scan(now + 70_000);
  console.log(
    `scan 70 s later (due entries not yet removed are sent again): ${sweep.ms.toFixed(0)} ms, ${sweep.buckets} buckets, ${sweep.fired} sent`,
  );
}

const mine = (await rt.cluster.listTopics()).filter((n) => n.includes(id));
await rt.cluster.deleteTopics(mine).catch(() => undefined);
await rt.db.dropDatabase();
await rt.shutdown('bench done');
printSummary('orchestrator', figures);
process.exit(0);
