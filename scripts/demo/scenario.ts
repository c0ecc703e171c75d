// The order-to-cash scenario `npm start` drives: orders keyed into Odoo and
// purchase orders (X12 850) from an EDI partner, a WMS outage and a poison
// message injected on the way, progress read back from the analytics-sink,
// and invoicing once deliveries are done.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { createKafka } from '@odx/runtime';
import { build850 } from './edi-850.js';
import { acknowledgeOutbound } from './edi-partner.js';
import { Accountant } from './accountant.js';
import { scrapeConsumerGroups } from './consumer-group-metrics.js';
import { OdooShop, type DemoOrder } from './odoo-shop.js';
import { formatTimeline, type OrderTimeline } from '@odx/cli';
import { formatConsumerGroups, formatKpis, stageLine, type KpiResponse } from './report.js';
import { DEMO_EDI_TOKEN, PORTS, url } from './services.js';
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
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const SIM_ADMIN = { Authorization: 'Bearer sim-admin', 'Content-Type': 'application/json' };

export class DemoScenario {
  private readonly shop = new OdooShop(url(PORTS.odoo));
  private readonly accountant = new Accountant(this.shop);

  constructor(private readonly options: ScenarioOptions) {}

  async run(): Promise<ScenarioOutcome> {
    const { say, elapsed } = this.options;
    const since = new Date(Date.now() - 1_000);
    const total = this.options.odooOrders + this.options.ediOrders;
    say(
      `\nscenario: ${this.options.odooOrders} orders keyed into Odoo, ${this.options.ediOrders} purchase orders (X12 850) from EDI partner northwind` +
        (this.options.faults ? ', a 20 s WMS outage, one poison message' : ''),
    );
    await this.shop.load();

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
      const k = await this.kpis(since).catch(() => null);
      if (!k) continue;
      const line = stageLine(k.orders.byStage);
      if (line !== last) say(`${elapsed()}  orders ${line}`);
      last = line;
      const settled = (k.orders.byStage['invoiced'] ?? 0) + (k.orders.byStage['paid'] ?? 0);
      if (k.orders.total >= total && settled >= total && k.cycleTimes.confirmedToDelivered.count >= total) {
        completed = true;
        break;
      }
    }
    if (!completed) say(`${elapsed()}  not every order was delivered and paid within the time limit; the report shows where they are`);
    await sleep(3_000); // let the last 810s land, then the partner's last 997s
    if (
      this.options.ediOrders > 0 &&
      acknowledgeOutbound(join(this.options.dataDir, 'edi', 'northwind'), since, acknowledged, () => ackControl++) > 0
    )
      await sleep(3_000);
    return { since, odoo, ediPoNumbers, completed };
  }

  async report(outcome: ScenarioOutcome): Promise<void> {
    const { say } = this.options;
    const k = await this.kpis(outcome.since);
    say('\nKPIs for this run (analytics-sink GET /v1/kpis)');
    for (const line of formatKpis(k)) say(line);
    say(`  ${formatConsumerGroups(await scrapeConsumerGroups(SERVICE_URLS))}`);
    if (outcome.ediPoNumbers.length > 0) await this.reportEdi();
    const ref = outcome.ediPoNumbers[0] ?? outcome.odoo[0]?.name;
    if (ref) {
      const res = await fetch(`${url(PORTS.analyticsSink)}/v1/orders/${encodeURIComponent(ref)}/timeline`);
      if (res.ok) {
        say(`\ntimeline of order ${ref} (GET /v1/orders/${ref}/timeline, also: npx odx trace ${ref})`);
        for (const line of formatTimeline((await res.json()) as OrderTimeline)) say(`  ${line}`);
      } else {
        say(`\nno timeline for ${ref}: HTTP ${res.status}`);
      }
    }
  }

  /** What went to and came from partner northwind, from the edi-gateway's document audit. */
  private async reportEdi(): Promise<void> {
    const res = await fetch(`${url(PORTS.ediGateway)}/v1/edi/documents?partner=northwind&limit=500`, {
      headers: { authorization: `Bearer ${DEMO_EDI_TOKEN}` },
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
    const res = await fetch(`${url(PORTS.analyticsSink)}/v1/kpis?from=${since.toISOString()}`);
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
