import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { X12Parser, type X12Interchange } from 'node-x12';
import { createClusterAdmin, createServiceRuntime, dlqTopicName, retryTopicName } from '@odx/runtime';
import { OdooClient, loadPollerConfig, startPoller } from '@odx/odoo-outbox-poller';
import { startOdooSimulator } from '@odx/sim-odoo';
import { northwind850 } from '../support/x12-samples.js';
import { eventually, skipHistory, startGateway } from '../support/gateway-kit.js';

const WRITEBACK_TOPICS = ['odx.orders.v1', 'odx.shipments.v1', 'odx.inventory.v1'];

test("round trip: an 850 becomes an order in Odoo through the poller's write-back, and its confirmation goes back as an 855", async (t) => {
  const T0 = Date.now();
  const mark = (what: string): void =>
    void (process.env['ODX_TEST_LOG_LEVEL'] && console.error(`[roundtrip] ${what} at +${Date.now() - T0} ms`));
  const sim = await startOdooSimulator({ port: 0, seed: { products: 20, customers: 10 } });
  mark('sim up');
  const id = randomUUID().slice(0, 8);

  // The gateway reads and writes the real orders topic, as the poller's write-back only listens there.
  const gw = await startGateway(t, {}, { topics: { orders: 'odx.orders.v1' }, startAtEnd: true });
  mark('gateway up');

  // The Odoo connector, in-process: write-back (confirming received orders) and the sale.order poller.
  const pollerEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ODX_SERVICE_NAME: 'odoo-outbox-poller',
    ODX_INSTANCE_ID: `poller-test-${id}`,
    ODX_HTTP_PORT: '0',
    ODX_MONGO_DB: `edi_rt_poller_${id}`,
    ODX_LOG_LEVEL: process.env['ODX_TEST_LOG_LEVEL'] ?? 'error',
    ODOO_URL: sim.url,
    ODOO_TIMEOUT_MS: '5000',
    ODX_POLL_MODELS: 'sale.order',
    ODX_POLL_INTERVAL_MS: '300',
    ODX_POLLER_NAME: `edi-rt-${id}`,
    ODX_WRITEBACK: 'true',
    ODX_WRITEBACK_GROUP: `edi-rt-wb-${id}`,
    ODX_WRITEBACK_CONFIRM_ORDERS: 'true',
  };
  const poller = await createServiceRuntime({ name: 'odoo-outbox-poller', env: pollerEnv });
  poller.logger.silent = process.env['ODX_TEST_LOG_LEVEL'] === undefined;
  const pollerConfig = loadPollerConfig(pollerEnv);
  mark('poller runtime up');
  await skipHistory(poller.cluster, pollerConfig.writeback.groupId, WRITEBACK_TOPICS);
  mark('write-back offsets set');
  t.after(async () => {
    const doomed = WRITEBACK_TOPICS.flatMap((topic) => [
      retryTopicName(topic, pollerConfig.writeback.groupId, 1),
      retryTopicName(topic, pollerConfig.writeback.groupId, 2),
      retryTopicName(topic, pollerConfig.writeback.groupId, 3),
      dlqTopicName(topic, pollerConfig.writeback.groupId),
    ]);
    // The poller's own cluster connection, before its runtime closes it.
    const existing = new Set(await poller.cluster.listTopics());
    const present = doomed.filter((n) => existing.has(n));
    await poller.db.dropDatabase().catch(() => undefined);
    const stopped = poller.shutdown('test done');
    await stopped;
    // Through a short-lived connection of our own: both runtimes' clients may be closed by now.
    const cluster = createClusterAdmin(poller.config.kafka, poller.logger);
    try {
      if (present.length) await cluster.deleteTopics(present).catch(() => undefined);
      // The write-back group read the real odx.* topics: remove it, or it shows up as lagging forever.
      await cluster.deleteGroups([pollerConfig.writeback.groupId]).catch(() => undefined);
    } finally {
      await cluster.close();
    }
  });
  await startPoller(poller, pollerConfig);
  mark('poller started');
  // Last registered, so it runs after the poller stopped polling it.
  t.after(() => sim.close());

  const po = `RT-${id}`;
  gw.drop('northwind', `${po}.edi`, northwind850(String(Date.now() % 1_000_000_000).padStart(9, '0'), po));
  await eventually(() => (gw.files('northwind', 'archive').length === 1 ? true : undefined), 20_000, 'the 850 accepted');

  const client = new OdooClient({ url: sim.url, db: 'odx', username: 'admin', password: 'admin', timeoutMs: 5_000 });
  t.after(() => client.close());
  const order = await eventually(
    async () => {
      const [o] = await client.searchRead<{
        id: number;
        state: string;
        origin: string;
        order_line: number[];
        partner_id: [number, string];
      }>('sale.order', [['client_order_ref', '=', po]], { fields: ['state', 'origin', 'order_line', 'partner_id'] });
      return o?.state === 'sale' ? o : undefined;
    },
    30_000,
    'the order created and confirmed in Odoo',
  );
  assert.equal(order.origin, `odx:edi:northwind:${po}`);
  assert.equal(order.order_line.length, 2);
  const [customer] = await client.searchRead<{ ref: string }>('res.partner', [['id', '=', order.partner_id[0]]], { fields: ['ref'] });
  assert.equal(customer?.ref, 'C00001', 'booked on the customer of the partner profile');

  const ack855 = await eventually(
    () => gw.files('northwind', 'outbound').find((f) => f.startsWith('855-')),
    30_000,
    "the 855 in the partner's outbound folder",
  );
  const x = new X12Parser(true).parse(gw.read('northwind', 'outbound', ack855)) as X12Interchange;
  const segs = x.functionalGroups[0]!.transactions[0]!.segments.map((s) => [s.tag, ...s.elements.map((e) => e.value)].join('*'));
  assert.ok(segs[0]!.startsWith(`BAK*00*AD*${po}*`), segs[0]);
  assert.deepEqual(
    segs.filter((s) => s.startsWith('ACK')).map((s) => s.split('*').slice(0, 4).join('*')),
    ['ACK*IA*10*EA', 'ACK*IA*2*CA'],
  );
  assert.equal(x.header.valueOf(8)!.trim(), 'NORTHWIND');
});
