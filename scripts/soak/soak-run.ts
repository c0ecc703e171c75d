// One run of the restart soak: `npm start` (the demo scenario runs and its
// report is printed), then a day's worth of orders into the Odoo simulator at
// a steady rate while the accounting clerk invoices and pays each one once its
// delivery is done, then what the system looks like (orders per stage, every
// /readyz, a store round trip, rebalances and crashes per consumer group,
// memory), then SIGKILL to every process of the run.
import { runLoad, type LoadCounts } from '@odx/sim-odoo';
import { Accountant } from '../demo/accountant.js';
import { scrapeConsumerGroups, type ConsumerGroupCounts } from '../demo/consumer-group-metrics.js';
import { OdooShop } from '../demo/odoo-shop.js';
import { stageLine, type KpiResponse } from '../demo/report.js';
import { SERVICE_URLS } from '../demo/service-urls.js';
import { demoAuth } from '../demo/demo-auth.js';
import { PORTS, url } from '../demo/services.js';
import { DemoProcess, DemoStartError } from './demo-process.js';
import { readiness, storeRoundTrip, type Readiness, type StoreRoundTrip } from './health-probes.js';

export interface SoakRunOptions {
  run: number;
  logFile: string;
  /** Orders the demo scenario places (`npm start -- --orders`); it adds its 3 EDI orders. */
  demoOrders: number;
  loadOrders: number;
  /** Load orders created per second. */
  rate: number;
  /** From the start of the load until every load order must be paid. */
  timeoutMs: number;
  /** How long `npm start` may take to print "ODX is running". */
  startTimeoutMs: number;
  mongoUrl: string;
  signal: AbortSignal;
  say: (line: string) => void;
  /** Called with the launcher as soon as it is spawned, so an interrupt can kill its group. */
  onStarted: (p: DemoProcess) => void;
}

export interface Cohort {
  /** Orders the sink counts in the window (confirmed in it). */
  total: number;
  paid: number;
  byStage: Record<string, number>;
}

export interface UnpaidOrder {
  orderId: number;
  stage: string;
  pickings: string[];
  clerk: string;
}

export interface SoakRunResult {
  run: number;
  logFile: string;
  /** Why `npm start` did not get to "ODX is running"; the run stops there. */
  startFailure?: { message: string; logTail: string };
  startupSeconds: number | null;
  demo: { expected: number; cohort: Cohort | null; reportLines: string[]; scenarioCompleted: boolean };
  load: {
    requested: number;
    confirmed: number;
    generatorErrors: number;
    generatorFailure?: string;
    settledInOdoo: number;
    clerkFailures: { orderId: number; error: string }[];
    cohort: Cohort | null;
    /** From the first load order to the last one paid in the sink, or null when not all were. */
    allPaidAfterSeconds: number | null;
    timedOut: boolean;
  };
  unpaid: UnpaidOrder[];
  readiness: Readiness[];
  store: StoreRoundTrip | null;
  groups: ConsumerGroupCounts | null;
  /** Consumer lag (messages) of the services' groups at the end of the load, from the sink's KPIs. */
  lag: { group: string; total: number }[];
  memory: ReturnType<DemoProcess['memory']> | null;
  /** The launcher died during the run (it must keep running until killed). */
  launcherExit: string | null;
  wallSeconds: number;
}

const SIM_ODOO = url(PORTS.odoo);
const SINK = url(PORTS.analyticsSink);
const EDI_ORDERS = 3; // npm start's --edi-orders default

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function kpis(from: Date, to?: Date): Promise<KpiResponse> {
  const q = `from=${from.toISOString()}${to ? `&to=${to.toISOString()}` : ''}`;
  const res = await fetch(`${SINK}/v1/kpis?${q}`, { headers: demoAuth('viewer'), signal: AbortSignal.timeout(60_000) });
  if (!res.ok) throw new Error(`analytics-sink /v1/kpis answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  return (await res.json()) as KpiResponse;
}

function cohortOf(k: KpiResponse): Cohort {
  const byStage = Object.fromEntries(Object.entries(k.orders.byStage).filter(([, n]) => n > 0));
  return { total: k.orders.total, paid: k.orders.byStage['paid'] ?? 0, byStage };
}

/** The order's stage in the sink's lifecycle (its timeline), or why there is none. */
async function sinkStage(orderId: number): Promise<string> {
  try {
    const res = await fetch(`${SINK}/v1/orders/${orderId}/timeline`, { headers: demoAuth('viewer'), signal: AbortSignal.timeout(30_000) });
    if (res.status === 404) return 'not in sink';
    if (!res.ok) return `timeline HTTP ${res.status}`;
    const t = (await res.json()) as { lifecycle: { stage: string | null } };
    return t.lifecycle.stage ?? 'no stage';
  } catch (err) {
    return `timeline: ${err instanceof Error ? err.message : String(err)}`;
  }
}

async function pool<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(size, items.length)) }, worker));
  return out;
}

/** Lines of the launcher's report worth repeating: the demo's orders and consumer groups. */
function reportLines(output: string): string[] {
  const report = output.slice(output.lastIndexOf('KPIs for this run'));
  return report
    .split('\n')
    .filter((l) => /^\s+(orders|consumer groups)\s/.test(l))
    .map((l) => l.trim().replace(/\s{3,}/g, '   '));
}

export async function soakRun(o: SoakRunOptions): Promise<SoakRunResult> {
  const { say } = o;
  const t0 = Date.now();
  const runFrom = new Date(t0 - 1_000);
  const result: SoakRunResult = {
    run: o.run,
    logFile: o.logFile,
    startupSeconds: null,
    demo: { expected: o.demoOrders + EDI_ORDERS, cohort: null, reportLines: [], scenarioCompleted: false },
    load: {
      requested: o.loadOrders,
      confirmed: 0,
      generatorErrors: 0,
      settledInOdoo: 0,
      clerkFailures: [],
      cohort: null,
      allPaidAfterSeconds: null,
      timedOut: false,
    },
    unpaid: [],
    readiness: [],
    store: null,
    groups: null,
    lag: [],
    memory: null,
    launcherExit: null,
    wallSeconds: 0,
  };
  const proc = DemoProcess.start({ orders: o.demoOrders, logFile: o.logFile });
  o.onStarted(proc);
  say(`run ${o.run}: npm start (pid ${proc.pid}, its own process group), output in ${o.logFile}`);

  try {
    const output = await proc.waitUntilRunning(o.startTimeoutMs, o.signal);
    result.startupSeconds = (Date.now() - t0) / 1000;
    result.demo.reportLines = reportLines(output);
    result.demo.scenarioCompleted = !output.includes('not every order was delivered and paid within the time limit');
    say(
      `run ${o.run}: ODX is running after ${result.startupSeconds.toFixed(0)} s; the demo's report: ${result.demo.reportLines.join(' | ') || '(no report lines found)'}`,
    );
  } catch (err) {
    if (!(err instanceof DemoStartError)) throw err;
    result.startFailure = { message: err.message, logTail: err.logTail };
    result.memory = proc.memory();
    result.wallSeconds = (Date.now() - t0) / 1000;
    return result;
  }

  // The load: orders created and confirmed in Odoo only; ODX ships them, the clerk invoices and pays.
  const loadFrom = new Date(Math.floor(Date.now() / 1000) * 1000);
  // Written by the load's callbacks: the counts object runLoad keeps filling (order ids included).
  const gen: { counts: LoadCounts | null; done: boolean } = { counts: null, done: false };
  const load = runLoad({
    url: SIM_ODOO,
    db: 'odx',
    login: 'admin',
    password: 'admin',
    adminToken: 'sim-admin',
    orders: o.loadOrders,
    rate: o.rate,
    concurrency: 8,
    sameSecond: 0,
    latePercent: 0,
    lateSeconds: 0,
    cancelRatio: 0,
    validateRatio: 0,
    invoiceRatio: 0,
    payRatio: 0,
    seed: 1000 + o.run,
    onProgress: (c) => void (gen.counts = c),
  })
    .then(
      (c) => {
        gen.counts = c;
      },
      (err: unknown) => {
        result.load.generatorFailure = err instanceof Error ? err.message : String(err);
      },
    )
    .finally(() => {
      gen.done = true;
    });

  const shop = new OdooShop(SIM_ODOO);
  const accountant = new Accountant(shop, { concurrency: 4 });
  const deadline = loadFrom.getTime() + o.timeoutMs;
  let lastKpiAt = 0;
  let lastLine = '';
  let lastSaidAt = 0;
  for (;;) {
    await sleep(3_000);
    o.signal.throwIfAborted();
    proc.sampleMemory();
    if (proc.exited) {
      result.launcherExit = proc.exited;
      say(`run ${o.run}: npm start ${proc.exited} during the load`);
      break;
    }
    const counts = gen.counts;
    const ids = counts ? [...counts.orderIds] : [];
    try {
      const round = await accountant.settleDelivered(ids);
      for (const f of round.failed)
        say(
          `run ${o.run}: clerk: order ${f.orderId} delivered, invoicing failed (attempt ${f.attempts}${f.gaveUp ? ', giving up' : ''}): ${f.error}`,
        );
    } catch (err) {
      say(`run ${o.run}: clerk: Odoo did not answer: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (Date.now() - lastKpiAt < 10_000 && Date.now() < deadline) continue;
    lastKpiAt = Date.now();
    let cohort: Cohort | null = null;
    try {
      cohort = cohortOf(await kpis(loadFrom));
    } catch (err) {
      say(`run ${o.run}: analytics-sink: ${err instanceof Error ? err.message : String(err)}`);
    }
    const created = counts?.created ?? 0;
    const line = `load ${created}/${o.loadOrders} created${gen.done ? '' : ' (generating)'} · clerk settled ${accountant.settledCount} · sink ${cohort ? `${cohort.total} orders: ${stageLine(cohort.byStage)}` : '?'}`;
    if (line !== lastLine && Date.now() - lastSaidAt >= 20_000) {
      say(`run ${o.run}: +${((Date.now() - loadFrom.getTime()) / 1000).toFixed(0).padStart(4)} s  ${line}`);
      lastLine = line;
      lastSaidAt = Date.now();
    }
    const confirmed = counts?.confirmed ?? 0;
    if (gen.done && cohort && confirmed > 0 && cohort.paid >= confirmed && cohort.total >= confirmed) {
      result.load.allPaidAfterSeconds = (Date.now() - loadFrom.getTime()) / 1000;
      break;
    }
    if (gen.done && result.load.generatorFailure && confirmed === 0) break;
    if (Date.now() > deadline) {
      result.load.timedOut = true;
      say(`run ${o.run}: not every load order was paid ${Math.round(o.timeoutMs / 60_000)} min after the load began`);
      break;
    }
  }
  await Promise.race([load, sleep(1_000)]);
  const counts = gen.counts;
  result.load.confirmed = counts?.confirmed ?? 0;
  result.load.generatorErrors = counts?.errors ?? 0;
  result.load.settledInOdoo = accountant.settledCount;
  result.load.clerkFailures = [...accountant.failures].map(([orderId, error]) => ({ orderId, error }));

  // What the system looks like now.
  say(`run ${o.run}: collecting: KPIs, /readyz, store round trip, /metrics, memory`);
  const [demoK, loadK] = await Promise.all([kpis(runFrom, loadFrom).catch(() => null), kpis(loadFrom).catch(() => null)]);
  result.demo.cohort = demoK ? cohortOf(demoK) : null;
  result.load.cohort = loadK ? cohortOf(loadK) : null;
  result.readiness = await readiness(SERVICE_URLS);
  result.store = await storeRoundTrip(o.mongoUrl);
  result.groups = await scrapeConsumerGroups(SERVICE_URLS);
  const ours = new Set(result.groups.rebalances.keys());
  result.lag = (loadK?.consumerLag ?? []).filter((g) => ours.has(g.group));
  proc.sampleMemory();
  result.memory = proc.memory();
  result.launcherExit = proc.exited;

  const loadPaid = result.load.cohort?.paid ?? 0;
  if (counts && (loadPaid < counts.confirmed || (result.load.cohort?.total ?? 0) !== counts.confirmed)) {
    say(`run ${o.run}: looking up every load order's stage in the sink and its pickings in Odoo (evidence)`);
    const ids = [...counts.orderIds];
    const stages = await pool(ids, 6, sinkStage);
    const pickings = await shop.pickingStates(ids).catch(() => new Map<number, string[]>());
    ids.forEach((orderId, i) => {
      if (stages[i] === 'paid') return;
      result.unpaid.push({
        orderId,
        stage: stages[i]!,
        pickings: pickings.get(orderId) ?? [],
        clerk: accountant.isSettled(orderId)
          ? 'settled in Odoo'
          : accountant.failures.has(orderId)
            ? `gave up: ${accountant.failures.get(orderId)}`
            : 'not settled',
      });
    });
  }
  result.wallSeconds = (Date.now() - t0) / 1000;
  return result;
}
