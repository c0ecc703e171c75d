import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { canonicalEventOf } from '@odx/runtime';
import { FieldCatalog } from '../../src/odoo/field-catalog.js';
import { versionAdapter } from '../../src/odoo/version-adapter.js';
import { CursorStore } from '../../src/poll/cursor-store.js';
import { ModelPoller } from '../../src/poll/model-poller.js';
import { saleOrderSpec } from '../../src/poll/sale-order-spec.js';
import { pollerKit, type PollerTestKit } from '../support/kit.js';
import { odooFixture, type OdooFixture } from '../support/odoo.js';
import { runLoad, startOdooSimulator } from '@odx/sim-odoo';
import { OdooClient } from '../../src/odoo/odoo-client.js';

const here = dirname(fileURLToPath(import.meta.url));

function poller(kit: PollerTestKit, odoo: OdooFixture, batchSize: number, scope = 'test'): ModelPoller {
  const catalog = new FieldCatalog(odoo.client);
  return new ModelPoller({
    client: odoo.client,
    fields: catalog,
    spec: kit.redirect(saleOrderSpec(odoo.client, catalog, versionAdapter(17), 'acme')),
    cursors: new CursorStore(kit.db, scope),
    producer: kit.producer,
    logger: kit.logger,
    batchSize,
    lookbackSeconds: 30,
  });
}

/** Polls until a poll and a lookback both find nothing. */
async function drain(p: ModelPoller): Promise<number> {
  let total = 0;
  for (let i = 0; i < 10_000; i++) {
    const n = (await p.pollOnce()) + (await p.lookbackOnce());
    total += n;
    if (n === 0) return total;
  }
  throw new Error('poller did not drain');
}

function confirmations(events: Array<{ type: string; id: string; payload: unknown }>): Map<string, string> {
  const byId = new Map<string, string>();
  for (const e of events) {
    const event = canonicalEventOf({ eventType: e.type, payload: e.payload });
    if (event?.eventType === 'OrderConfirmed') byId.set(e.id, event.payload.order.orderId);
  }
  return byId;
}

test('many writes in one second, busy seconds larger than a batch, and late commits: every order once, none missed', async (t) => {
  const kit = await pollerKit(t);
  const odoo = await odooFixture(t);
  await odoo.admin('/clock/freeze', { at: '2026-11-26 10:00:00' });
  const first = await odoo.orders(60); // 60 confirmations in one second: larger than the batch of 25
  await odoo.admin('/clock/advance', { seconds: 1 });
  const second = await odoo.orders(15);
  await odoo.admin('/clock/advance', { seconds: 1 });
  const p = poller(kit, odoo, 25);
  await drain(p);
  // A long transaction commits now, with write_dates older than what the poller has seen.
  await odoo.admin('/clock/advance', { seconds: 1 });
  const late = await odoo.orders(8);
  await odoo.admin('/late-commit', { model: 'sale.order', ids: late, seconds: 2 });
  await drain(p);
  await odoo.admin('/clock/advance', { seconds: 1 });
  const after = await odoo.orders(5);
  await drain(p);

  const expected = [...first, ...second, ...late, ...after].map(String);
  const events = await kit.readAll(expected.length);
  const confirmed = confirmations(events);
  const orderConfirmedMessages = events.filter((e) => e.type === 'OrderConfirmed').length;
  assert.equal(confirmed.size, expected.length, 'one event id per confirmed order');
  assert.deepEqual([...new Set(confirmed.values())].sort(), [...expected].sort(), 'every order, none missed');
  assert.equal(orderConfirmedMessages, expected.length, 'and none published twice');
});

test('a poller restarted mid-stream resumes from its cursor with no loss', async (t) => {
  const kit = await pollerKit(t);
  const odoo = await odooFixture(t);
  const ids = await odoo.orders(80);
  const a = poller(kit, odoo, 20, 'restart');
  await a.pollOnce();
  await a.pollOnce();
  // "Restart": a new poller with the same cursor store picks up where the first stopped.
  const b = poller(kit, odoo, 20, 'restart');
  await drain(b);
  const confirmed = confirmations(await kit.readAll(ids.length));
  assert.deepEqual([...new Set(confirmed.values())].sort(), ids.map(String).sort());
});

test('Odoo down during polling: nothing lost, the cursor waits, catch-up afterwards', async (t) => {
  const kit = await pollerKit(t);
  const odoo = await odooFixture(t);
  const firstIds = await odoo.orders(30);
  const p = poller(kit, odoo, 10, 'downtime');
  await p.pollOnce();
  const before = p.position;
  await odoo.admin('/downtime', { on: true });
  await assert.rejects(p.pollOnce(), (err: unknown) => (err as { kind?: string }).kind === 'transient');
  assert.deepEqual(p.position, before, 'cursor not advanced while Odoo is down');
  await odoo.admin('/downtime', { on: false });
  const moreIds = await odoo.orders(10);
  // The client's circuit may be open after the failures: wait it out like the service loop does.
  await new Promise((r) => setTimeout(r, 5_500));
  await drain(p);
  const confirmed = confirmations(await kit.readAll(40));
  assert.deepEqual([...new Set(confirmed.values())].sort(), [...firstIds, ...moreIds].map(String).sort());
});

test('10,000 orders generated while polling (same-second bursts, late commits) come out as exactly 10,000 OrderConfirmed ids', async (t) => {
  const kit = await pollerKit(t);
  const odoo = await odooFixture(t);
  const p = poller(kit, odoo, 500, 'load');
  const stop = new AbortController();
  const polling = p.run(stop.signal);
  const counts = await runLoad({
    url: odoo.sim.url,
    db: 'odx',
    login: 'admin',
    password: 'admin',
    adminToken: 'sim-admin',
    orders: 10_000,
    rate: 100_000,
    concurrency: 8,
    sameSecond: 200,
    latePercent: 5,
    lateSeconds: 3,
    cancelRatio: 0,
    validateRatio: 0.2,
    invoiceRatio: 0.1,
    payRatio: 0,
    seed: 7,
  });
  assert.equal(counts.errors, 0);
  assert.equal(counts.confirmed, 10_000);
  // Let the poller catch up, then stop it and drain what is left.
  await new Promise((r) => setTimeout(r, 3_000));
  stop.abort();
  await polling;
  await drain(p);
  const confirmed = confirmations(await kit.readAll(10_000, 120_000));
  assert.equal(confirmed.size, 10_000, 'exactly 10,000 OrderConfirmed event ids');
  assert.deepEqual([...new Set(confirmed.values())].sort(), counts.orderIds.map(String).sort(), 'one per generated order');
});

test('a poller process killed with SIGKILL mid-stream and started again loses nothing', async (t) => {
  const kit = await pollerKit(t);
  const odoo = await odooFixture(t);
  const ids = await odoo.orders(150);
  const start = (): ChildProcess => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures', 'poller-process.ts')], {
      env: { ...process.env, ODOO_URL: odoo.sim.url, TEST_TOPIC: kit.topic, TEST_DB: kit.db.databaseName },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    t.after(() => void child.kill('SIGKILL'));
    return child;
  };
  const first = start();
  // Kill it once it has published a few batches but not all.
  let cycles = 0;
  first.stdout!.on('data', (chunk: Buffer) => {
    cycles += chunk
      .toString()
      .split('\n')
      .filter((l) => /^cycle [1-9]/.test(l)).length;
  });
  const deadline = Date.now() + 60_000;
  while (cycles < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  first.kill('SIGKILL');
  await once(first, 'exit');
  const cursor = await kit.db.collection('odx_poll_cursors').findOne({});
  assert.ok(cursor, 'the first process saved a cursor before it died');
  start();
  const confirmed = confirmations(await kit.readAll(ids.length, 60_000));
  assert.deepEqual([...new Set(confirmed.values())].sort(), ids.map(String).sort(), 'every order after the restart');
});

test('the Odoo simulator process stopped for a while during polling: no loss, catch-up after its restart', async (t) => {
  const kit = await pollerKit(t);
  const dataFile = join(tmpdir(), `odx-sim-${process.pid}-${Date.now()}.jsonl`);
  t.after(() => rm(dataFile, { force: true }));
  let sim = await startOdooSimulator({ port: 0, dataFile, seed: { products: 20, customers: 10 } });
  const port = sim.port;
  const client = new OdooClient({ url: sim.url, db: 'odx', username: 'admin', password: 'admin', timeoutMs: 2_000 });
  t.after(async () => {
    client.close();
    await sim.close();
  });
  const catalog = new FieldCatalog(client);
  const p = new ModelPoller({
    client,
    fields: catalog,
    spec: kit.redirect(saleOrderSpec(client, catalog, versionAdapter(17), 'acme')),
    cursors: new CursorStore(kit.db, 'stopped'),
    producer: kit.producer,
    logger: kit.logger,
    batchSize: 10,
    intervalMs: 100,
    lookbackSeconds: 30,
  });
  const partner = (await client.executeKw<number[]>('res.partner', 'search', [[['customer_rank', '>', 0]]], { limit: 1 }))[0]!;
  const product = (await client.executeKw<number[]>('product.product', 'search', [[['type', '=', 'product']]], { limit: 1 }))[0]!;
  const order = async (): Promise<number> => {
    const id = await client.executeKw<number>('sale.order', 'create', [
      { partner_id: partner, order_line: [[0, 0, { product_id: product, product_uom_qty: 1 }]] },
    ]);
    await client.executeKw('sale.order', 'action_confirm', [[id]]);
    return id;
  };
  const ids: number[] = [];
  for (let i = 0; i < 25; i++) ids.push(await order());
  const stop = new AbortController();
  const polling = p.run(stop.signal);
  await p.pollOnce().catch(() => undefined);
  await sim.close(); // Odoo goes away mid-stream
  await new Promise((r) => setTimeout(r, 2_000));
  sim = await startOdooSimulator({ port, dataFile, seed: { products: 20, customers: 10 } }); // same data, same address
  for (let i = 0; i < 5; i++)
    ids.push(
      await order().catch(async () => {
        await new Promise((r) => setTimeout(r, 6_000));
        return order();
      }),
    );
  const confirmed = confirmations(await kit.readAll(ids.length, 60_000));
  stop.abort();
  await polling;
  assert.deepEqual([...new Set(confirmed.values())].sort(), ids.map(String).sort());
});
