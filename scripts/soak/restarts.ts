// `npm run soak:restarts`: does ODX hold at a day's volume and through hard
// restarts, on the same stack? Each run starts `npm start` (its own process
// group; the demo scenario runs and reports), puts --orders orders into the
// Odoo simulator at --rate per second and invoices and pays each one once ODX
// has shipped it, checks every /readyz, a store round trip, rebalances and
// crashes per consumer group and memory, then kills the whole run with SIGKILL
// and starts the next one on what it left behind (Kafka offsets and group
// sessions, the services' databases, the Odoo simulator's data file).
// Prints a table of the runs and the machine; exits 1 when a run left orders
// unpaid, a /readyz was not 200 or the store did not answer. The stack keeps
// running (`npm start` brings it up when it is down).
//
//   npm run soak:restarts -- [--runs 3] [--orders 500] [--rate 30] [--demo-orders 12] [--timeout-minutes 15]
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseCliArgs } from '@odx/runtime/cli';
import { PORTS } from '../demo/services.js';
import { loadStackConfig } from '../stack/index.js';
import { busyPorts, type DemoProcess } from './demo-process.js';
import { soakRun, type SoakRunResult } from './soak-run.js';
import { formatRun, formatTable, machineLine, verdict } from './soak-table.js';

const { values } = parseCliArgs(
  'soak:restarts',
  "restart soak: npm start runs, each followed by orders at a rate, paid once delivered, then SIGKILL to the run's process group",
  {
    options: {
      runs: { type: 'string', default: '3' },
      orders: { type: 'string', default: '500' },
      rate: { type: 'string', default: '30' },
      'demo-orders': { type: 'string', default: '12' },
      'timeout-minutes': { type: 'string', default: '15' },
      'start-timeout-minutes': { type: 'string', default: '15' },
    },
    strict: true,
  },
);

function option(name: keyof typeof values, min: number, max: number, integer = true): number {
  const n = Number(values[name]);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    process.stderr.write(
      `soak:restarts: --${name} must be a ${integer ? 'whole ' : ''}number from ${min} to ${max}, got "${String(values[name])}"\n`,
    );
    process.exit(2);
  }
  return n;
}
const RUNS = option('runs', 1, 100);
const ORDERS = option('orders', 1, 100_000);
const RATE = option('rate', 0.1, 1_000, false);
const DEMO_ORDERS = option('demo-orders', 1, 500);
const TIMEOUT_MS = option('timeout-minutes', 0.5, 24 * 60, false) * 60_000;
const START_TIMEOUT_MS = option('start-timeout-minutes', 1, 120, false) * 60_000;

const say = (line = ''): void => void process.stdout.write(`${line}\n`);
const ALL_PORTS = Object.values(PORTS);
const logDir = join(homedir(), '.cache', 'odx', 'soak');
mkdirSync(logDir, { recursive: true });
const stack = loadStackConfig();
const mongoUrl = stack.external.mongo ?? `mongodb://127.0.0.1:${stack.ports.mongo}/`;

const abort = new AbortController();
const results: SoakRunResult[] = [];
let current: DemoProcess | null = null;
let stopping: Promise<void> | null = null;

/** Kills the run in progress (its whole process group) and waits until its ports are free. Idempotent. */
function stopCurrent(): Promise<void> {
  const proc = current;
  if (!proc) return Promise.resolve();
  stopping ??= proc.kill(ALL_PORTS).finally(() => {
    if (current === proc) current = null;
    stopping = null;
  });
  return stopping;
}

const onSignal = (signal: NodeJS.Signals): void => {
  say(`\nsoak:restarts: ${signal}: killing the run in progress (process group ${current?.pid ?? '-'}) ...`);
  abort.abort(new Error(signal));
  void stopCurrent().then(
    () => {
      say('stopped; nothing of the soak is left running.');
      if (results.length > 0) printSummary(`interrupted by ${signal} after ${results.length} of ${RUNS} run(s)`);
      process.exit(130);
    },
    (err: unknown) => {
      say(`could not stop everything: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

say(
  `ODX restart soak: ${RUNS} run(s) of npm start (--orders ${DEMO_ORDERS}), each followed by ${ORDERS} orders at ${RATE}/s, paid once delivered (timeout ${TIMEOUT_MS / 60_000} min), then SIGKILL to the run's process group`,
);
say(machineLine());
say(`logs in ${logDir}; service logs in ${join(stack.paths.home, 'demo', 'logs')}; store ${mongoUrl}`);

const busy = await busyPorts(ALL_PORTS);
if (busy.length > 0) {
  say(
    `ports ${busy.join(', ')} are in use: another npm start (or a simulator) is running. Stop it first; the soak does not kill what it did not start.`,
  );
  process.exit(2);
}

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
let failure: unknown = null;
try {
  for (let run = 1; run <= RUNS; run++) {
    const logFile = join(logDir, `${stamp}-run${run}.log`);
    say('');
    const result = await soakRun({
      run,
      logFile,
      demoOrders: DEMO_ORDERS,
      loadOrders: ORDERS,
      rate: RATE,
      timeoutMs: TIMEOUT_MS,
      startTimeoutMs: START_TIMEOUT_MS,
      mongoUrl,
      signal: abort.signal,
      say,
      onStarted: (p) => void (current = p),
    });
    const proc = current as DemoProcess | null;
    const killAt = Date.now();
    say(`run ${run}: SIGKILL to process group ${proc?.pid ?? '-'}; waiting until ports ${ALL_PORTS.join(', ')} are free`);
    await stopCurrent();
    if (proc) result.wallSeconds = (Date.now() - proc.startedAt) / 1000;
    say(
      `run ${run}: stopped in ${((Date.now() - killAt) / 1000).toFixed(1)} s; ${verdict(result).length === 0 ? 'ok' : `FAILED: ${verdict(result).join('; ')}`}`,
    );
    results.push(result);
    // Printed now as well as in the summary: a soak cut short still shows what each finished run left behind.
    for (const line of formatRun(result)) say(line);
    if (result.startFailure) {
      say(`run ${run}: npm start did not come up, so the soak stops here (its output: ${logFile})`);
      break;
    }
  }
} catch (err) {
  failure = err;
  say(`\nsoak:restarts failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
} finally {
  await stopCurrent().catch((err: unknown) =>
    say(`could not stop the run in progress: ${err instanceof Error ? err.message : String(err)}`),
  );
}

const failed = results.filter((r) => verdict(r).length > 0);
const ok = failure === null && failed.length === 0 && results.length === RUNS;
printSummary(
  ok
    ? `soak passed: ${RUNS} run(s), every order paid, every /readyz 200, the store answered`
    : `soak FAILED: ${failure ? 'the soak itself failed; ' : ''}${failed.length} of ${results.length} run(s) failed${results.length < RUNS ? `, ${RUNS - results.length} not run` : ''}`,
);
process.exit(ok ? 0 : 1);

function printSummary(conclusion: string): void {
  say('\nrestart soak: one row per run');
  for (const line of formatTable(results)) say(line);
  say('');
  say(machineLine());
  say(conclusion);
}
