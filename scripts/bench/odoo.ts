// `npm run bench:odoo`: orders with 5 lines each through the odoo-outbox-poller
// into Kafka. The Odoo simulator runs in this process and is filled first
// (through its service layer, so the fill is not what is measured); the
// poller then reads it over HTTP (JSON-RPC), as it would a real Odoo, maps and
// publishes OrderConfirmed to a fresh topic. Prints orders/s and the time to
// drain the backlog, then write-back operations/s (ShipmentBooked -> Odoo),
// and the machine.
//
//   npm run bench:odoo -- [--orders 50000] [--batch 500] [--writebacks 1000]
import { randomUUID } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { parseCliArgs } from '@odx/runtime/cli';
import { EventProducer, EventSerde, createKafka, createLogger, ensureTopics, loadRuntimeConfig, type OutgoingEvent } from '@odx/runtime';
import { FieldCatalog, ModelPoller, OdooClient, CursorStore } from '@odx/odoo-outbox-poller';
import { saleOrderSpec, versionAdapter, writeShipmentBooked } from '@odx/odoo-outbox-poller/bench';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import { startOdooSimulator } from '@odx/sim-odoo';
import { MongoClient } from 'mongodb';
import { endpointsEnv, stackUp } from '../stack/index.js';
import { printSummary } from './summary.js';

const { values } = parseCliArgs('bench:odoo', 'orders through the odoo-outbox-poller into Kafka', {
  options: {
    orders: { type: 'string', default: '50000' },
    batch: { type: 'string', default: '500' },
    writebacks: { type: 'string', default: '1000' },
  },
});
const N = Number(values.orders);
const BATCH = Number(values.batch);
const WRITEBACKS = Number(values.writebacks);

const endpoints = await stackUp({ quiet: true });
Object.assign(process.env, endpointsEnv(endpoints));
const cpu = cpus();
console.log(`machine: ${cpu.length} x ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`);

const sim = await startOdooSimulator({ port: 0, seed: { products: 200, customers: 100 } });
const uid = 2;
const call = (model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): unknown =>
  sim.service.call(uid, model, method, args, kwargs);
const partners = call('res.partner', 'search', [
  [
    ['customer_rank', '>', 0],
    ['parent_id', '=', false],
  ],
]) as number[];
const products = call('product.product', 'search', [[['type', '=', 'product']]]) as number[];
process.stderr.write(`filling the simulator with ${N} confirmed orders of 5 lines ...\n`);
let t = performance.now();
const orderIds: number[] = [];
for (let i = 0; i < N; i++) {
  const id = call('sale.order', 'create', [
    {
      partner_id: partners[i % partners.length],
      client_order_ref: `BENCH-${i}`,
      order_line: Array.from({ length: 5 }, (_, j) => [
        0,
        0,
        { product_id: products[(i * 5 + j) % products.length], product_uom_qty: 1 + j },
      ]),
    },
  ]) as number;
  call('sale.order', 'action_confirm', [[id]]);
  orderIds.push(id);
  if (i > 0 && i % 10_000 === 0) process.stderr.write(`  ${i} orders (${((performance.now() - t) / 1000).toFixed(0)} s)\n`);
}
console.log(`fill: ${N} orders in ${((performance.now() - t) / 1000).toFixed(1)} s (not part of the measurement)`);

const config = loadRuntimeConfig('bench-odoo');
const logger = createLogger({ service: 'bench-odoo', level: 'error' });
const kafka = createKafka(config.kafka, logger);
const admin = kafka.admin();
await admin.connect();
const topic = `bench.odoo.${randomUUID().slice(0, 8)}`;
await ensureTopics(admin, [{ name: topic, partitions: 6, replicationFactor: 1, config: { 'retention.ms': '3600000' } }]);
const serde = new EventSerde({ registryUrl: config.schemaRegistry.url });
const producer = new EventProducer({ kafka, serde, serviceName: 'bench-odoo', logger });
const mongo = await new MongoClient(config.mongo.url).connect();
const db = mongo.db(`odx_bench_odoo_${randomUUID().slice(0, 8)}`);
const client = new OdooClient({ url: sim.url, db: 'odx', username: 'admin', password: 'admin', timeoutMs: 120_000 });
const catalog = new FieldCatalog(client);
const spec = saleOrderSpec(client, catalog, versionAdapter(17), 'bench');
let published = 0;
const poller = new ModelPoller({
  client,
  fields: catalog,
  cursors: new CursorStore(db, 'bench'),
  producer,
  logger,
  batchSize: BATCH,
  lookbackSeconds: 0,
  spec: {
    ...spec,
    toEvents: async (records) => {
      const events = (await spec.toEvents(records)).map((e): OutgoingEvent => ({ ...e, topic }));
      published += events.length;
      return events;
    },
  },
});
t = performance.now();
let calls = 0;
while ((await poller.pollOnce()) > 0) {
  calls++;
  if (calls % 20 === 0)
    process.stderr.write(`  drained ${published} orders (${(published / ((performance.now() - t) / 1000)).toFixed(0)}/s)\n`);
}
const drainSeconds = (performance.now() - t) / 1000;
console.log(
  `poller: ${published} OrderConfirmed published (5 lines each) in ${drainSeconds.toFixed(1)} s = ${(published / drainSeconds).toFixed(0)} orders/s (target >= 2,000/s); backlog of ${N} drained in ${drainSeconds.toFixed(1)} s; batch ${BATCH}`,
);

const adapter = versionAdapter(17);
const targets = orderIds.slice(0, WRITEBACKS);
t = performance.now();
for (const id of targets) {
  const booked = {
    ...sampleEvent('ShipmentBooked'),
    meta: sampleMeta({ eventId: randomUUID() }),
    orderId: String(id),
    trackingNumber: `TRK${id}`,
    carrierCode: 'DHL',
  };
  await writeShipmentBooked({ client, adapter, logger, confirmReceivedOrders: false }, booked);
}
const wbSeconds = (performance.now() - t) / 1000;
console.log(
  `write-back: ${targets.length} ShipmentBooked written to Odoo in ${wbSeconds.toFixed(1)} s = ${(targets.length / wbSeconds).toFixed(0)} operations/s (each: find order, find picking, find carrier, write; sequential)`,
);

client.close();
await producer.close();
await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
await admin.disconnect();
await db.dropDatabase();
await mongo.close();
await sim.close();
printSummary('odoo', [
  {
    figure: 'poller',
    value: published / drainSeconds,
    unit: 'orders/s',
    note: `backlog of ${N} orders (5 lines) drained in ${drainSeconds.toFixed(1)} s; target >= 2000/s`,
  },
  {
    figure: 'write-back (ShipmentBooked)',
    value: targets.length / wbSeconds,
    unit: 'operations/s',
    note: `${targets.length} sequential, 4 calls each against the simulator`,
  },
]);
