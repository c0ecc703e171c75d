import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createServiceRuntime, type ServiceRuntime } from '@odx/runtime';
import { TEST_JWT_SECRET, testAuthHeader } from '@odx/runtime/testing';
import { loadSinkConfig } from '../../src/config.js';
import { startAnalyticsSink, type AnalyticsSink } from '../../src/sink-service.js';
import type { ScenarioEvent, TopicKind } from './scenario.js';
export { eventually } from '@odx/runtime/testing';

/** What node:test's TestContext offers for cleanup. */
export interface Cleanup {
  after(fn: () => Promise<void> | void): void;
}

const CATALOG: Record<TopicKind, string> = {
  orders: 'odx.orders.v1',
  shipments: 'odx.shipments.v1',
  inventory: 'odx.inventory.v1',
  invoices: 'odx.invoices.v1',
  payments: 'odx.payments.v1',
  edi: 'odx.edi.documents.v1',
};

/** One test's private world: topics, a consumer group and a database, all removed after the test. */
export interface SinkWorld {
  id: string;
  env: NodeJS.ProcessEnv;
  topics: Record<TopicKind, string>;
  group: string;
  /** Stopped first when the test ends (node:test runs `after` hooks in registration order). */
  running: Array<() => Promise<void>>;
}

export interface RunningSink {
  rt: ServiceRuntime;
  sink: AnalyticsSink;
  url: string;
  /** Stops the sink and its runtime (a "process" ending). */
  stop(): Promise<void>;
}

export async function createWorld(t: Cleanup, env: Record<string, string> = {}): Promise<SinkWorld> {
  const id = randomUUID().slice(0, 8);
  // Named so that, in one hour, the EDI topic sorts before the shipments topic (timeline tie-break).
  const topics = Object.fromEntries((Object.keys(CATALOG) as TopicKind[]).map((k) => [k, `test.sink-${id}.${k}`])) as Record<
    TopicKind,
    string
  >;
  const group = `sink-${id}`;
  const world: SinkWorld = {
    id,
    topics,
    group,
    running: [],
    env: {
      ...process.env,
      ODX_SERVICE_NAME: 'analytics-sink',
      ODX_HTTP_PORT: '0',
      ODX_MONGO_DB: `sink_test_${id}`,
      ODX_LOG_LEVEL: process.env['ODX_TEST_LOG_LEVEL'] ?? 'error',
      ODX_SINK_GROUP: group,
      ODX_SINK_TOPICS: (Object.keys(CATALOG) as TopicKind[]).map((k) => `${topics[k]}=${CATALOG[k]}`).join(','),
      ODX_SINK_LAG_GROUPS: group,
      ODX_SINK_PROVISION_TOPICS: 'false',
      ODX_SINK_FAILURE_REFRESH_MS: '500',
      ODX_SINK_RETRY_DELAYS_MS: '500',
      ODX_SINK_KPI_METRICS_INTERVAL_MS: '0',
      ODX_SINK_LIFECYCLE_INTERVAL_MS: '0',
      ODX_AUTH_JWT_SECRET: TEST_JWT_SECRET,
      // Each assertion reads the KPIs as they are now (the cache is tested on its own).
      ODX_SINK_KPI_CACHE_MS: '0',
      ...env,
    },
  };
  const rt = await createServiceRuntime({ name: 'analytics-sink', env: world.env });
  rt.logger.silent = process.env['ODX_TEST_LOG_LEVEL'] === undefined;
  await rt.cluster.ensureTopics(Object.values(topics).map((name) => ({ name, partitions: 3, replicationFactor: 1, config: {} })));
  t.after(async () => {
    for (const stop of world.running.reverse()) await stop().catch(() => undefined);
    const rt2 = await createServiceRuntime({ name: 'analytics-sink', env: world.env });
    rt2.logger.silent = true;
    const all = (await rt2.cluster.listTopics()).filter((n) => n.startsWith(`test.sink-${id}.`));
    await rt2.cluster.deleteTopics(all).catch(() => undefined);
    await rt2.cluster.deleteGroups([group, `${group}-failures`]).catch(() => undefined);
    await rt2.db.dropDatabase().catch(() => undefined);
    await rt2.shutdown('test done');
  });
  await rt.shutdown('topics created');
  return world;
}

/** Starts the sink on `world` (its HTTP server on a free port). */
export async function startSink(world: SinkWorld): Promise<RunningSink> {
  const rt = await createServiceRuntime({ name: 'analytics-sink', env: world.env });
  rt.logger.silent = process.env['ODX_TEST_LOG_LEVEL'] === undefined;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopped ??= rt.shutdown('test stop'));
  world.running.push(stop);
  const sink = await startAnalyticsSink(rt, loadSinkConfig(world.env));
  const server = await rt.listen();
  const addr = server.address();
  const url = typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}` : String(addr);
  return { rt, sink, url, stop };
}

/** Publishes scenario events through the runtime's producer to the world's topics. */
export async function publish(rt: ServiceRuntime, world: SinkWorld, events: ScenarioEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 500) {
    await rt.producer.publish(events.slice(i, i + 500).map(({ kind, ...e }) => ({ ...e, topic: world.topics[kind] })));
  }
}

/** GET with a viewer's token (the sink's routes need role viewer). */
export async function getJson(url: string): Promise<{ status: number; type: string | null; body: unknown }> {
  const res = await fetch(url, { headers: await testAuthHeader('viewer') });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, type: res.headers.get('content-type'), body };
}

/** A runtime on the world's settings without the sink (to publish or to look at the database); closed with the world. */
export async function openRuntime(world: SinkWorld): Promise<ServiceRuntime> {
  const rt = await createServiceRuntime({ name: 'analytics-sink', env: world.env });
  rt.logger.silent = process.env['ODX_TEST_LOG_LEVEL'] === undefined;
  let closed: Promise<void> | undefined;
  world.running.push(() => (closed ??= rt.shutdown('test done')));
  return rt;
}

/** Index entries in the world's database right now, read through a connection of its own. */
export async function countIndexed(world: SinkWorld): Promise<number> {
  const rt = await openRuntime(world);
  try {
    return await rt.db.collection(world.env['ODX_SINK_COLLECTION'] ?? 'analytics_events').countDocuments({});
  } finally {
    await rt.shutdown('counted'); // idempotent: the world's cleanup calling it again is a no-op
  }
}

/** The sink as its own process (`src/main.ts`) on the world's settings; killed after the test if still running. */
export function spawnSink(world: SinkWorld): ChildProcess {
  const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main], { env: world.env, stdio: ['ignore', 'ignore', 'inherit'] });
  world.running.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}
