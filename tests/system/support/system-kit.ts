// The whole ODX system for cross-service tests: the Odoo, WMS and TMS
// simulators and all six services, each its own process (as `npm start` runs
// them), on free ports, with a topic prefix, consumer groups and a database of
// their own, so the test neither sees nor disturbs other runs on the stack.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { freePort } from '@odx/runtime/testing';
import { PORTS, serviceSpecs, simulatorSpecs, url, type Ports } from '../../../scripts/demo/services.js';
import { lastLines, ProcessSupervisor, type ProcessSpec, type RunningProcess } from '../../../scripts/demo/supervisor.js';
import { createSystemTopics, removeSystemFromKafka, systemAcls, systemGroup, withCluster } from '../../../scripts/demo/system-isolation.js';

export interface Cleanup {
  after(fn: () => Promise<void> | void): void;
}

export interface RunningSystem {
  id: string;
  ports: Ports;
  /** ODX_TOPIC_PREFIX of this system. */
  prefix: string;
  /** MongoDB database the services share. */
  database: string;
  logDir: string;
  specs: ProcessSpec[];
  supervisor: ProcessSupervisor;
  /** The running process of a service or simulator. */
  process(name: string): RunningProcess;
  /** Kills a process with SIGKILL and starts it again at once; resolves with the ms until its /readyz answered 2xx. */
  killAndRestart(name: string, readyWithinMs: number): Promise<number>;
  /** Kills a process with SIGKILL and resolves once it is gone; `start` brings it back. */
  kill(name: string): Promise<void>;
  /** Starts a process of the system that is not running (after `kill`); resolves with the ms until it was ready. */
  start(name: string, readyWithinMs: number): Promise<number>;
  /** Every service's /readyz status and body. */
  readiness(): Promise<Array<{ name: string; status: number; body: unknown }>>;
}

export interface SystemOptions {
  /** More settings per process name, over the shared ones (e.g. `{ 'sim-wms': { DEMO_SIM_WEBHOOK_RETRY: 'default' } }`). */
  env?: Record<string, Record<string, string>>;
  /**
   * The stack to run on instead of the suite's: ODX_KAFKA_BROKERS, ODX_MONGO_URL, ODX_SCHEMA_REGISTRY_URL and the
   * Kafka admin login (ODX_KAFKA_SASL_*, ODX_STACK_KAFKA_USERS), as `endpointsEnv` gives them for another home.
   * The caller owns that stack: the system's topics, ACLs and database are left for it to wipe.
   */
  stack?: Record<string, string>;
  /** More instances of a service in its consumer group (`{ 'wms-bridge': 2 }` adds `wms-bridge-2` on a port of its own). */
  replicas?: Record<string, number>;
  /** Services not started (e.g. those off the order path, for a run that only needs orders delivered). */
  without?: string[];
}

/** Starts the system; everything is stopped and its database dropped after the test. */
export async function startSystem(t: Cleanup, extraEnv: Record<string, string> = {}, options: SystemOptions = {}): Promise<RunningSystem> {
  const id = randomUUID().slice(0, 8);
  const ports = Object.fromEntries(
    await Promise.all(Object.keys(PORTS).map(async (k) => [k, await freePort()] as const)),
  ) as unknown as Ports;
  const dataDir = mkdtempSync(join(tmpdir(), `odx-system-${id}-`));
  const logDir = join(dataDir, 'logs');
  const prefix = `test.sys-${id}.`;
  const database = `odx_system_${id}`;
  const stackEnv: Record<string, string> = {
    ODX_KAFKA_BROKERS: process.env['ODX_KAFKA_BROKERS'] ?? '127.0.0.1:9092',
    ODX_SCHEMA_REGISTRY_URL: process.env['ODX_SCHEMA_REGISTRY_URL'] ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
    ODX_MONGO_URL: process.env['ODX_MONGO_URL'] ?? 'mongodb://127.0.0.1:27017/',
    // The stack's admin login and users file (a SASL stack): serviceSpecs gives each service its own user.
    ...(options.stack
      ? {}
      : Object.fromEntries(
          Object.entries(process.env).filter(
            (e): e is [string, string] => (e[0].startsWith('ODX_KAFKA_SASL_') || e[0] === 'ODX_STACK_KAFKA_USERS') && e[1] !== undefined,
          ),
        )),
    ...options.stack,
  };
  // Group ids are cluster-wide: a group of the same name on other topics would share rebalances with this one.
  const isolation: Record<string, string> = {
    ODX_TOPIC_PREFIX: prefix,
    ODX_MONGO_DB: database,
    ODX_LOG_LEVEL: 'warn',
    ODX_WRITEBACK_GROUP: systemGroup(id, 'odoo-outbox-poller'),
    ODX_WMS_BRIDGE_GROUP: systemGroup(id, 'wms-bridge'),
    ODX_TMS_BRIDGE_GROUP: systemGroup(id, 'tms-bridge'),
    ODX_EDI_GROUP: systemGroup(id, 'edi-gateway'),
    ODX_SINK_GROUP: systemGroup(id, 'analytics-sink'),
    ODX_ORCHESTRATOR_GROUP: systemGroup(id, 'order-orchestrator'),
    ...extraEnv,
  };
  const services = serviceSpecs(stackEnv, dataDir, ports, 'fulfillment-requested', { downstream: false }).filter(
    (s) => !options.without?.includes(s.name),
  );
  for (const [name, count] of Object.entries(options.replicas ?? {})) {
    const base = services.find((s) => s.name === name);
    if (!base) throw new Error(`no service ${name} to run more instances of`);
    for (let n = 2; n <= count; n++) {
      const port = await freePort();
      services.push({ ...base, name: `${name}-${n}`, env: { ...base.env, ODX_HTTP_PORT: String(port) }, readyUrl: `${url(port)}/readyz` });
    }
  }
  const specs = [...simulatorSpecs(dataDir, ports), ...services].map((s) => ({
    ...s,
    env: { ...s.env, ...isolation, ...options.env?.[s.name] },
  }));
  const supervisor = new ProcessSupervisor(logDir);
  t.after(async () => {
    await supervisor.stopAll(10_000);
    // On a stack of the caller's own (options.stack), the caller removes the whole stack afterwards.
    if (options.stack) {
      if (process.env['ODX_TEST_KEEP_LOGS'] === undefined) rmSync(dataDir, { recursive: true, force: true });
      return;
    }
    // A system leaves ~50 catalog partitions and several hundred retry and DLQ partitions behind; a suite that kept
    // them all held thousands, and the one broker slowed until topic creation and /readyz timed out (seen in CI).
    await removeSystemFromKafka(stackEnv, prefix, `sys-${id}-`).catch((err: unknown) =>
      console.warn(`system ${id}: could not remove its topics and groups: ${String(err)}`),
    );
    const mongo = new MongoClient(stackEnv['ODX_MONGO_URL'] ?? 'mongodb://127.0.0.1:27017/', { serverSelectionTimeoutMS: 5_000 });
    await mongo
      .connect()
      .then(() => mongo.db(database).dropDatabase())
      .catch(() => undefined)
      .finally(() => mongo.close());
    if (process.env['ODX_TEST_KEEP_LOGS'] === undefined) rmSync(dataDir, { recursive: true, force: true });
  });
  // The system's catalog topics exist before any service starts. The services provision them too, but they start in
  // parallel: one that subscribes before another created its topics fails its start on unknown partitions (seen when
  // two systems started at once and Kafka's metadata lagged behind ~100 new topics).
  await createSystemTopics(stackEnv, prefix);
  // On a stack with SASL users each service runs as its own user: it may do what the catalog's ACLs for this
  // system's topics and groups allow, and no more.
  const acls = stackEnv['ODX_STACK_KAFKA_USERS'] ? systemAcls({ id, prefix, database }) : [];
  if (acls.length > 0) {
    await withCluster(stackEnv, (cluster) => cluster.applyAcls(acls));
    if (!options.stack)
      t.after(() =>
        withCluster(stackEnv, (cluster) => cluster.removeAcls(acls.filter((r) => r.name !== '*'))).catch((err: unknown) =>
          console.warn(`system ${id}: could not remove its ACLs: ${String(err)}`),
        ),
      );
  }
  // Simulators first (the services reach them at start), then the services, in parallel: each waits for its own /readyz.
  const simulators = specs.filter((s) => s.name.startsWith('sim-'));
  await Promise.all(simulators.map((s) => supervisor.start(s)));
  await Promise.all(specs.filter((s) => !s.name.startsWith('sim-')).map((s) => supervisor.start(s, 120_000)));

  const running = (name: string): RunningProcess => {
    const p = supervisor.processes.find((x) => x.spec.name === name);
    if (!p) throw new Error(`${name} is not running`);
    return p;
  };
  const spec = (name: string): ProcessSpec => {
    const s = specs.find((x) => x.name === name);
    if (!s) throw new Error(`the system has no process ${name}`);
    return s;
  };
  const kill = async (name: string): Promise<void> => {
    const proc = running(name);
    await new Promise<void>((resolve) => {
      if (proc.child.exitCode !== null || proc.child.signalCode !== null) return resolve();
      proc.child.once('exit', () => resolve());
      proc.child.kill('SIGKILL');
    });
    await supervisor.stop(name, 0); // forget the dead process
  };
  const start = async (name: string, readyWithinMs: number): Promise<number> => {
    const started = Date.now();
    await supervisor.start(spec(name), readyWithinMs);
    return Date.now() - started;
  };
  return {
    id,
    ports,
    prefix,
    database,
    logDir,
    specs,
    supervisor,
    process: running,
    async killAndRestart(name, readyWithinMs) {
      await kill(name);
      return start(name, readyWithinMs);
    },
    kill,
    start,
    async readiness() {
      return Promise.all(
        specs
          .filter((s) => !s.name.startsWith('sim-'))
          .map(async (s) => {
            const res = await fetch(s.readyUrl, { signal: AbortSignal.timeout(5_000) }).catch((err: unknown) => err as Error);
            if (!(res instanceof Error)) return { name: s.name, status: res.status, body: await res.json().catch(() => null) };
            // No answer (status 0): say whether the process is gone, and how its log ends.
            const proc = supervisor.processes.findLast((p) => p.spec.name === s.name);
            const gone = proc && (proc.child.exitCode !== null || proc.child.signalCode !== null);
            const error = gone
              ? `exited with ${proc.child.signalCode ?? `code ${String(proc.child.exitCode)}`}${lastLines(proc.logFile, 3)}`
              : `no answer: ${res.message}`;
            return { name: s.name, status: 0, body: { error } };
          }),
      );
    },
  };
}

export { freePort, url };
