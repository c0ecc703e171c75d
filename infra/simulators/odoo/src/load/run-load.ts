/**
 * Drives the simulator like a busy sales team through its real JSON-RPC API:
 * creates orders, confirms them, ships, invoices, pays and cancels some.
 * Only the clock knob (for --same-second) uses /sim/admin; late commits use
 * the `sim_late_commit_seconds` context key on the confirming call.
 */
import { Prng } from '../prng.js';
import { LATE_COMMIT_KEY } from '../rpc-service.js';
import { CREDIT_HOLD_CUSTOMER } from '../seed.js';
import { OdooJsonRpcClient, OdooRpcError } from './odoo-jsonrpc-client.js';
import { Replenisher, compileReplenishOptions, type ReplenishCounts, type ReplenishOptions } from './replenish.js';

export interface LoadOptions {
  url: string;
  db: string;
  login: string;
  password: string;
  adminToken: string;
  orders: number;
  /** orders started per second */
  rate: number;
  concurrency: number;
  /** batches of K orders created while the sim clock is frozen (0 = off) */
  sameSecond: number;
  /** percent of orders whose confirmation commits late */
  latePercent: number;
  lateSeconds: number;
  cancelRatio: number;
  validateRatio: number;
  invoiceRatio: number;
  payRatio: number;
  seed: number;
  /** Buy what runs low from the vendors (purchase, receipt, bill). @default undefined (off, so sales figures stay comparable) */
  replenish?: ReplenishOptions;
  onProgress?(counts: LoadCounts): void;
}

export interface LoadCounts {
  created: number;
  confirmed: number;
  lateConfirmed: number;
  cancelled: number;
  validated: number;
  notReady: number;
  invoiced: number;
  posted: number;
  paid: number;
  errors: number;
  orderIds: number[];
  /** Only when `replenish` is on. */
  replenishment?: ReplenishCounts;
}

interface Catalog {
  customers: number[];
  products: number[];
  carriers: number[];
}

export async function runLoad(opts: LoadOptions): Promise<LoadCounts> {
  const replenish = opts.replenish ? compileReplenishOptions(opts.replenish) : null;
  const client = new OdooJsonRpcClient(opts.url, opts.db, opts.login, opts.password);
  await client.authenticate();
  const catalog: Catalog = {
    // Not the credit-hold demo customer: its orders would stop at the credit check, by design.
    customers: await client.executeKw<number[]>('res.partner', 'search', [
      [
        ['is_company', '=', true],
        ['customer_rank', '>', 0],
        ['ref', '!=', CREDIT_HOLD_CUSTOMER.ref],
      ],
    ]),
    products: await client.executeKw<number[]>('product.product', 'search', [
      [
        ['sale_ok', '=', true],
        ['type', 'in', ['product', 'consu']],
      ],
    ]),
    carriers: await client.executeKw<number[]>('delivery.carrier', 'search', [[]]),
  };
  if (!catalog.customers.length || !catalog.products.length) throw new Error('no customers or products to order');
  const counts: LoadCounts = {
    created: 0,
    confirmed: 0,
    lateConfirmed: 0,
    cancelled: 0,
    validated: 0,
    notReady: 0,
    invoiced: 0,
    posted: 0,
    paid: 0,
    errors: 0,
    orderIds: [],
  };
  const replenisher = replenish ? new Replenisher(client, replenish, (m) => console.error(m)) : null;
  if (replenisher) counts.replenishment = replenisher.counts;
  const rng = new Prng(opts.seed);
  const plans = Array.from({ length: opts.orders }, (_, i) => planOrder(rng, catalog, opts, i));
  const started = Date.now();
  const ticker = setInterval(() => opts.onProgress?.(counts), 1000);
  try {
    const batch = opts.sameSecond > 0 ? opts.sameSecond : opts.orders;
    for (let from = 0; from < plans.length; from += batch) {
      const slice = plans.slice(from, from + batch);
      if (opts.sameSecond > 0) await adminCall(opts, '/clock/freeze');
      try {
        await runPool(slice, opts.concurrency, async (plan) => {
          const due = started + (plan.index * 1000) / opts.rate;
          const wait = due - Date.now();
          if (wait > 0 && opts.sameSecond === 0) await new Promise((r) => setTimeout(r, wait));
          try {
            await runOrder(client, plan, counts, opts.lateSeconds);
          } catch (err) {
            counts.errors++;
            if (counts.errors <= 5) console.error(`order ${plan.index}: ${err instanceof Error ? err.message : String(err)}`);
          }
          await replenisher?.afterOrder();
        });
      } finally {
        if (opts.sameSecond > 0) {
          await adminCall(opts, '/clock/unfreeze');
          await adminCall(opts, '/clock/advance', { seconds: 1 });
        }
      }
      if (opts.sameSecond > 0) {
        const due = started + ((from + batch) * 1000) / opts.rate;
        if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      }
    }
    await replenisher?.finish();
  } finally {
    clearInterval(ticker);
    opts.onProgress?.(counts);
  }
  return counts;
}

interface OrderPlan {
  index: number;
  customer: number;
  lines: { product: number; qty: number }[];
  carrier: number | null;
  late: boolean;
  cancel: boolean;
  validate: boolean;
  invoice: boolean;
  pay: boolean;
}

function planOrder(rng: Prng, c: Catalog, o: LoadOptions, index: number): OrderPlan {
  const lineCount = rng.int(1, 5);
  const lines = Array.from({ length: lineCount }, () => ({ product: rng.pick(c.products), qty: rng.int(1, 20) }));
  return {
    index,
    customer: rng.pick(c.customers),
    lines,
    carrier: c.carriers.length && rng.chance(0.7) ? rng.pick(c.carriers) : null,
    late: rng.chance(o.latePercent / 100),
    cancel: rng.chance(o.cancelRatio),
    validate: rng.chance(o.validateRatio),
    invoice: rng.chance(o.invoiceRatio),
    pay: rng.chance(o.payRatio),
  };
}

async function runOrder(client: OdooJsonRpcClient, plan: OrderPlan, counts: LoadCounts, lateSeconds: number): Promise<void> {
  const orderId = await client.executeKw<number>('sale.order', 'create', [
    {
      partner_id: plan.customer,
      client_order_ref: `LOAD-${plan.index + 1}-${Date.now().toString(36)}`,
      carrier_id: plan.carrier ?? false,
      order_line: plan.lines.map((l) => [0, 0, { product_id: l.product, product_uom_qty: l.qty }]),
    },
  ]);
  counts.created++;
  counts.orderIds.push(orderId);
  const context = plan.late ? { [LATE_COMMIT_KEY]: lateSeconds } : {};
  await client.executeKw('sale.order', 'action_confirm', [[orderId]], { context });
  counts.confirmed++;
  if (plan.late) counts.lateConfirmed++;
  if (plan.cancel) {
    await client.executeKw('sale.order', 'action_cancel', [[orderId]]);
    counts.cancelled++;
    return;
  }
  if (plan.validate) {
    const pickings = await client.executeKw<{ id: number; state: string }[]>(
      'stock.picking',
      'search_read',
      [[['sale_id', '=', orderId]]],
      { fields: ['state'] },
    );
    for (const p of pickings) {
      if (p.state !== 'assigned') {
        counts.notReady++;
        continue;
      }
      await client.executeKw('stock.picking', 'button_validate', [[p.id]]);
      counts.validated++;
    }
  }
  if (plan.invoice) {
    const wizard = await client.executeKw<number>('sale.advance.payment.inv', 'create', [{ advance_payment_method: 'delivered' }], {
      context: { active_model: 'sale.order', active_ids: [orderId] },
    });
    let action: { res_id?: number; domain?: [string, string, number[]][] };
    try {
      action = await client.executeKw('sale.advance.payment.inv', 'create_invoices', [[wizard]]);
    } catch (err) {
      if (err instanceof OdooRpcError && err.odooName === 'odoo.exceptions.UserError') return; // nothing invoiceable yet
      throw err;
    }
    const invoiceIds = action.res_id !== undefined ? [action.res_id] : (action.domain?.[0]?.[2] ?? []);
    counts.invoiced += invoiceIds.length;
    await client.executeKw('account.move', 'action_post', [invoiceIds]);
    counts.posted += invoiceIds.length;
    if (plan.pay) {
      const pay = await client.executeKw<number>('account.payment.register', 'create', [{}], {
        context: { active_model: 'account.move', active_ids: invoiceIds },
      });
      await client.executeKw('account.payment.register', 'action_create_payments', [[pay]]);
      counts.paid += invoiceIds.length;
    }
  }
}

async function runPool<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(size, items.length)) }, worker));
}

async function adminCall(o: LoadOptions, path: string, body: unknown = {}): Promise<void> {
  const res = await fetch(`${o.url}/sim/admin${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${o.adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`admin ${path}: HTTP ${res.status} ${await res.text()}`);
}
