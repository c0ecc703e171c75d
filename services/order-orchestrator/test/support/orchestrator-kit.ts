// An order orchestrator on the real stack (Kafka, registry, FerretDB) with its
// own topics (ODX_TOPIC_PREFIX), consumer groups and database, a short-SLA
// policy, and a stand-in bridge that records catch-up requests; removed after
// the test.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import {
  collectTopic,
  createServiceRuntime,
  ensureTopics,
  mintToken,
  outgoingEvent,
  type CollectedMessage,
  type OutgoingEvent,
  type ServiceRuntime,
  type TopicCollector,
} from '@odx/runtime';
import { eventually } from '@odx/runtime/testing';
import { loadCatalog, type EventPayloads, type OrderConfirmed } from '@odx/schemas';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import { loadOrchestratorConfig, type OrchestratorConfig } from '../../src/config.js';
import { startOrderOrchestrator, type OrderOrchestrator } from '../../src/orchestrator-service.js';
import { parseOrchestratorPolicy } from '../../src/policy/index.js';

export { eventually };

export interface Cleanup {
  after(fn: () => Promise<void> | void): void;
}

/**
 * Every step due within seconds; warehouses WH then WH2, orders of customer SPLIT may be split; credit approved
 * (with `holdUnlisted`: held unless the customer is OK, as the test runs without a credit source).
 */
export function shortPolicy(slaMs = 2_000, holdUnlisted = false): ReturnType<typeof parseOrchestratorPolicy> {
  const steps = ['credit', 'allocation', 'release', 'pick-pack', 'carrier-booking', 'dispatch', 'delivery', 'invoice', 'payment'];
  return parseOrchestratorPolicy({
    sla: { file: 'test/sla.yaml', text: `steps:\n${steps.map((s) => `  ${s}:\n    default: ${Math.ceil(slaMs / 1000)}s\n`).join('')}` },
    credit: {
      file: 'test/credit.yaml',
      text: holdUnlisted
        ? 'currency: USD\napproveBelow: "0"\nautoApproveCustomers: [OK]\nwithoutLimit: hold\n'
        : 'currency: USD\napproveBelow: "1000000.00"\nautoApproveCustomers: []\nwithoutLimit: approve\n',
    },
    allocation: { file: 'test/allocation.yaml', text: 'warehouses: [WH, WH2]\nsplit: false\ncustomers:\n  SPLIT:\n    split: true\n' },
  });
}

export interface RunningOrchestrator extends Omit<PreparedStack, 'rt'> {
  /** The orchestrator's runtime. */
  rt: ServiceRuntime;
  orchestrator: OrderOrchestrator;
  url: string;
  /** Bearer token with the operator role. */
  token: string;
  /** GET /v1/orders/:ref/process (undefined on 404). */
  process(ref: string): Promise<ProcessView | undefined>;
}

export interface ProcessView {
  orderId: string;
  stage: string;
  stageStatus: string;
  open: boolean;
  due: { step: string; attempt: number; at: string } | null;
  steps: Record<string, { status: string; attempts: number; caseOpen: boolean; lastError: string | null }>;
  allocation: { parts: Array<{ warehouseCode: string; shipmentId: string }> } | null;
  cancellation: { compensation: Record<string, unknown> } | null;
  history: Array<{ stage: string; status: string }>;
}

function isProcessView(v: unknown): v is { process: ProcessView } {
  return typeof v === 'object' && v !== null && 'process' in v;
}

/** A stand-in for the bridges' catch-up route: records each request, answers 404 (the system has no record). */
async function standInBridge(t: Cleanup, name: string, seen: string[]): Promise<string> {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const parsed: unknown = JSON.parse(body || '{}');
      const ref = typeof parsed === 'object' && parsed !== null && 'orderRef' in parsed ? String(parsed.orderRef) : '';
      seen.push(`${name}:${ref}`);
      res.writeHead(404, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ title: 'Not Found' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const addr = server.address();
  return `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
}

export interface PreparedStack {
  /** A runtime for the test itself (publishing, reading topics): not an orchestrator. */
  rt: ServiceRuntime;
  config: OrchestratorConfig;
  env: NodeJS.ProcessEnv;
  /** Tags every topic, group and database of the test. */
  id: string;
  topics: OrchestratorConfig['topics'] & { cases: string };
  catchUps: string[];
  publish<T extends keyof EventPayloads>(eventType: T, key: string, payload: EventPayloads[T], topic: string): Promise<void>;
  collect(topic: string): Promise<CollectedMessage[]>;
  /** Runs `fn` at cleanup before the topics and database go (stop what uses them). */
  stopFirst(fn: () => Promise<void> | void): void;
}

/** Topics, database name, settings and stand-in bridges for an orchestrator; cleaned up after the test. */
export async function prepareStack(t: Cleanup, env: Record<string, string> = {}): Promise<PreparedStack> {
  const id = randomUUID().slice(0, 8);
  const prefix = `test.orch-${id}.`;
  const catchUps: string[] = [];
  const fullEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ODX_SERVICE_NAME: 'order-orchestrator',
    ODX_HTTP_PORT: '0',
    ODX_TOPIC_PREFIX: prefix,
    ODX_MONGO_DB: `orch_test_${id}`,
    ODX_LOG_LEVEL: process.env['ODX_TEST_LOG_LEVEL'] ?? 'error',
    ODX_ORCHESTRATOR_GROUP: `orch-${id}`,
    ODX_ORCHESTRATOR_JWT_SECRET: `test-secret-${randomUUID()}-${randomUUID()}`,
    ODX_ORCHESTRATOR_CREDIT_SOURCE: 'none',
    ODX_ORCHESTRATOR_PROVISION_TOPICS: 'false',
    ODX_ORCHESTRATOR_TIMER_SCAN_MS: '250',
    ODX_ORCHESTRATOR_TIMER_SLOT_MS: '1000',
    ODX_ORCHESTRATOR_RETRY_DELAYS_MS: '1000,1000',
    ODX_ORCHESTRATOR_TIMER_REFIRE_MS: '3000',
    ODX_ORCHESTRATOR_STOCK_REFRESH_MS: '500',
    ODX_ORCHESTRATOR_WMS_BRIDGE_URL: await standInBridge(t, 'wms', catchUps),
    ODX_ORCHESTRATOR_TMS_BRIDGE_URL: await standInBridge(t, 'tms', catchUps),
    ODX_CASES_DLQ_INTAKE: 'false',
    ODX_CASES_SCAN_MS: '1000',
    ...env,
  };
  const config = loadOrchestratorConfig(fullEnv);
  const rt = await createServiceRuntime({ name: 'order-orchestrator-test', env: fullEnv });
  rt.logger.silent = process.env['ODX_TEST_LOG_LEVEL'] === undefined;
  await ensureTopics(
    rt.cluster,
    loadCatalog().topics.map((topic) => ({
      name: `${prefix}${topic.name}`,
      partitions: topic.partitions,
      replicationFactor: 1,
      config: {},
    })),
  );
  const readers: TopicCollector[] = [];
  const first: Array<() => Promise<void> | void> = [];
  t.after(async () => {
    for (const fn of first.reverse()) await fn();
    for (const r of readers) await r.close().catch(() => undefined);
    const mine = (await rt.cluster.listTopics()).filter((name) => name.includes(id));
    await rt.cluster.deleteTopics(mine).catch(() => undefined);
    await rt.db.dropDatabase().catch(() => undefined);
    await rt.shutdown('test done');
  });
  return {
    rt,
    config,
    env: fullEnv,
    id,
    topics: { ...config.topics, cases: `${prefix}odx.cases.v1` },
    catchUps,
    publish: async (eventType, key, payload, topic) => {
      const event: OutgoingEvent = outgoingEvent(eventType, key, payload, { topic });
      await rt.producer.publish([event]);
    },
    collect: (topic) => collectTopic(rt.cluster, rt.serde, topic, (r) => readers.push(r)),
    stopFirst: (fn) => void first.push(fn),
  };
}

/** GET /v1/orders/:ref/process of the orchestrator at `url` (undefined on 404). */
export async function fetchProcess(url: string, token: string, ref: string): Promise<ProcessView | undefined> {
  const res = await fetch(`${url}/v1/orders/${encodeURIComponent(ref)}/process`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status === 404) return undefined;
  const body: unknown = await res.json();
  if (res.status !== 200 || !isProcessView(body)) throw new Error(`GET process answered ${res.status}: ${JSON.stringify(body)}`);
  return body.process;
}

/** An orchestrator in this process on a prepared stack. */
export async function startOrchestrator(
  t: Cleanup,
  env: Record<string, string> = {},
  policy = shortPolicy(),
): Promise<RunningOrchestrator> {
  const stack = await prepareStack(t, env);
  const { config } = stack;
  const rt = await createServiceRuntime({ name: 'order-orchestrator', env: stack.env, tokens: config.auth });
  rt.logger.silent = process.env['ODX_TEST_LOG_LEVEL'] === undefined;
  let orchestrator: OrderOrchestrator | undefined;
  stack.stopFirst(async () => {
    await orchestrator?.stop();
    await rt.shutdown('test done');
  });
  orchestrator = await startOrderOrchestrator(rt, config, { policy, deskEnv: stack.env });
  const server = await rt.listen();
  const addr = server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const token = await mintToken(config.auth, 'tester', ['operator']);
  return {
    ...stack,
    rt,
    orchestrator,
    url,
    token,
    process: (ref) => fetchProcess(url, token, ref),
  };
}

/** An OrderConfirmed for a fresh order of `customer`, whole-unit lines. */
export function confirmedOrder(skus: string[] = ['SKU-A', 'SKU-B'], customer = 'C-TEST'): OrderConfirmed {
  const orderId = `T-${randomUUID().slice(0, 12)}`;
  const event = sampleEvent('OrderConfirmed', { meta: sampleMeta({ eventId: randomUUID(), correlationId: orderId }) });
  const template = event.order.lines[0]!;
  event.order = {
    ...event.order,
    orderId,
    odooId: orderId,
    name: `S-${orderId}`,
    customer: { ...event.order.customer, ref: customer },
    warehouseCode: 'WH',
    lines: skus.map((sku, i) => ({
      ...template,
      lineId: `${orderId}-${i + 1}`,
      lineNumber: i + 1,
      sku,
      quantity: '2.0000',
      uom: 'EA',
      warehouseCode: null,
    })),
  };
  return event;
}

/** Stock of `sku` in `warehouse` (an InventoryLevelChanged warehouse total). */
export function level(sku: string, warehouse: string, available: string): EventPayloads['InventoryLevelChanged'] {
  const e = sampleEvent('InventoryLevelChanged', { meta: sampleMeta({ eventId: randomUUID() }) });
  e.level = {
    ...e.level,
    sku,
    warehouseCode: warehouse,
    locationCode: null,
    lotNumber: null,
    onHand: available,
    reserved: '0.0000',
    available,
    asOf: new Date(),
  };
  return e;
}
