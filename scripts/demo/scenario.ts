// The order-to-cash scenario `npm start` drives: orders keyed into Odoo and
// purchase orders (X12 850) from an EDI partner, a WMS outage and a poison
// message injected on the way, one order over its customer's credit limit
// that an operator approves at the exception desk with the odx CLI, progress
// read back from the analytics-sink and the order orchestrator, and
// invoicing once deliveries are done.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { createKafka } from '@odx/runtime';
import { build850 } from './edi-850.js';
import { acknowledgeOutbound } from './edi-partner.js';
import { Accountant } from './accountant.js';
import { scrapeConsumerGroups } from './consumer-group-metrics.js';
import { caseSummary, formatCases, type DemoCase, type DemoExceptionDesk } from './exception-desk.js';
import { OdooShop, type CreditHoldOrder, type DemoOrder } from './odoo-shop.js';
import { formatTimeline, type OrderTimeline } from '@odx/cli';
import { formatConsumerGroups, formatKpis, stageLine, type KpiResponse } from './report.js';
import { demoAuth } from './demo-auth.js';
import { PORTS, url } from './services.js';
import { SERVICE_URLS } from './service-urls.js';

/** The client `npm start` made with the runtime's createKafka. */
type DemoKafka = ReturnType<typeof createKafka>;

export interface ScenarioOptions {
  /** Sends the poison message: raw bytes no serde would write. */
  kafka: DemoKafka;
  /** Not used by the scenario (`npm start` passes the admin it provisions topics with). */
  admin: ReturnType<DemoKafka['admin']>;
  dataDir: string;
  runTag: string;
  odooOrders: number;
  ediOrders: number;
  faults: boolean;
  /** The order orchestrator's API and the odx CLI, as an operator uses them. */
  desk: DemoExceptionDesk;
  /** Places one order over customer C90001's credit limit and approves its case with the CLI. */
  creditHold: boolean;
  say: (line?: string) => void;
  elapsed: () => string;
  /** @default 300000 */
  timeoutMs?: number;
}

export interface ScenarioOutcome {
  since: Date;
  odoo: DemoOrder[];
  ediPoNumbers: string[];
  completed: boolean;
  /** Seconds from the first order placed until every order's process completed (paid); null if not all did. */
  allPaidAfterSeconds: number | null;
  creditHold: CreditHoldOrder | null;
}

/** The demo's credit-hold customer (seeded in the Odoo simulator: limit 5,000.00, 3,220.00 owed). */
const CREDIT_HOLD_CUSTOMER = 'C90001';
/** Above 5,000.00 - 3,220.00 = 1,780.00 before tax, so the order takes the customer over its limit. */
const CREDIT_HOLD_MIN_UNTAXED = 1_900;
/** The orchestrator's stages in process order (GET /v1/orders/:ref/process `stage`). */
const PROCESS_STAGES = [
  'credit',
  'allocation',
  'release',
  'pick-pack',
  'carrier-booking',
  'dispatch',
  'delivery',
  'invoice',
  'payment',
  'completed',
  'cancelled',
];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const SIM_ADMIN = { Authorization: 'Bearer sim-admin', 'Content-Type': 'application/json' };

export class DemoScenario {
  private readonly shop = new OdooShop(url(PORTS.odoo));
  private readonly accountant = new Accountant(this.shop);
  private creditHold: CreditHoldOrder | null = null;

  constructor(private readonly options: ScenarioOptions) {}

  async run(): Promise<ScenarioOutcome> {
    const { say, elapsed } = this.options;
    const since = new Date(Date.now() - 1_000);
    say(
      `\nscenario: ${this.options.odooOrders} orders keyed into Odoo, ${this.options.ediOrders} purchase orders (X12 850) from EDI partner northwind` +
        (this.options.creditHold ? `, one order over customer ${CREDIT_HOLD_CUSTOMER}'s credit limit` : '') +
        (this.options.faults ? ', a 20 s WMS outage, one poison message' : ''),
    );
    await this.shop.load();
    const firstOrderAt = Date.now();

    const odoo: DemoOrder[] = [];
    const ediPoNumbers: string[] = [];
    const outageAt = Math.max(1, Math.floor(this.options.odooOrders / 3));
    const poisonAt = Math.max(1, Math.floor(this.options.odooOrders / 2));
    for (let i = 0; i < Math.max(this.options.odooOrders, this.options.ediOrders); i++) {
      if (i < this.options.odooOrders) {
        const order = await this.shop.placeOrder(i, this.options.runTag);
        odoo.push(order);
        say(`${elapsed()}  Odoo   ${order.name} confirmed (customer PO ${order.clientRef})`);
      }
      if (i === 0 && this.options.creditHold) {
        this.creditHold = await this.placeCreditHold();
        if (this.creditHold) odoo.push(this.creditHold);
      }
      if (i < this.options.ediOrders) {
        const po = `NW-${this.options.runTag}-${i + 1}`;
        this.drop850(po, i);
        ediPoNumbers.push(po);
        say(`${elapsed()}  EDI    850 for PO ${po} dropped in northwind/inbound`);
      }
      if (this.options.faults && i + 1 === outageAt) await this.wmsOutage(20);
      if (this.options.faults && i + 1 === poisonAt) await this.poison();
      await sleep(1_200);
    }

    if (this.creditHold) await this.approveCreditHold(this.creditHold);

    const total = this.options.odooOrders + this.options.ediOrders + (this.creditHold ? 1 : 0);
    const refs = [...odoo.map((o) => o.name), ...ediPoNumbers];
    let lastProcesses = '';
    let allPaidAfterSeconds: number | null = null;
    let oneSideAt: number | null = null;
    const acknowledged = new Set<string>();
    let ackControl = (Date.now() % 900_000_000) + 100_000;
    const deadline = Date.now() + (this.options.timeoutMs ?? 300_000);
    let last = '';
    let completed = false;
    while (Date.now() < deadline) {
      await sleep(3_000);
      await this.invoiceDelivered(odoo, ediPoNumbers);
      if (this.options.ediOrders > 0) {
        const acks = acknowledgeOutbound(join(this.options.dataDir, 'edi', 'northwind'), since, acknowledged, () => ackControl++);
        if (acks > 0) say(`${elapsed()}  EDI    northwind answered ${acks} document(s) from ODX with a 997`);
      }
      const processes = await this.processStages(refs);
      const processLine = processStageLine(processes);
      if (processLine !== lastProcesses) say(`${elapsed()}  process ${processLine}`);
      lastProcesses = processLine;
      const allCompleted = (processes.get('completed') ?? 0) >= total;
      if (allCompleted && allPaidAfterSeconds === null) {
        allPaidAfterSeconds = Math.round((Date.now() - firstOrderAt) / 1000);
        say(`${elapsed()}  all ${total} orders paid: every order's process completed, ${allPaidAfterSeconds} s after the first order`);
      }
      const k = await this.kpis(since).catch(() => null);
      if (k) {
        const line = stageLine(k.orders.byStage);
        if (line !== last) say(`${elapsed()}  orders ${line}`);
        last = line;
      }
      const settled = k ? (k.orders.byStage['invoiced'] ?? 0) + (k.orders.byStage['paid'] ?? 0) : 0;
      const kpisSettled = k !== null && k.orders.total >= total && settled >= total && k.cycleTimes.confirmedToDelivered.count >= total;
      if (allCompleted && kpisSettled) {
        completed = true;
        break;
      }
      // One side saw every order through and the other not yet: a minute's grace to hear it.
      if (allCompleted || kpisSettled) {
        oneSideAt ??= Date.now();
        if (Date.now() - oneSideAt > 60_000) {
          completed = true;
          say(
            allCompleted
              ? `${elapsed()}  the orchestrator has every order paid, but the analytics-sink counts ${settled} of ${total} settled (${k?.orders.total ?? '?'} orders seen)`
              : `${elapsed()}  the analytics-sink counts every order settled, but not every order's process completed in the orchestrator`,
          );
          break;
        }
      }
    }
    if (!completed) say(`${elapsed()}  not every order was delivered and paid within the time limit; the report shows where they are`);
    await sleep(3_000); // let the last 810s land, then the partner's last 997s
    if (
      this.options.ediOrders > 0 &&
      acknowledgeOutbound(join(this.options.dataDir, 'edi', 'northwind'), since, acknowledged, () => ackControl++) > 0
    )
      await sleep(3_000);
    return { since, odoo, ediPoNumbers, completed, allPaidAfterSeconds, creditHold: this.creditHold };
  }

  async report(outcome: ScenarioOutcome): Promise<void> {
    const { say } = this.options;
    const k = await this.kpis(outcome.since);
    say('\nKPIs for this run (analytics-sink GET /v1/kpis)');
    for (const line of formatKpis(k)) say(line);
    say(`  ${formatConsumerGroups(await scrapeConsumerGroups(SERVICE_URLS))}`);
    if (outcome.ediPoNumbers.length > 0) await this.reportEdi();
    await this.reportCases(outcome);
    const ref = outcome.ediPoNumbers[0] ?? outcome.odoo[0]?.name;
    if (ref) {
      const res = await fetch(`${url(PORTS.analyticsSink)}/v1/orders/${encodeURIComponent(ref)}/timeline`, { headers: demoAuth('viewer') });
      if (res.ok) {
        say(`\ntimeline of order ${ref} (GET /v1/orders/${ref}/timeline, also: npx odx trace ${ref})`);
        for (const line of formatTimeline((await res.json()) as OrderTimeline)) say(`  ${line}`);
      } else {
        say(`\nno timeline for ${ref}: HTTP ${res.status}`);
      }
    }
  }

  /** The exception cases opened during the run (GET /v1/cases), and the credit-hold order as it ended. */
  private async reportCases(outcome: ScenarioOutcome): Promise<void> {
    const { say, desk } = this.options;
    const all = await desk.cases().catch((err: unknown) => err);
    if (!Array.isArray(all)) {
      say(`\nexception cases: ${all instanceof Error ? all.message : String(all)}`);
      return;
    }
    const cases = all.filter((c: DemoCase) => new Date(c.openedAt) >= outcome.since);
    const orders = outcome.odoo.length + outcome.ediPoNumbers.length;
    say(
      outcome.allPaidAfterSeconds === null
        ? `\norder processes (order-orchestrator): not every one of the ${orders} orders completed`
        : `\norder processes (order-orchestrator): all ${orders} orders paid ${outcome.allPaidAfterSeconds} s after the first order`,
    );
    say(`exception cases of this run (order-orchestrator GET /v1/cases): ${caseSummary(cases)}`);
    for (const line of formatCases(cases)) say(`  ${line}`);
    const held = outcome.creditHold;
    if (held) {
      say(`\nthe credit-hold order ${held.name} after its approval`);
      await this.cli(['order', held.name]);
    }
  }

  /** Places the order that takes customer C90001 over its credit limit (the orchestrator holds it). */
  private async placeCreditHold(): Promise<CreditHoldOrder | null> {
    const { say, elapsed } = this.options;
    const order = await this.shop.placeOrderOver(CREDIT_HOLD_CUSTOMER, CREDIT_HOLD_MIN_UNTAXED, this.options.runTag);
    if (!order) {
      say(
        `${elapsed()}  Odoo   no customer ${CREDIT_HOLD_CUSTOMER} in this Odoo database (its data file predates it): no credit hold this run`,
      );
      return null;
    }
    const amount = order.amountTotal.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    say(
      `${elapsed()}  Odoo   ${order.name} confirmed for ${order.customer} (${order.customerRef}), ${amount} with tax: over its credit limit`,
    );
    return order;
  }

  /**
   * The operator's part: waits for the credit case of the held order, shows the order
   * with `odx order`, and approves the case with `odx cases resolve --approve`.
   */
  private async approveCreditHold(order: CreditHoldOrder): Promise<void> {
    const { say, elapsed, desk } = this.options;
    const deadline = Date.now() + 90_000;
    let found: DemoCase | undefined;
    while (!found && Date.now() < deadline) {
      const cases = await desk.cases({ order: String(order.odooId) }).catch(() => []);
      found = cases.find((c) => c.step === 'credit' && c.status !== 'resolved');
      if (!found) await sleep(2_000);
    }
    if (!found) {
      const p = await desk.process(order.name).catch(() => null);
      say(
        `${elapsed()}  CASE   no credit case for ${order.name} within 90 s (its process: ${p ? `${p.stage} (${p.stageStatus})` : 'none yet'}); not approved`,
      );
      return;
    }
    say(`${elapsed()}  CASE   ${found.caseId} opened: ${order.name} held at credit (${found.errorClass}: ${found.lastError})`);
    await this.cli(['order', order.name]);
    const run = await this.cli([
      'cases',
      'resolve',
      found.caseId,
      '--approve',
      '--note',
      'credit limit raised by finance (npm start demo)',
    ]);
    if (run.code === 0) say(`${elapsed()}  CASE   approved with the CLI: ${order.name} goes on to allocation and release`);
  }

  /** Runs the odx CLI and prints the command and what it printed, indented. */
  private async cli(args: string[]): Promise<{ code: number }> {
    const run = await this.options.desk.odx(args);
    this.options.say(`${this.options.elapsed()}  $ ${run.command}${run.code === 0 ? '' : `   (exit code ${run.code})`}`);
    for (const line of run.output) this.options.say(`          ${line}`);
    return run;
  }

  /** How many of the orders are at each orchestrator stage ("none" while it has no process yet). */
  private async processStages(refs: string[]): Promise<Map<string, number>> {
    const stages = new Map<string, number>();
    const found = await Promise.all(refs.map((r) => this.options.desk.process(r).catch(() => null)));
    for (const p of found) {
      const key = p ? p.stage : 'none';
      stages.set(key, (stages.get(key) ?? 0) + 1);
    }
    return stages;
  }

  /** What went to and came from partner northwind, from the edi-gateway's document audit. */
  private async reportEdi(): Promise<void> {
    const res = await fetch(`${url(PORTS.ediGateway)}/v1/edi/documents?partner=northwind&limit=500`, {
      headers: demoAuth('viewer'),
    });
    if (!res.ok) {
      this.options.say(`\nEDI documents: the edi-gateway answered ${res.status}`);
      return;
    }
    const { documents } = (await res.json()) as { documents: { direction: string; type: string; status: string; createdAt?: string }[] };
    const counts = new Map<string, number>();
    for (const d of documents)
      counts.set(
        `${d.direction === 'in' ? 'in ' : 'out'} ${d.type} ${d.status}`,
        (counts.get(`${d.direction === 'in' ? 'in ' : 'out'} ${d.type} ${d.status}`) ?? 0) + 1,
      );
    this.options.say('\nEDI documents with partner northwind (edi-gateway GET /v1/edi/documents)');
    for (const [k, n] of [...counts].sort()) this.options.say(`  ${k.padEnd(28)} ${n}`);
    this.options.say(`  partner folders: ${join(this.options.dataDir, 'edi', 'northwind')}/{inbound,archive,error,outbound}`);
  }

  private async kpis(since: Date): Promise<KpiResponse> {
    const res = await fetch(`${url(PORTS.analyticsSink)}/v1/kpis?from=${since.toISOString()}`, { headers: demoAuth('viewer') });
    if (!res.ok) throw new Error(`analytics-sink /v1/kpis answered ${res.status}`);
    return (await res.json()) as KpiResponse;
  }

  /** Writes the 850 the way a partner's VAN drop does: a temporary name, then an atomic rename. */
  private drop850(po: string, index: number): void {
    const inbound = join(this.options.dataDir, 'edi', 'northwind', 'inbound');
    mkdirSync(inbound, { recursive: true });
    const controlNumber = (Date.now() % 1_000_000_000) + index;
    const file = join(inbound, `850-${po}.x12`);
    writeFileSync(`${file}.part`, build850({ po, controlNumber, lines: 1 + (index % 3) }));
    renameSync(`${file}.part`, file);
  }

  private async wmsOutage(seconds: number): Promise<void> {
    const res = await fetch(`${url(PORTS.wms)}/sim/admin/downtime`, {
      method: 'POST',
      headers: SIM_ADMIN,
      body: JSON.stringify({ seconds }),
    });
    if (!res.ok) throw new Error(`WMS simulator refused the downtime window: HTTP ${res.status}`);
    this.options.say(
      `${this.options.elapsed()}  FAULT  the WMS answers 503 for ${seconds} s: wms-bridge retries through its retry topics, its circuit opens and pauses the consumer`,
    );
  }

  private async poison(): Promise<void> {
    const producer = this.options.kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'odx.orders.v1',
      messages: [{ key: `poison-${this.options.runTag}`, value: Buffer.from('{"this is":"not Avro"}') }],
    });
    await producer.disconnect();
    this.options.say(
      `${this.options.elapsed()}  FAULT  a non-Avro message on odx.orders.v1: every consumer group dead-letters it and goes on`,
    );
  }

  /** The accountant: invoices and settles every demo order whose delivery is done. */
  private async invoiceDelivered(odoo: DemoOrder[], ediPoNumbers: string[]): Promise<void> {
    const ids = [...odoo.map((o) => o.odooId), ...(await this.shop.ordersByClientRef(ediPoNumbers))];
    const round = await this.accountant.settleDelivered(ids);
    for (const s of round.settled)
      this.options.say(
        `${this.options.elapsed()}  Odoo   order ${s.orderId} delivered → ${s.invoiceIds.length} invoice(s) posted and paid`,
      );
    for (const f of round.failed)
      this.options.say(
        `${this.options.elapsed()}  Odoo   order ${f.orderId} delivered, but invoicing failed (attempt ${f.attempts}${f.gaveUp ? ', giving up' : ''}): ${f.error}`,
      );
  }
}

/** "credit 1 · pick-pack 3 · completed 10": orders per orchestrator stage, in process order. */
function processStageLine(stages: ReadonlyMap<string, number>): string {
  const known = PROCESS_STAGES.filter((st) => (stages.get(st) ?? 0) > 0).map((st) => `${st} ${stages.get(st)}`);
  const other = [...stages].filter(([st]) => !PROCESS_STAGES.includes(st)).map(([st, n]) => `${st} ${n}`);
  return [...known, ...other].join(' · ') || 'none yet';
}
