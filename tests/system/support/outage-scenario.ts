// The lost-webhook outage of issue 12: the Odoo, WMS and TMS simulators at
// their default webhook retry policy (5 attempts, 1 s to 60 s back-off, then
// given up), the services and the order orchestrator, each its own process.
// Orders are created in Odoo while wms-bridge and tms-bridge are killed with
// SIGKILL and kept down long enough for the simulators to give up on their
// webhooks, then started again. Afterwards: is every order delivered, or named
// by an open case where the WMS or TMS never did the work; is any order stuck
// without anyone knowing; did anything happen twice?
// Used by tests/system/orchestrated-outage.test.ts (short) and `npm run soak:outage` (full size).
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectTopic, createServiceRuntime, mintToken, type CollectedMessage, type TopicCollector } from '@odx/runtime';
import { payloadOf } from '@odx/runtime/testing';
import { runLoad, type LoadCounts } from '@odx/sim-odoo';
import { DEMO_JWT_SECRET, ORCHESTRATOR_AUDIENCE } from '../../../scripts/demo/services.js';
import { waitForProductKinds, waitForStockLevels } from '../../../scripts/demo/stock-levels.js';
import { REPO_ROOT } from '../../../scripts/repo-root.js';
import { countBy, givenUp, listAll, metric, orderOfRef, repeated, sleep, type TmsShipment, type WmsOrder } from './system-checks.js';
import { startSystem, url, type Cleanup, type RunningSystem } from './system-kit.js';

export interface OutageOptions {
  orders: number;
  /** Orders created per second. */
  rate: number;
  /** How long both bridges stay down. */
  downMs: number;
  /** The bridges are killed once the TMS holds this many bookings (so orders are in flight at every stage), or 3 minutes after the first order. */
  killAfterBookings: number;
  /** How long after the restart every order must be delivered or named by an open case. */
  recoveryMs: number;
  /** SLA of every step from credit to delivery (infra/orchestrator/sla.yaml's shape, in a policy folder of the run); invoice and payment keep long ones: nothing is invoiced here. */
  slaSeconds: number;
  /** ODX_ORCHESTRATOR_RETRY_DELAYS_MS. @default the service's (60 s, 5 min, 15 min) */
  retryDelaysMs?: number[];
  /** ODX_ORCHESTRATOR_TIMER_SCAN_MS and _SLOT_MS. @default the service's */
  timers?: { scanMs: number; slotMs: number };
  /** @default 42 */
  seed?: number;
  /** Progress lines. */
  say?: (line: string) => void;
}

/** Where one order ended, as its process, the exception desk and the outside systems tell it. */
export interface OrderOutcome {
  orderId: string;
  stage: string | null;
  /** The last error of the step the order stands at. */
  lastError: string | null;
  delivered: boolean;
  /** Steps of the order's unresolved cases. */
  openCases: string[];
  /** The WMS shipped every one of its WMS orders and the TMS delivered every booking (and it has both). */
  externalDone: boolean;
  /** WMS and TMS statuses, for a reader. */
  wms: string[];
  tms: string[];
}

export interface OutageReport {
  orders: number;
  load: Omit<LoadCounts, 'orderIds'>;
  /** Seconds from the first order to the kill; WMS orders and TMS bookings (by status) at the kill. */
  killedAfterSeconds: number;
  atKill: { wms: Record<string, number>; tms: Record<string, number> };
  downSeconds: number;
  /** Seconds until both bridges were ready again. */
  restartSeconds: number;
  /** Webhook deliveries the simulators gave up on (all attempts failed). */
  webhooksGivenUp: { wms: number; tms: number };
  /** Seconds after the restart (the bridges' start, not their readiness) from which on every order was delivered or named by an open case; null if not so within recoveryMs. */
  settledAfterSeconds: number | null;
  /** Seconds after the restart until the last order was delivered. */
  lastDeliveryAfterSeconds: number;
  delivered: number;
  /** Not delivered, named by an open case, and the WMS/TMS never did the work. */
  withCase: OrderOutcome[];
  /** Not delivered and no open case: stuck without anyone knowing. */
  stuck: OrderOutcome[];
  /** An open case although the order is delivered or the WMS and TMS did all the work. */
  needlessCases: OrderOutcome[];
  cases: { opened: number; resolved: number; openByStep: Record<string, number> };
  duplicates: {
    /** WMS external references held by more than one WMS order. */
    wmsOrders: string[];
    /** TMS references booked more than once (voided bookings excluded). */
    tmsBookings: string[];
    /** Shipment events (shipment + type) published under more than one event id. */
    shipmentEvents: string[];
    /** Stage changes (order + sequence) published under more than one event id. */
    stageEvents: string[];
  };
  wmsOrders: number;
  tmsBookings: number;
  /** Orchestrator: timers fired, catch-up requests by bridge and outcome; bridges after their restart: events catch-up published. */
  recovery: { timersFired: number; catchUpRequests: Record<string, number>; catchUpEventsPublished: { wms: number; tms: number } };
  logDir: string;
}

const BRIDGES = ['wms-bridge', 'tms-bridge'] as const;
/** While every order is delivered or named by a case, this long without a delivery ends the wait. */
const QUIET_MS = 30_000;
const FULFILMENT_STEPS = ['credit', 'allocation', 'release', 'pick-pack', 'carrier-booking', 'dispatch', 'delivery'];

/** The orchestrator's policy folder for the run: the shipped credit and allocation policies, short SLAs. */
export function policyDir(t: Cleanup, slaSeconds: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'odx-outage-policy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const f of ['credit.yaml', 'allocation.yaml']) copyFileSync(join(REPO_ROOT, 'infra', 'orchestrator', f), join(dir, f));
  const steps = FULFILMENT_STEPS.map((s) => `  ${s}:\n    default: ${slaSeconds}s\n`).join('');
  writeFileSync(join(dir, 'sla.yaml'), `steps:\n${steps}  invoice:\n    default: 30d\n  payment:\n    default: 45d\n`);
  return dir;
}

/** The system (the orchestrator releasing to the WMS, as `npm start` runs it) with the simulators at their default webhook retry policy and the run's policy folder. */
export async function startOrchestratedSystem(
  t: Cleanup,
  o: Pick<OutageOptions, 'slaSeconds' | 'retryDelaysMs' | 'timers'>,
): Promise<{ sys: RunningSystem; orchestratorUrl: string; token: string }> {
  const sys = await startSystem(
    t,
    {},
    {
      env: {
        'sim-wms': { DEMO_SIM_WEBHOOK_RETRY: 'default' },
        'sim-tms': { DEMO_SIM_WEBHOOK_RETRY: 'default' },
        'order-orchestrator': {
          ODX_ORCHESTRATOR_POLICY_DIR: policyDir(t, o.slaSeconds),
          ...(o.retryDelaysMs ? { ODX_ORCHESTRATOR_RETRY_DELAYS_MS: o.retryDelaysMs.join(',') } : {}),
          ...(o.timers
            ? { ODX_ORCHESTRATOR_TIMER_SCAN_MS: String(o.timers.scanMs), ODX_ORCHESTRATOR_TIMER_SLOT_MS: String(o.timers.slotMs) }
            : {}),
        },
      },
    },
  );
  const token = await mintToken({ secret: DEMO_JWT_SECRET, issuer: 'odx', audience: ORCHESTRATOR_AUDIENCE }, 'outage-check', ['viewer']);
  return { sys, orchestratorUrl: url(sys.ports.orchestrator), token };
}

interface ProcessAnswer {
  process: { stage: string; steps: Record<string, { status: string; lastError: string | null }> };
}
interface CaseAnswer {
  cases: Array<{ orderId: string; step: string; status: string }>;
}

/** Runs the scenario on a fresh system; everything it started is stopped by `t`'s cleanup. */
export async function runOutage(t: Cleanup, o: OutageOptions): Promise<OutageReport> {
  const say = o.say ?? ((): void => undefined);
  const { sys, orchestratorUrl, token } = await startOrchestratedSystem(t, o);
  const bearer = { authorization: `Bearer ${token}` };
  const wms = url(sys.ports.wms);
  const tms = url(sys.ports.tms);
  say(`system ${sys.id} up (logs ${sys.logDir}); orchestrator ${orchestratorUrl}`);

  // A reader of the topics whose duplicates matter, from the start.
  const rt = await createServiceRuntime({
    name: 'outage-check',
    env: { ...process.env, ODX_SERVICE_NAME: 'outage-check', ODX_HTTP_PORT: '0', ODX_MONGO_DB: sys.database, ODX_LOG_LEVEL: 'error' },
  });
  rt.logger.silent = true;
  const readers: TopicCollector[] = [];
  t.after(async () => {
    for (const r of readers) await r.close().catch(() => undefined);
    await rt.shutdown('outage check done');
  });
  const topics = { shipments: `${sys.prefix}odx.shipments.v1`, process: `${sys.prefix}odx.process.v1` };
  const shipmentEvents = await collectTopic(rt.cluster, rt.serde, topics.shipments, (r) => readers.push(r));
  const stageEvents = await collectTopic(rt.cluster, rt.serde, topics.process, (r) => readers.push(r));

  // As the demo does: orders placed before the orchestrator has heard any stock level would wait at allocation.
  // The poller publishes the levels in pages: wait until their number stops growing.
  const store = { url: process.env['ODX_MONGO_URL'] ?? 'mongodb://127.0.0.1:27017/', database: sys.database };
  let levels = await waitForStockLevels(store, 120_000);
  for (let before = -1; levels !== before;) {
    before = levels;
    await sleep(2_000);
    levels = await waitForStockLevels(store, 0);
  }
  // The load generator sells consumables too: their lines need the product kinds (no stock), or they wait at allocation.
  const kinds = await waitForProductKinds(store, 120_000);
  say(`orchestrator holds ${levels} stock levels and ${kinds} product kinds`);

  const started = Date.now();
  const load = runLoad({
    url: url(sys.ports.odoo),
    db: 'odx',
    login: 'admin',
    password: 'admin',
    adminToken: 'sim-admin',
    orders: o.orders,
    rate: o.rate,
    concurrency: 8,
    sameSecond: 0,
    latePercent: 0,
    lateSeconds: 0,
    cancelRatio: 0,
    validateRatio: 0,
    invoiceRatio: 0,
    payRatio: 0,
    seed: o.seed ?? 42,
  });
  load.catch(() => undefined); // awaited below

  // Kill once orders are at every stage: some booked in the TMS, others in the WMS, others not released yet.
  let bookings = 0;
  while (bookings < o.killAfterBookings && Date.now() < started + 180_000) {
    await sleep(500);
    bookings = (await listAll<TmsShipment>(tms, '/v1/shipments').catch(() => [])).length;
  }
  for (const b of BRIDGES) await sys.kill(b);
  const killedAt = Date.now();
  const atKill = {
    wms: countBy((await listAll<WmsOrder>(wms, '/v1/outbound-orders')).map((x) => x.status)),
    tms: countBy((await listAll<TmsShipment>(tms, '/v1/shipments')).map((x) => x.status)),
  };
  say(
    `bridges killed with SIGKILL ${((killedAt - started) / 1000).toFixed(1)} s after the first order; WMS ${JSON.stringify(atKill.wms)}, TMS ${JSON.stringify(atKill.tms)}`,
  );

  await sleep(Math.max(0, killedAt + o.downMs - Date.now()));
  const restartAt = Date.now();
  await Promise.all(BRIDGES.map((b) => sys.start(b, 120_000)));
  const restartedAt = Date.now();
  say(`bridges down ${((restartAt - killedAt) / 1000).toFixed(0)} s, ready again after ${((restartedAt - restartAt) / 1000).toFixed(1)} s`);
  const counts = await load;
  const orderIds = counts.orderIds.map(String);
  say(`load: ${counts.confirmed}/${o.orders} orders confirmed in Odoo, ${counts.errors} errors`);

  // Until every order is delivered, or named by an open case, or the recovery time is over.
  const outcomes = new Map<string, OrderOutcome>();
  const read = async (): Promise<void> => {
    const cases = (await fetch(`${orchestratorUrl}/v1/cases?status=unresolved&limit=1000`, { headers: bearer }).then((r) =>
      r.json(),
    )) as CaseAnswer;
    const open = new Map<string, string[]>();
    for (const c of cases.cases) open.set(c.orderId, [...(open.get(c.orderId) ?? []), c.step]);
    for (const orderId of orderIds) {
      if (outcomes.get(orderId)?.delivered) continue;
      const res = await fetch(`${orchestratorUrl}/v1/orders/${orderId}/process`, { headers: bearer });
      const p = res.status === 200 ? ((await res.json()) as ProcessAnswer).process : null;
      outcomes.set(orderId, {
        orderId,
        stage: p?.stage ?? null,
        lastError: p?.steps[p.stage]?.lastError ?? null,
        delivered: p?.steps['delivery']?.status === 'done',
        openCases: open.get(orderId) ?? [],
        externalDone: false,
        wms: [],
        tms: [],
      });
    }
    // Delivered orders are not read again, but their cases are: one opened while the order was late resolves after it.
    for (const x of outcomes.values()) x.openCases = open.get(x.orderId) ?? [];
  };
  const settled = (): boolean => [...outcomes.values()].every((x) => x.delivered || x.openCases.length > 0);
  // settledAt: since when every order has been delivered or named by an open case (null while not);
  // the loop ends when all are delivered, or nothing more was delivered for QUIET_MS while settled.
  let settledAt: number | null = null;
  let lastDeliveryAt = restartAt;
  let deliveredBefore = 0;
  let lastLine = 0;
  while (Date.now() < restartAt + o.recoveryMs) {
    await read();
    const done = [...outcomes.values()];
    const deliveredNow = done.filter((x) => x.delivered).length;
    if (deliveredNow > deliveredBefore) lastDeliveryAt = Date.now();
    deliveredBefore = deliveredNow;
    settledAt = settled() ? (settledAt ?? Date.now()) : null;
    if (Date.now() - lastLine > 30_000) {
      lastLine = Date.now();
      say(
        `${((Date.now() - restartAt) / 1000).toFixed(0)} s after the restart: ${done.filter((x) => x.delivered).length}/${orderIds.length} delivered, ${done.filter((x) => !x.delivered && x.openCases.length > 0).length} with an open case; stages ${JSON.stringify(countBy(done.filter((x) => !x.delivered).map((x) => x.stage ?? 'unknown')))}`,
      );
    }
    if (settledAt !== null && (deliveredNow === orderIds.length || Date.now() - lastDeliveryAt > QUIET_MS)) break;
    await sleep(3_000);
  }
  await read();
  if (!settled()) settledAt = null;

  // The outside systems' records: duplicates, and whether an order without delivery was in fact done out there.
  const wmsOrders = await listAll<WmsOrder>(wms, '/v1/outbound-orders');
  const tmsShipments = await listAll<TmsShipment>(tms, '/v1/shipments');
  for (const x of outcomes.values()) {
    x.wms = wmsOrders.filter((w) => orderOfRef(w.externalRef) === x.orderId).map((w) => w.status);
    x.tms = tmsShipments.filter((s) => s.orderRef === x.orderId && s.status !== 'voided').map((s) => s.status);
    x.externalDone = x.wms.length > 0 && x.tms.length > 0 && x.wms.every((s) => s === 'shipped') && x.tms.every((s) => s === 'delivered');
  }
  const all = [...outcomes.values()];

  // Every published event read back: the topics' ends, then the readers caught up to them.
  for (const [topic, seen] of [
    [topics.shipments, shipmentEvents],
    [topics.process, stageEvents],
  ] as const) {
    const end = [...(await rt.cluster.watermarks(topic)).values()].reduce((n, w) => n + Number(w.high), 0);
    const deadline = Date.now() + 60_000;
    while (seen.length < end && Date.now() < deadline) await sleep(200);
  }
  const idsPer = (events: CollectedMessage[], key: (e: CollectedMessage) => string): string[] => {
    const ids = new Map<string, Set<string>>();
    for (const e of events) {
      const k = key(e);
      ids.set(k, (ids.get(k) ?? new Set<string>()).add(e.headers['ce_id'] ?? ''));
    }
    return [...ids].filter(([, v]) => v.size > 1).map(([k]) => k);
  };

  const allCases = (await fetch(`${orchestratorUrl}/v1/cases?limit=1000`, { headers: bearer }).then((r) => r.json())) as CaseAnswer;
  const liveBookings = tmsShipments.filter((s) => s.status !== 'voided');
  const { orderIds: _placed, ...loadCounts } = counts;
  void _placed;
  const report: OutageReport = {
    orders: orderIds.length,
    load: loadCounts,
    killedAfterSeconds: (killedAt - started) / 1000,
    atKill,
    downSeconds: (restartAt - killedAt) / 1000,
    restartSeconds: (restartedAt - restartAt) / 1000,
    webhooksGivenUp: { wms: await givenUp(wms), tms: await givenUp(tms) },
    settledAfterSeconds: settledAt === null ? null : (settledAt - restartAt) / 1000,
    lastDeliveryAfterSeconds: (lastDeliveryAt - restartAt) / 1000,
    delivered: all.filter((x) => x.delivered).length,
    withCase: all.filter((x) => !x.delivered && x.openCases.length > 0 && !x.externalDone),
    stuck: all.filter((x) => !x.delivered && x.openCases.length === 0),
    needlessCases: all.filter((x) => x.openCases.length > 0 && (x.delivered || x.externalDone)),
    cases: {
      opened: allCases.cases.length,
      resolved: allCases.cases.filter((c) => c.status === 'resolved').length,
      openByStep: countBy(allCases.cases.filter((c) => c.status !== 'resolved').map((c) => c.step)),
    },
    duplicates: {
      wmsOrders: repeated(wmsOrders.map((w) => w.externalRef)),
      tmsBookings: repeated(liveBookings.map((s) => s.reference)),
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
    wmsOrders: wmsOrders.length,
    tmsBookings: liveBookings.length,
    recovery: {
      timersFired: (await metric(orchestratorUrl, 'odx_orchestrator_timers_fired_total'))[''] ?? 0,
      catchUpRequests: await metric(orchestratorUrl, 'odx_orchestrator_catchup_requests_total', 'outcome'),
      catchUpEventsPublished: {
        wms: (await metric(url(sys.ports.wmsBridge), 'odx_catchup_events_published_total'))[''] ?? 0,
        tms: (await metric(url(sys.ports.tmsBridge), 'odx_catchup_events_published_total'))[''] ?? 0,
      },
    },
    logDir: sys.logDir,
  };
  return report;
}
