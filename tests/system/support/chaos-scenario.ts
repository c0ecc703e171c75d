// Chaos on a three-broker cluster (issue 16): the whole system runs on a Kafka
// cluster of three nodes and a store of its own (both started by the stack
// launcher in a temporary home), with two wms-bridge instances in one consumer
// group, while orders flow in from Odoo. One fault after the other:
//   - a broker SIGKILLed, and restarted after `brokerDownMs`;
//   - each service SIGKILLed in turn and started again at once;
//   - the store (FerretDB) SIGKILLed, and started again after `storeDownMs`;
//   - WMS and TMS latency plus 503 bursts for `simFaultMs`.
// Then an invariant checker reads the WMS, TMS and Odoo simulators and the
// topics: lost orders, duplicate effects (WMS orders, TMS bookings, Odoo
// deliveries validated), duplicate event ids, and how long each fault took to
// recover from (every /readyz green, and for the broker every partition back
// in sync).
// Used by tests/system/chaos.test.ts (short) and `npm run chaos` (full size).
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  collectTopic,
  createServiceRuntime,
  mapLimited,
  mintToken,
  type CollectedMessage,
  type ServiceRuntime,
  type TopicCollector,
} from '@odx/runtime';
import { freePort, payloadOf } from '@odx/runtime/testing';
import { OdooShop } from '../../../scripts/demo/odoo-shop.js';
import { DEMO_JWT_SECRET, ORCHESTRATOR_AUDIENCE } from '../../../scripts/demo/services.js';
import { waitForProductKinds, waitForStockLevels } from '../../../scripts/demo/stock-levels.js';
import { endpointsEnv, loadStackConfig, stackDown, stackUp, withStackEnv } from '../../../scripts/stack/index.js';
import { readPidRecord } from '../../../scripts/stack/process-control.js';
import { SIM_ADMIN, countBy, listAll, orderOfRef, repeated, sleep, type TmsShipment, type WmsOrder } from './system-checks.js';
import { policyDir } from './outage-scenario.js';
import { startSystem, url, type Cleanup, type RunningSystem } from './system-kit.js';

export interface ChaosOptions {
  orders: number;
  /** Orders created per second. */
  rate: number;
  /** How long the killed broker stays down. */
  brokerDownMs: number;
  /** How long the store stays down. */
  storeDownMs: number;
  /** How long the WMS and TMS answer slowly and with 503 bursts. */
  simFaultMs: number;
  /** Pause between faults (the system works normally in between). */
  gapMs: number;
  /** How long after the last fault every order must be delivered. */
  recoveryMs: number;
  /** How long each fault's recovery is watched before it counts as not recovered (default 120 s). */
  recoveryWatchMs?: number;
  /**
   * Short orchestrator SLAs (each fulfilment step, in seconds; retries after 5 and 10 s), so that an order whose
   * webhook a simulator gave up on during a fault is caught up within the run. Default: the shipped SLAs (minutes).
   */
  slaSeconds?: number;
  /** Services killed in turn (default: every service of the system, the second wms-bridge included). */
  services?: string[];
  /** Services not run at all (default: none; the short test leaves out those off the order path). */
  without?: string[];
  say?: (line: string) => void;
}

export interface FaultRecord {
  fault: string;
  /** Seconds from the first order. */
  startedAt: number;
  /** How long the fault lasted (s). */
  lastedSeconds: number;
  /** Seconds from the fault's end until the system had recovered (null: not within the watch window). */
  recoveredAfterSeconds: number | null;
  /** When not recovered: what was still wrong at the end of the watch window. */
  stillWrong?: string;
  /** The watch window (s). */
  watchedSeconds: number;
  detail: string;
}

export interface ChaosReport {
  orders: number;
  confirmed: number;
  loadErrors: number;
  delivered: number;
  /** Orders confirmed in Odoo and not delivered when the run ended. */
  lost: string[];
  faults: FaultRecord[];
  duplicates: {
    wmsOrders: string[];
    tmsBookings: string[];
    /** Odoo orders with more validated deliveries than WMS orders. */
    odooDeliveries: string[];
    shipmentEvents: string[];
    stageEvents: string[];
  };
  /** Messages on the system's DLQ topics at the end. */
  deadLettered: number;
  wmsOrders: number;
  tmsBookings: number;
  /** Seconds from the first order to the last delivery. */
  lastDeliverySeconds: number;
  logDir: string;
}

interface ChaosStack {
  env: Record<string, string>;
  /** The stack's env for the launcher (its temporary home and ports). */
  launcherEnv: NodeJS.ProcessEnv;
}

/** A three-node Kafka and a store of their own in a temporary home; the suite's registry serves the schemas. */
async function startChaosStack(t: Cleanup, say: (line: string) => void): Promise<ChaosStack> {
  const home = mkdtempSync(join(tmpdir(), 'odx-chaos-'));
  const ports: Record<string, number> = {};
  for (const name of [
    'ODX_STACK_KAFKA_PORT',
    'ODX_STACK_KAFKA_CONTROLLER_PORT',
    'ODX_STACK_KAFKA_2_PORT',
    'ODX_STACK_KAFKA_2_CONTROLLER_PORT',
    'ODX_STACK_KAFKA_3_PORT',
    'ODX_STACK_KAFKA_3_CONTROLLER_PORT',
    'ODX_STACK_MONGO_PORT',
    'ODX_STACK_POSTGRES_PORT',
    'ODX_STACK_REGISTRY_PORT',
    'ODX_STACK_REGISTRY_MANAGEMENT_PORT',
  ])
    ports[name] = await freePort();
  const suite = withStackEnv();
  const launcherEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    ODX_HOME: home,
    ODX_DIST_DIR: process.env['ODX_DIST_DIR'] ?? join(process.env['ODX_HOME'] ?? join(homedir(), '.cache', 'odx'), 'dist'),
    ODX_STACK_KAFKA_NODES: '3',
    ODX_STACK_PROBE_TIMEOUT_MS: '2000',
    ODX_STACK_STOP_TIMEOUT_MS: '10000',
  };
  for (const k of ['ODX_KAFKA_BROKERS', 'ODX_MONGO_URL', 'ODX_SCHEMA_REGISTRY_URL', 'ODX_KAFKA_SASL_USERNAME', 'ODX_KAFKA_SASL_PASSWORD'])
    delete launcherEnv[k];
  t.after(async () => {
    await stackDown({ parts: ['kafka', 'mongo'], wipe: true, quiet: true, env: launcherEnv }).catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  });
  const started = Date.now();
  const endpoints = await stackUp({ parts: ['kafka', 'mongo'], quiet: true, env: launcherEnv });
  const env: Record<string, string> = { ...endpointsEnv(endpoints), ODX_SCHEMA_REGISTRY_URL: suite['ODX_SCHEMA_REGISTRY_URL'] ?? '' };
  say(
    `chaos stack up in ${((Date.now() - started) / 1000).toFixed(1)} s: Kafka ${env['ODX_KAFKA_BROKERS']}, store ${env['ODX_MONGO_URL']}`,
  );
  return { env, launcherEnv };
}

/** SIGKILLs a part of the chaos stack (by its pid file); resolves once it is gone. */
async function killPart(stack: ChaosStack, part: 'kafka-2' | 'kafka-3' | 'mongo'): Promise<number> {
  const record = readPidRecord(loadStackConfig(stack.launcherEnv).paths.pidFile(part));
  if (!record) throw new Error(`${part} has no pid file`);
  process.kill(record.pid, 'SIGKILL');
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(record.pid, 0);
    } catch {
      return record.pid;
    }
    await sleep(100);
  }
  throw new Error(`${part} (pid ${record.pid}) survived SIGKILL for 10 s`);
}

/** Partitions of the system's topics with fewer in-sync replicas than replicas. */
async function underReplicated(rt: ServiceRuntime, prefix: string): Promise<number> {
  const topics = (await rt.cluster.listTopics()).filter((name) => name.startsWith(prefix));
  if (topics.length === 0) return 0;
  return (await rt.cluster.replicaStatus(topics)).filter((p) => p.isr.length < p.replicas.length).length;
}

/**
 * Polls `wrong` (what is still wrong, or undefined once recovered) every 500 ms: seconds until it recovered, or
 * null with the last thing still wrong after `withinMs`.
 */
async function secondsUntilRecovered(
  wrong: () => Promise<string | undefined>,
  withinMs: number,
): Promise<{ seconds: number | null; stillWrong?: string }> {
  const began = Date.now();
  let last = 'not checked yet';
  while (Date.now() - began < withinMs) {
    const now = await wrong().catch((err: unknown) => `the check failed: ${err instanceof Error ? err.message : String(err)}`);
    if (now === undefined) return { seconds: (Date.now() - began) / 1000 };
    last = now;
    await sleep(500);
  }
  return { seconds: null, stillWrong: last };
}

/** The services whose /readyz is not green, or undefined when every one is. */
async function notReady(sys: RunningSystem): Promise<string | undefined> {
  const down = (await sys.readiness()).filter((r) => r.status !== 200);
  const why = (r: { status: number; body: unknown }): string =>
    r.status === 0 ? String((r.body as { error?: string } | null)?.error ?? 'no answer') : `/readyz ${r.status}`;
  return down.length === 0 ? undefined : `not ready: ${down.map((r) => `${r.name} (${why(r)})`).join(', ')}`;
}

async function simFaults(base: string, body: unknown): Promise<void> {
  const res = await fetch(`${base}/sim/admin/faults`, {
    method: 'PATCH',
    headers: { ...SIM_ADMIN, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`PATCH ${base}/sim/admin/faults answered ${res.status}: ${await res.text()}`);
}

interface ProcessAnswer {
  process: { stage: string; steps: Record<string, { status: string }> };
}

/**
 * Places `count` orders in Odoo, `rate` per second, each created and confirmed (retried while Odoo does not answer:
 * the run's faults never include Odoo). Resolves with the Odoo ids of the confirmed orders.
 */
async function placePaced(
  shop: OdooShop,
  count: number,
  rate: number,
  tag: string,
): Promise<{ orderIds: number[]; confirmed: number; errors: number; lastError: string | undefined }> {
  const began = Date.now();
  const orderIds: number[] = [];
  let errors = 0;
  let lastError: string | undefined;
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const index = next++;
      if (index >= count) return;
      const due = began + (index * 1000) / rate;
      if (due > Date.now()) await sleep(due - Date.now());
      try {
        orderIds.push((await shop.placeOrder(index, tag)).odooId);
      } catch (err) {
        errors++;
        lastError = err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return { orderIds, confirmed: orderIds.length, errors, lastError };
}

/**
 * Cleanups run last registered first, whatever order the caller's runner uses (node:test runs `t.after` hooks in
 * the order they were added): the readers and the system stop while the cluster they use still runs, then the
 * cluster goes. A Kafka client left with its cluster gone reconnects forever and keeps its process alive.
 */
function lastInFirstOut(t: Cleanup): Cleanup {
  const fns: Array<() => Promise<void> | void> = [];
  t.after(async () => {
    for (const fn of fns.reverse()) await Promise.resolve(fn()).catch((err: unknown) => console.warn(`chaos cleanup: ${String(err)}`));
  });
  return { after: (fn) => void fns.push(fn) };
}

/** Runs the scenario on a fresh three-broker system; everything it started is stopped by `t`'s cleanup. */
export async function runChaos(outer: Cleanup, o: ChaosOptions): Promise<ChaosReport> {
  const t = lastInFirstOut(outer);
  const say = o.say ?? ((): void => undefined);
  const stack = await startChaosStack(t, say);
  const orchestrator: Record<string, string> = o.slaSeconds
    ? {
        ODX_ORCHESTRATOR_POLICY_DIR: policyDir(t, o.slaSeconds),
        ODX_ORCHESTRATOR_RETRY_DELAYS_MS: '5000,10000',
        ODX_ORCHESTRATOR_TIMER_SCAN_MS: '1000',
        ODX_ORCHESTRATOR_TIMER_SLOT_MS: '2000',
      }
    : {};
  const sys = await startSystem(
    t,
    {},
    { stack: stack.env, replicas: { 'wms-bridge': 2 }, env: { 'order-orchestrator': orchestrator }, without: o.without ?? [] },
  );
  say(`system ${sys.id} up on the three brokers (logs ${sys.logDir})`);
  const orchestratorUrl = url(sys.ports.orchestrator);
  const token = await mintToken({ secret: DEMO_JWT_SECRET, issuer: 'odx', audience: ORCHESTRATOR_AUDIENCE }, 'chaos-check', ['viewer']);
  const bearer = { authorization: `Bearer ${token}` };

  // A reader of the topics whose duplicates matter, on the chaos cluster, from the start.
  const rt = await createServiceRuntime({
    name: 'chaos-check',
    env: {
      ...process.env,
      ...stack.env,
      ODX_SERVICE_NAME: 'chaos-check',
      ODX_HTTP_PORT: '0',
      ODX_MONGO_DB: sys.database,
      ODX_LOG_LEVEL: 'error',
    },
  });
  rt.logger.silent = true;
  const readers: TopicCollector[] = [];
  t.after(async () => {
    for (const r of readers) await r.close().catch(() => undefined);
    await rt.shutdown('chaos check done');
  });
  const topics = { shipments: `${sys.prefix}odx.shipments.v1`, process: `${sys.prefix}odx.process.v1` };
  const shipmentEvents = await collectTopic(rt.cluster, rt.serde, topics.shipments, (r) => readers.push(r));
  const stageEvents = await collectTopic(rt.cluster, rt.serde, topics.process, (r) => readers.push(r));

  const store = { url: stack.env['ODX_MONGO_URL'] ?? '', database: sys.database };
  let levels = await waitForStockLevels(store, 120_000);
  for (let before = -1; levels !== before;) {
    before = levels;
    await sleep(2_000);
    levels = await waitForStockLevels(store, 0);
  }
  await waitForProductKinds(store, 120_000);

  // Stock for every order of the run (a long run would otherwise empty the simulator's shelves, and short orders
  // wait at allocation for their SLA): the poller publishes the counts, the orchestrator allocates from them.
  const shop = new OdooShop(url(sys.ports.odoo));
  await shop.load();
  const adjusted = await shop.topUpStock(100_000);
  await sleep(5_000);
  say(`orchestrator holds ${levels} stock levels; ${adjusted} products topped up to 100,000 in Odoo`);

  const started = Date.now();
  const at = (): number => (Date.now() - started) / 1000;
  const load = placePaced(shop, o.orders, o.rate, sys.id.toUpperCase());
  load.catch(() => undefined); // awaited below

  const faults: FaultRecord[] = [];
  const watchMs = o.recoveryWatchMs ?? 120_000;
  const record = async (fault: string, run: () => Promise<string>, wrong: () => Promise<string | undefined>): Promise<void> => {
    const startedAt = at();
    const detail = await run();
    const endedAt = at();
    const { seconds, stillWrong } = await secondsUntilRecovered(wrong, watchMs);
    const f: FaultRecord = {
      fault,
      startedAt,
      lastedSeconds: endedAt - startedAt,
      recoveredAfterSeconds: seconds,
      watchedSeconds: watchMs / 1000,
      detail,
    };
    if (stillWrong !== undefined) f.stillWrong = stillWrong;
    faults.push(f);
    say(`${endedAt.toFixed(0)} s  ${fault}: lasted ${(endedAt - startedAt).toFixed(1)} s, ${recoveryText(f)} (${detail})`);
    await sleep(o.gapMs);
  };

  await sleep(o.gapMs);
  await record(
    'broker kafka-2 killed (SIGKILL)',
    async () => {
      const pid = await killPart(stack, 'kafka-2');
      await sleep(o.brokerDownMs);
      const back = Date.now();
      await stackUp({ parts: ['kafka-2'], quiet: true, env: stack.launcherEnv });
      return `pid ${pid}; started again in ${((Date.now() - back) / 1000).toFixed(1)} s`;
    },
    async () => {
      const down = await notReady(sys);
      if (down !== undefined) return down;
      const behind = await underReplicated(rt, sys.prefix);
      return behind === 0 ? undefined : `${behind} partition(s) with a replica out of sync`;
    },
  );
  for (const name of o.services ?? sys.specs.filter((s) => !s.name.startsWith('sim-')).map((s) => s.name)) {
    // The fault ends when the process is started again (at once); recovery is until it, and every other service,
    // is ready: a killed consumer's partitions wait for its session to time out before the group rebalances.
    let restarted: Promise<number> = Promise.resolve(0);
    await record(
      `${name} killed (SIGKILL) and started again`,
      async () => {
        await sys.kill(name);
        restarted = sys.start(name, 120_000);
        restarted.catch(() => undefined); // awaited by the recovery check
        return 'a new process started at once';
      },
      async () => {
        await restarted;
        return notReady(sys);
      },
    );
  }
  await record(
    `store (FerretDB) killed (SIGKILL), down ${o.storeDownMs / 1000} s`,
    async () => {
      const pid = await killPart(stack, 'mongo');
      await sleep(o.storeDownMs);
      await stackUp({ parts: ['mongo'], quiet: true, env: stack.launcherEnv });
      return `pid ${pid}`;
    },
    () => notReady(sys),
  );
  const sims = [url(sys.ports.wms), url(sys.ports.tms)];
  await record(
    `WMS and TMS: 200-700 ms latency and 30 % 503 answers for ${o.simFaultMs / 1000} s`,
    async () => {
      for (const s of sims) await simFaults(s, { latency: { fixedMs: 200, jitterMs: 500 }, errors: { rate: 0.3, statuses: [503] } });
      await sleep(o.simFaultMs);
      for (const s of sims) await simFaults(s, { latency: { fixedMs: 0, jitterMs: 0 }, errors: { rate: 0 } });
      return 'both simulators';
    },
    () => notReady(sys),
  );

  const counts = await load;
  const orderIds = counts.orderIds.map(String);
  say(
    `load: ${counts.confirmed}/${o.orders} orders confirmed in Odoo in ${at().toFixed(0)} s, ${counts.errors} errors${counts.lastError ? ` (last: ${counts.lastError})` : ''}`,
  );

  // Until every order is delivered (the orchestrator's process of each), or the recovery time is over.
  const delivered = new Set<string>();
  let lastDeliveryAt = Date.now();
  const deadline = Date.now() + o.recoveryMs;
  let lastLine = 0;
  while (Date.now() < deadline && delivered.size < orderIds.length) {
    // 8 lookups at a time: one pass over 2,000 orders one by one took minutes on a saturated machine.
    await mapLimited(
      orderIds.filter((id) => !delivered.has(id)),
      8,
      async (orderId) => {
        const res = await fetch(`${orchestratorUrl}/v1/orders/${orderId}/process`, {
          headers: bearer,
          signal: AbortSignal.timeout(10_000),
        }).catch(() => undefined);
        const p = res?.status === 200 ? ((await res.json()) as ProcessAnswer).process : null;
        if (p?.steps['delivery']?.status === 'done') {
          delivered.add(orderId);
          lastDeliveryAt = Date.now();
        }
      },
    );
    if (Date.now() - lastLine > 20_000) {
      lastLine = Date.now();
      say(`${at().toFixed(0)} s: ${delivered.size}/${orderIds.length} delivered`);
    }
    if (delivered.size < orderIds.length) await sleep(3_000);
  }

  const wms = url(sys.ports.wms);
  const tms = url(sys.ports.tms);
  const wmsOrders = await listAll<WmsOrder>(wms, '/v1/outbound-orders');
  const liveBookings = (await listAll<TmsShipment>(tms, '/v1/shipments')).filter((s) => s.status !== 'voided');
  const pickings = await shop.pickingStates(orderIds.map(Number));
  const wmsPerOrder = countBy(wmsOrders.map((w) => orderOfRef(w.externalRef)));
  const odooDeliveries = orderIds.filter(
    (id) => (pickings.get(Number(id)) ?? []).filter((st) => st === 'done').length > (wmsPerOrder[id] ?? 0),
  );

  for (const [topic, seen] of [
    [topics.shipments, shipmentEvents],
    [topics.process, stageEvents],
  ] as const) {
    const end = [...(await rt.cluster.watermarks(topic)).values()].reduce((n, w) => n + Number(w.high), 0);
    const until = Date.now() + 60_000;
    while (seen.length < end && Date.now() < until) await sleep(200);
  }
  const idsPer = (events: CollectedMessage[], key: (e: CollectedMessage) => string): string[] => {
    const ids = new Map<string, Set<string>>();
    for (const e of events) {
      const k = key(e);
      ids.set(k, (ids.get(k) ?? new Set<string>()).add(e.headers['ce_id'] ?? ''));
    }
    return [...ids].filter(([, v]) => v.size > 1).map(([k]) => k);
  };
  const dlqTopics = (await rt.cluster.listTopics()).filter((n) => n.startsWith(sys.prefix) && n.endsWith('.dlq'));
  let deadLettered = 0;
  for (const topic of dlqTopics)
    for (const w of (await rt.cluster.watermarks(topic)).values()) deadLettered += Number(BigInt(w.high) - BigInt(w.low));

  return {
    orders: o.orders,
    confirmed: counts.confirmed,
    loadErrors: counts.errors,
    delivered: delivered.size,
    lost: orderIds.filter((id) => !delivered.has(id)),
    faults,
    duplicates: {
      wmsOrders: repeated(wmsOrders.map((w) => w.externalRef)),
      tmsBookings: repeated(liveBookings.map((s) => s.reference)),
      odooDeliveries,
      shipmentEvents: idsPer(
        shipmentEvents.filter((e) => e.eventType !== 'FulfillmentRequested'),
        (e) =>
          `${e.key ?? ''} ${e.eventType}${e.eventType === 'ShipmentMilestoneRecorded' ? ` ${payloadOf(e, 'ShipmentMilestoneRecorded').milestone.code}` : ''}`,
      ),
      stageEvents: idsPer(
        stageEvents.filter((e) => e.eventType === 'OrderStageChanged'),
        (e) => `${e.key ?? ''} #${payloadOf(e, 'OrderStageChanged').sequence}`,
      ),
    },
    deadLettered,
    wmsOrders: wmsOrders.length,
    tmsBookings: liveBookings.length,
    lastDeliverySeconds: (lastDeliveryAt - started) / 1000,
    logDir: sys.logDir,
  };
}

/** "recovered 1.2 s after its end", or "NOT recovered within 120 s (still: ...)". */
export function recoveryText(f: FaultRecord): string {
  return f.recoveredAfterSeconds === null
    ? `NOT recovered within ${f.watchedSeconds.toFixed(0)} s (still ${f.stillWrong ?? 'unknown'})`
    : `recovered ${f.recoveredAfterSeconds.toFixed(1)} s after its end`;
}

/**
 * What makes a run fail: a lost order, a duplicate effect or event, a fault not recovered from at all, and, when
 * `withinS` is given, one recovered from later than that.
 */
export function chaosFailures(report: ChaosReport, withinS?: number): string[] {
  const out: string[] = [];
  if (report.lost.length > 0) out.push(`${report.lost.length} order(s) not delivered: ${report.lost.slice(0, 10).join(', ')}`);
  for (const [what, list] of Object.entries(report.duplicates))
    if (list.length > 0) out.push(`duplicate ${what}: ${list.length} (${list.slice(0, 5).join(', ')})`);
  for (const f of report.faults) {
    if (f.recoveredAfterSeconds === null) out.push(`${f.fault}: ${recoveryText(f)}`);
    else if (withinS !== undefined && f.recoveredAfterSeconds > withinS)
      out.push(`${f.fault}: recovered after ${f.recoveredAfterSeconds.toFixed(1)} s (limit ${withinS} s)`);
  }
  return out;
}
