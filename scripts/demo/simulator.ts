// Child-process entry for the simulators that `npm start` runs, with timings
// that let an order go from confirmation to delivery in about a minute:
//   node --import tsx scripts/demo/simulator.ts odoo|wms|tms
// Settings come from the environment (DEMO_SIM_PORT, DEMO_SIM_WEBHOOK_URL,
// DEMO_SIM_WEBHOOK_SECRET, DEMO_SIM_DATA_FILE, DEMO_SIM_WEBHOOK_RETRY).
import { startOdooSimulator } from '@odx/sim-odoo';
import { startTmsSimulator } from '@odx/sim-tms';
import { startWmsSimulator } from '@odx/sim-wms';

const kind = process.argv[2];
const env = (name: string): string | undefined => process.env[`DEMO_SIM_${name}`] || undefined;
const port = Number(env('PORT') ?? 0);
const webhookUrl = env('WEBHOOK_URL');
const webhookSecret = env('WEBHOOK_SECRET');
const webhook = { ...(webhookUrl ? { webhookUrl } : {}), ...(webhookSecret ? { webhookSecret } : {}) };
// The demo retries webhooks briefly; DEMO_SIM_WEBHOOK_RETRY=default keeps the simulators' own policy (5 attempts,
// 1 s to 60 s back-off, then given up, as real WMS and TMS products do), which the outage test and soak need.
const delivery = env('WEBHOOK_RETRY') === 'default' ? {} : { maxAttempts: 8, initialDelayMs: 500, maxDelayMs: 5_000, timeoutMs: 5_000 };

let close: () => Promise<void>;
if (kind === 'odoo') {
  const dataFile = env('DATA_FILE');
  const sim = await startOdooSimulator({ port, ...(dataFile ? { dataFile } : {}) });
  close = () => sim.close();
} else if (kind === 'wms') {
  const sim = await startWmsSimulator({ port, ...webhook, steps: { pickMs: 3_000, packMs: 3_000, shipMs: 4_000 }, delivery });
  close = () => sim.close();
} else if (kind === 'tms') {
  const sim = await startTmsSimulator({
    port,
    ...webhook,
    delivery,
    exceptionRate: 0,
    tracking: { pickupMs: 3_000, inTransitMs: 3_000, outForDeliveryMs: 3_000, deliveredMs: 3_000 },
  });
  close = () => sim.close();
} else {
  process.stderr.write('usage: simulator.ts odoo|wms|tms\n');
  process.exit(2);
}
process.stdout.write(`${kind} simulator listening on port ${port}\n`);
const stop = (): void => void close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
