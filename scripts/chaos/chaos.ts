// `npm run chaos`: the whole system on a three-broker Kafka cluster and a
// store of its own (started by the stack launcher in a temporary home, with
// replication factor 3 and min.insync.replicas 2), two wms-bridge instances in
// one consumer group, --orders orders created in Odoo at --rate per second,
// and one fault after the other: a broker SIGKILLed (down --broker-down-s),
// each service SIGKILLed in turn, the store SIGKILLed (down --store-down-s),
// WMS and TMS latency plus 503 bursts (--sim-fault-s). Then the invariant
// checker (tests/system/support/chaos-scenario.ts): every order delivered
// once, no duplicate effect in the WMS, TMS or Odoo, no business event under
// two ids, and every fault recovered from within --recover-within-s of its end.
// Prints the figures and the machine; exits 1 on any loss, duplicate or slow
// recovery. The suite's stack must be up (its registry serves the schemas);
// nothing of the run is left behind.
//
//   npm run chaos -- [--orders 2000] [--rate 1] [--broker-down-s 20] [--store-down-s 30]
//                    [--sim-fault-s 30] [--gap-s 10] [--recovery-minutes 10] [--recover-within-s 30]
import { parseCliArgs } from '@odx/runtime/cli';
import { chaosFailures, recoveryText, runChaos, type ChaosReport } from '../../tests/system/support/chaos-scenario.js';
import { machineLine } from '../soak/soak-table.js';

const { values } = parseCliArgs(
  'chaos',
  'chaos on a three-broker cluster: a broker, each service and the store killed, WMS/TMS slow and failing, while orders flow; nothing lost or done twice',
  {
    options: {
      orders: { type: 'string', default: '2000' },
      rate: { type: 'string', default: '1' },
      'broker-down-s': { type: 'string', default: '20' },
      'store-down-s': { type: 'string', default: '30' },
      'sim-fault-s': { type: 'string', default: '30' },
      'gap-s': { type: 'string', default: '10' },
      'recovery-minutes': { type: 'string', default: '10' },
      'recover-within-s': { type: 'string', default: '30' },
    },
    strict: true,
  },
);

function option(name: keyof typeof values, min: number, max: number): number {
  const n = Number(values[name]);
  if (!Number.isFinite(n) || n < min || n > max) {
    process.stderr.write(`chaos: --${name} must be a number from ${min} to ${max}, got "${String(values[name])}"\n`);
    process.exit(2);
  }
  return n;
}
const ORDERS = Math.round(option('orders', 1, 20_000));
const RATE = option('rate', 0.1, 200);
const WITHIN_S = option('recover-within-s', 1, 600);

const say = (line = ''): void => void process.stdout.write(`${line}\n`);
const cleanups: Array<() => Promise<void> | void> = [];
let cleaning: Promise<void> | null = null;
const cleanUp = (): Promise<void> =>
  (cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) await Promise.resolve(fn()).catch((err: unknown) => say(`cleanup: ${String(err)}`));
  })());
const onSignal = (signal: NodeJS.Signals): void => {
  say(`\nchaos: ${signal}: stopping the run's processes and its cluster ...`);
  void cleanUp().then(() => process.exit(130));
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

say(`ODX chaos run: ${ORDERS} orders at ${RATE}/s on three brokers; every fault must be recovered from within ${WITHIN_S} s of its end`);
say(machineLine());
let report: ChaosReport | null = null;
let failure: unknown = null;
const wallStart = Date.now();
try {
  report = await runChaos(
    { after: (fn) => void cleanups.push(fn) },
    {
      orders: ORDERS,
      rate: RATE,
      brokerDownMs: option('broker-down-s', 0, 3_600) * 1000,
      storeDownMs: option('store-down-s', 0, 3_600) * 1000,
      simFaultMs: option('sim-fault-s', 0, 3_600) * 1000,
      gapMs: option('gap-s', 0, 600) * 1000,
      recoveryMs: option('recovery-minutes', 0.5, 240) * 60_000,
      say: (line) => say(`  ${new Date().toISOString().slice(11, 19)}  ${line}`),
    },
  );
} catch (err) {
  failure = err;
  say(`\nchaos failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
} finally {
  await cleanUp();
}

const problems = report ? chaosFailures(report, WITHIN_S) : ['the run did not finish'];
if (report) for (const line of table(report)) say(line);
say('');
say(machineLine());
say(`wall time ${((Date.now() - wallStart) / 1000).toFixed(0)} s`);
say(problems.length === 0 && !failure ? 'chaos run passed' : `chaos run FAILED: ${problems.join('; ')}`);
process.exit(problems.length === 0 && !failure ? 0 : 1);

function table(r: ChaosReport): string[] {
  const rows: Array<[string, string]> = [
    ['orders created and confirmed in Odoo', `${r.confirmed}/${r.orders} (${r.loadErrors} errors)`],
    ['orders delivered', `${r.delivered}/${r.confirmed}`],
    ['orders lost (not delivered at the end)', String(r.lost.length)],
    ['last delivery after the first order', `${r.lastDeliverySeconds.toFixed(0)} s`],
    ['WMS orders / duplicate external refs', `${r.wmsOrders} / ${r.duplicates.wmsOrders.length}`],
    ['TMS bookings / duplicate references', `${r.tmsBookings} / ${r.duplicates.tmsBookings.length}`],
    ['Odoo orders with more validated deliveries than WMS orders', String(r.duplicates.odooDeliveries.length)],
    ['shipment events under two ids', String(r.duplicates.shipmentEvents.length)],
    ['stage events under two ids', String(r.duplicates.stageEvents.length)],
    ['messages on the DLQs at the end', String(r.deadLettered)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length), ...r.faults.map((f) => f.fault.length));
  return [
    '',
    'chaos run: faults (seconds from the first order; recovery = every /readyz 200, and for the broker every partition in sync again)',
    ...r.faults.map(
      (f) =>
        `  ${f.fault.padEnd(width)}  at ${f.startedAt.toFixed(0).padStart(4)} s, lasted ${f.lastedSeconds.toFixed(1).padStart(5)} s, ${recoveryText(f)}  (${f.detail})`,
    ),
    '',
    'chaos run: invariants',
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
  ];
}
