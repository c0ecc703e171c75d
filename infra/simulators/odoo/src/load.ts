/**
 * Load generator CLI:
 *   node --import tsx infra/simulators/odoo/src/load.ts --orders 1000 --rate 50
 *     [--url http://127.0.0.1:8069] [--same-second K] [--late P] [--cancel-ratio 0.05]
 *     [--validate-ratio 0.7] [--invoice-ratio 0.5] [--pay-ratio 0.5] [--concurrency 8]
 *     [--replenish-below Q [--replenish-to Q2] [--replenish-every N] [--replenish-bill true|false]]
 */
import { parseCliArgs } from '@odx/runtime/cli';
import { runLoad } from './load/run-load.js';

const { values: v } = parseCliArgs('sim:odoo:load', 'a load generator placing sale orders in the Odoo simulator', {
  options: {
    url: { type: 'string', default: process.env.ODOO_SIM_URL ?? 'http://127.0.0.1:8069' },
    db: { type: 'string', default: 'odx' },
    login: { type: 'string', default: 'admin' },
    password: { type: 'string', default: 'admin' },
    'admin-token': { type: 'string', default: 'sim-admin' },
    orders: { type: 'string', default: '100' },
    rate: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '8' },
    'same-second': { type: 'string', default: '0' },
    late: { type: 'string', default: '0' },
    'late-seconds': { type: 'string', default: '3' },
    'cancel-ratio': { type: 'string', default: '0.05' },
    'validate-ratio': { type: 'string', default: '0.7' },
    'invoice-ratio': { type: 'string', default: '0.5' },
    'pay-ratio': { type: 'string', default: '0.5' },
    seed: { type: 'string', default: '42' },
    'replenish-below': { type: 'string', default: '0' },
    'replenish-to': { type: 'string' },
    'replenish-every': { type: 'string', default: '25' },
    'replenish-bill': { type: 'string', default: 'true' },
  },
  strict: true,
});

function num(name: keyof typeof v, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(v[name]);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number in [${min}, ${max}], got ${String(v[name])}`);
  return n;
}

const t0 = Date.now();
const counts = await runLoad({
  url: String(v.url).replace(/\/$/, ''),
  db: String(v.db),
  login: String(v.login),
  password: String(v.password),
  adminToken: String(v['admin-token']),
  orders: num('orders', 1),
  rate: num('rate', 0.001),
  concurrency: num('concurrency', 1, 256),
  sameSecond: num('same-second', 0),
  latePercent: num('late', 0, 100),
  lateSeconds: num('late-seconds', 0),
  cancelRatio: num('cancel-ratio', 0, 1),
  validateRatio: num('validate-ratio', 0, 1),
  invoiceRatio: num('invoice-ratio', 0, 1),
  payRatio: num('pay-ratio', 0, 1),
  seed: num('seed', 0),
  replenish:
    num('replenish-below', 0) > 0
      ? {
          below: num('replenish-below', 0),
          upTo: v['replenish-to'] === undefined ? undefined : num('replenish-to', 0),
          everyOrders: num('replenish-every', 1),
          bill: v['replenish-bill'] !== 'false',
        }
      : undefined,
  onProgress: (c) =>
    process.stderr.write(
      `\rcreated ${c.created} confirmed ${c.confirmed} cancelled ${c.cancelled} validated ${c.validated} invoiced ${c.invoiced} errors ${c.errors}   `,
    ),
});
process.stderr.write('\n');
const { orderIds, ...summary } = counts;
console.log(
  JSON.stringify({
    ...summary,
    firstOrderId: orderIds[0] ?? null,
    lastOrderId: orderIds.at(-1) ?? null,
    seconds: (Date.now() - t0) / 1000,
  }),
);
process.exitCode = counts.errors > 0 ? 1 : 0;
