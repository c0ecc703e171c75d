// `npm run bench:api`: order intakes per second through api-gateway's
// POST /v1/orders on the running local stack (`npm run stack -- up` first).
// Starts the gateway as its own process (as deployed: JSON logs, its own
// event loop) on fresh topics (a unique ODX_TOPIC_PREFIX) and a fresh
// database, issues a key through the admin API, then drives the intake with
// --concurrency keep-alive clients, each order a new Idempotency-Key. Every
// accepted order is one claim, one orderRef and one answer in MongoDB, one
// OrderReceived on Kafka (acknowledged before the 201) and one audit entry.
// Afterwards it checks that the orders topic holds exactly one event per
// accepted order. Prints the figures and the machine; asserts nothing.
//
//   npm run bench:api -- [--orders 20000] [--concurrency 64] [--warmup 1000] [--lines 3] [--instances 1] [--keep]
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { arch, cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseCliArgs } from '@odx/runtime/cli';
import {
  BatchingPublisher,
  catalogTopicName,
  createClusterAdmin,
  createLogger,
  createServiceRuntime,
  loadRuntimeConfig,
  mintToken,
} from '@odx/runtime';
import { OrderIntake, loadApiGatewayConfig, orderRequestSchema } from '@odx/api-gateway';
import { MongoClient } from 'mongodb';
import { REPO_ROOT } from '../repo-root.js';
import { withStackEnv } from '../stack/index.js';
import { percentOf, printSummary, type SummaryFigure } from './summary.js';

const { values } = parseCliArgs('bench:api', 'order intakes/s through api-gateway POST /v1/orders on the running stack', {
  options: {
    orders: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '64' },
    warmup: { type: 'string', default: '1000' },
    lines: { type: 'string', default: '3' },
    keep: { type: 'boolean', default: false },
    /** Also time the intake core in this process (OrderIntake.submit: store + Kafka, no HTTP, auth or audit), to split the cost. */
    core: { type: 'boolean', default: false },
    /** Write the gateway's V8 CPU profile (node --cpu-prof) into this directory. */
    profile: { type: 'string' },
    /** Gateway processes (as instances behind a load balancer): the client spreads its connections over them round-robin. */
    instances: { type: 'string', default: '1' },
  },
});
const N = Number(values.orders);
const C = Number(values.concurrency);
const WARMUP = Number(values.warmup);
const LINES = Number(values.lines);
const INSTANCES = Number(values.instances);
for (const [name, v] of [
  ['--instances', INSTANCES],
  ['--orders', N],
  ['--concurrency', C],
  ['--lines', LINES],
] as const)
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a whole number >= 1, got ${v}`);
if (!Number.isInteger(WARMUP) || WARMUP < 0) throw new Error(`--warmup must be a whole number >= 0, got ${WARMUP}`);

const cpu = cpus();
const machine = (): string =>
  `${cpu.length} x ${cpu[0]?.model ?? 'unknown cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${process.platform} ${release()} ${arch()}, node ${process.version}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
console.log(`machine: ${machine()}`);

const id = randomUUID().slice(0, 8);
const prefix = `bench-api-${id}.`;
const database = `bench_api_${id}`;
const secret = randomBytes(32).toString('hex');
const ports: number[] = [];
for (let i = 0; i < INSTANCES; i++) ports.push(await freePort());
const env: NodeJS.ProcessEnv = {
  ...withStackEnv(),
  ODX_SERVICE_NAME: 'api-gateway',
  ODX_MONGO_DB: database,
  ODX_TOPIC_PREFIX: prefix,
  ODX_LOG_LEVEL: 'warn',
  ODX_API_JWT_SECRET: secret,
  ODX_API_GROUP: `bench-api-${id}`,
  ODX_API_PROVISION_TOPICS: 'false',
  // The bench key gets a limit far above what it sends; the window is 1 s so that limit is per second.
  ODX_AUTH_RATE_WINDOW_MS: '1000',
};
const runtime = loadRuntimeConfig('bench-api', env);
const logger = createLogger({ service: 'bench-api', level: 'warn' });
const cluster = createClusterAdmin(runtime.kafka, logger);
await cluster.connect();
const topics = ['odx.orders.v1', 'odx.shipments.v1', 'odx.invoices.v1', 'odx.inventory.v1'].map((t) => catalogTopicName(t, env));
await cluster.ensureTopics(topics.map((name) => ({ name, partitions: 6, replicationFactor: 1, config: {} })));
console.log(`stack: Kafka ${runtime.kafka.brokers.join(',')}, MongoDB wire ${runtime.mongo.url}; topics ${prefix}*, database ${database}`);

const profile = values.profile ? ['--cpu-prof', '--cpu-prof-dir', values.profile] : [];
const children = ports.map((port) =>
  spawn(process.execPath, [...profile, '--import', 'tsx', join(REPO_ROOT, 'services/api-gateway/src/main.ts')], {
    env: { ...env, ODX_HTTP_PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  }),
);
const bases = ports.map((port) => `http://127.0.0.1:${port}`);
const base = bases[0]!;
/** node:http with keep-alive: less client CPU per request than fetch, and the client shares the machine with the gateway. */
const agent = new Agent({ keepAlive: true, maxSockets: C });
try {
  await Promise.all(bases.map((b, i) => waitReady(`${b}/readyz`, children[i]!, 60_000)));
  console.log(`api-gateway: ${INSTANCES} instance(s) ready at ${bases.join(', ')}`);
  const admin = await mintToken({ secret, issuer: 'odx', audience: 'odx-api-gateway' }, 'bench', ['admin']);
  const created = await post(
    '/admin/keys',
    { authorization: `Bearer ${admin}` },
    {
      partnerId: 'bench-shop',
      kind: 'shop',
      customer: { partyId: '7', ref: 'C-BENCH', name: 'Bench Shop' },
      scopes: ['orders:write'],
      label: 'bench',
      rateLimit: 100_000,
    },
  );
  if (created.status !== 201) throw new Error(`key not created: ${created.status} ${created.text}`);
  const apiKey = (JSON.parse(created.text) as { key: string }).key;

  const order = (n: number): string => orderJson(`B-${id}-${n}`);
  const run = async (from: number, count: number) => {
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    let next = from;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: Math.min(C, count) }, async (_, client) => {
        const at = bases[client % bases.length]!;
        for (;;) {
          const n = next++;
          if (n >= from + count) return;
          const t0 = performance.now();
          const res = await post('/v1/orders', { 'x-api-key': apiKey, 'idempotency-key': `bench-${id}-${n}` }, order(n), true, at);
          latencies.push(performance.now() - t0);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
      }),
    );
    return { seconds: (performance.now() - started) / 1000, latencies: latencies.sort((a, b) => a - b), statuses };
  };
  if (WARMUP > 0) {
    const w = await run(0, WARMUP);
    console.log(`warmup: ${WARMUP} orders in ${w.seconds.toFixed(2)} s (${Math.round(WARMUP / w.seconds)}/s)`);
  }
  const loadBefore = loadavg();
  const r = await run(WARMUP, N);
  const quantile = (p: number): number => r.latencies[Math.min(r.latencies.length - 1, Math.floor(p * r.latencies.length))]!;
  const q = (p: number): string => `${quantile(p).toFixed(1)} ms`;
  const accepted = r.statuses.get(201) ?? 0;
  console.log(
    `\nintake: ${N} orders (${LINES} lines each), concurrency ${C}: ${r.seconds.toFixed(2)} s -> ${Math.round(N / r.seconds)} order intakes/s` +
      ` (accepted 201: ${Math.round(accepted / r.seconds)}/s)`,
  );
  console.log(`latency: p50 ${q(0.5)}  p95 ${q(0.95)}  p99 ${q(0.99)}  max ${r.latencies.at(-1)!.toFixed(1)} ms`);
  console.log(`answers: ${[...r.statuses].map(([s, c]) => `${s} x ${c}`).join(', ')}`);
  const wm = await cluster.watermarks(topics[0]!);
  const events = [...wm.values()].reduce((s, w) => s + Number(BigInt(w.high) - BigInt(w.low)), 0);
  const expected = accepted + (WARMUP > 0 ? WARMUP : 0);
  console.log(
    `events: ${events} on ${topics[0]} for ${expected} accepted orders (warmup included) -> ${events === expected ? 'one each' : 'MISMATCH'}`,
  );
  const coreRate = values.core ? await runCore(apiKey) : undefined;
  console.log(
    `load average: before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(`machine: ${machine()}`);
  const rate = N / r.seconds;
  const checked = events === expected ? 'one event each' : `events MISMATCH: ${events} for ${expected}`;
  const figures: SummaryFigure[] = [
    {
      figure: 'order intake (HTTP)',
      value: rate,
      unit: 'intakes/s',
      note: `${N} orders, concurrency ${C}, ${INSTANCES} instance(s); target >= 1000/s; ${checked}`,
    },
    { figure: 'order intake p99', value: quantile(0.99), unit: 'ms', note: `p50 ${q(0.5)}, p95 ${q(0.95)}` },
  ];
  if (coreRate !== undefined)
    figures.push({
      figure: 'intake core (in-process)',
      value: coreRate,
      unit: 'intakes/s',
      note: `HTTP at ${percentOf(rate, coreRate)} of it`,
    });
  printSummary('api', figures);
} finally {
  agent.destroy();
  await Promise.all(
    children.map((child) => {
      if (child.exitCode !== null) return undefined;
      child.kill('SIGTERM');
      return new Promise((r) => child.once('exit', r));
    }),
  );
  if (!values.keep) {
    await cluster.deleteTopics(topics).catch(() => undefined);
    const m = new MongoClient(runtime.mongo.url);
    await m
      .db(database)
      .dropDatabase()
      .catch(() => undefined);
    await m.close();
  }
  await cluster.close();
}

/** The same orders through OrderIntake.submit in this process: what the intake itself costs without HTTP and the runtime's audit; returns intakes/s. */
async function runCore(apiKey: string): Promise<number> {
  const rt = await createServiceRuntime({ name: 'api-gateway', env: { ...env, ODX_HTTP_PORT: '0' } });
  rt.logger.silent = true;
  try {
    const publisher = new BatchingPublisher(rt.producer, { maxBatchSize: 500, lingerMs: 2 });
    const config = loadApiGatewayConfig(env);
    const intake = new OrderIntake({
      db: rt.db,
      publisher,
      ordersTopic: config.topics.orders,
      company: rt.config.company,
      ...config.intake,
    });
    const partner = { partnerId: 'bench-core', kind: 'shop' as const, customer: { partyId: '7', ref: 'C-BENCH', name: 'Bench Shop' } };
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: C }, async () => {
        for (;;) {
          const n = next++;
          if (n >= N) return;
          const body = orderRequestSchema.parse(JSON.parse(orderJson(`C-${id}-${n}`)));
          await intake.submit(partner, `core-${id}-${n}`, body);
        }
      }),
    );
    const s = (performance.now() - started) / 1000;
    console.log(
      `intake core (in-process OrderIntake.submit, no HTTP/auth/audit): ${N} orders in ${s.toFixed(2)} s -> ${Math.round(N / s)}/s (key ${apiKey.slice(0, 21)}... unused)`,
    );
    await publisher.flush();
    return N / s;
  } finally {
    await rt.shutdown('bench done');
  }
}

function post(
  path: string,
  headers: Record<string, string>,
  body: unknown,
  raw = false,
  at = base,
): Promise<{ status: number; text: string }> {
  const payload = raw ? (body as string) : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${at}${path}`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (child.exitCode !== null) throw new Error(`api-gateway exited with code ${child.exitCode}`);
    if (Date.now() > end) throw new Error(`api-gateway not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function orderJson(orderRef: string): string {
  return JSON.stringify({
    orderRef,
    currency: 'EUR',
    shipTo: { name: 'Erika Mustermann', street1: 'Hauptstr. 1', city: 'Berlin', postalCode: '10115', countryCode: 'DE' },
    lines: Array.from({ length: LINES }, (_, i) => ({ sku: `SKU-${i + 1}`, quantity: String(i + 1), unitPrice: '19.90' })),
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const p = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}
