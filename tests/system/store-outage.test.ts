// The store stops answering while orders flow (issue 11): the services run on
// a store of their own (started by the stack launcher in a temporary home),
// which is SIGSTOPped mid-run; the launcher's watchdog finds it unhealthy,
// restarts it (stack dump first) and the services resume on their own. Every
// order ends delivered, each effect happened once, and each business event
// exists once per order on Kafka (by event id).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createKafka, createLogger, headersToStrings, loadRuntimeConfig } from '@odx/runtime';
import { OdooShop } from '../../scripts/demo/odoo-shop.js';
import { loadStackConfig, stackDown, stackUp, startWatchdog, type WatchdogEvent } from '../../scripts/stack/index.js';
import { readPidRecord } from '../../scripts/stack/process-control.js';
import { everyServiceReady, externalRefs, placeOrders, sleep, untilDelivered } from './support/system-checks.js';
import { freePort, startSystem, url } from './support/system-kit.js';

test(
  'a store frozen with SIGSTOP while orders flow is restarted by the watchdog; the services resume and every order is delivered once',
  { timeout: 600_000 },
  async (t) => {
    const home = mkdtempSync(join(tmpdir(), 'odx-store-outage-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ODX_HOME: home,
      ODX_DIST_DIR: process.env['ODX_DIST_DIR'] ?? join(process.env['ODX_HOME'] ?? join(homedir(), '.cache', 'odx'), 'dist'),
      ODX_STACK_MONGO_PORT: String(await freePort()),
      ODX_STACK_POSTGRES_PORT: String(await freePort()),
      // Only the store is started here; the other parts' ports only need to differ from the suite's.
      ODX_STACK_KAFKA_PORT: String(await freePort()),
      ODX_STACK_KAFKA_CONTROLLER_PORT: String(await freePort()),
      ODX_STACK_REGISTRY_PORT: String(await freePort()),
      ODX_STACK_REGISTRY_MANAGEMENT_PORT: String(await freePort()),
      ODX_STACK_PROBE_TIMEOUT_MS: '1000',
      ODX_STACK_STOP_TIMEOUT_MS: '5000',
    };
    delete env['ODX_MONGO_URL'];
    t.after(async () => {
      await stackDown({ parts: ['mongo'], wipe: true, quiet: true, env }).catch(() => undefined);
      rmSync(home, { recursive: true, force: true });
    });
    const store = await stackUp({ parts: ['mongo'], quiet: true, env });
    const events: WatchdogEvent[] = [];
    const controller = new AbortController();
    const watchdog = startWatchdog({
      parts: ['mongo'],
      env,
      intervalMs: 1_000,
      failures: 3,
      signal: controller.signal,
      onEvent: (e) => events.push(e),
    });
    t.after(() => watchdog.stop());

    const sys = await startSystem(t, { ODX_MONGO_URL: store.mongoUrl });
    const shop = new OdooShop(url(sys.ports.odoo));
    await shop.load();
    const since = new Date(Date.now() - 1_000);
    await placeOrders(shop, 30, sys.id.toUpperCase());
    await untilDelivered(sys, since, 5, Date.now() + 120_000);

    const frozen = readPidRecord(loadStackConfig(env).paths.pidFile('mongo'));
    assert.ok(frozen, 'the store has a pid file');
    process.kill(frozen.pid, 'SIGSTOP');
    const stoppedAt = Date.now();
    while (!events.some((e) => e.kind === 'restarted') && Date.now() - stoppedAt < 60_000) await sleep(500);
    const restarted = events.find((e) => e.kind === 'restarted');
    assert.ok(restarted, `the watchdog restarted the store within 60 s (events: ${JSON.stringify(events)})`);
    t.diagnostic(
      `store frozen, restarted by the watchdog after ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s (dump: ${restarted.kind === 'restarted' ? restarted.dumpFile : '-'})`,
    );

    await untilDelivered(sys, since, 30, Date.now() + 240_000);
    const wms = await externalRefs(url(sys.ports.wms), '/v1/outbound-orders', 'externalRef');
    assert.deepEqual([wms.length, new Set(wms).size], [30, 30], 'each order once in the WMS');
    const tms = await externalRefs(url(sys.ports.tms), '/v1/shipments', 'orderRef');
    assert.deepEqual([tms.length, new Set(tms).size], [30, 30], 'each order booked once');
    await everyServiceReady(sys, 'after the store came back');

    // On Kafka: per order, one event id for each milestone the flow publishes (a redelivery may repeat a message, never an event).
    const kafka = createKafka(loadRuntimeConfig('store-outage-test').kafka, createLogger({ service: 'store-outage-test', level: 'error' }));
    const consumer = kafka.consumer({ groupId: `store-outage-${sys.id}` });
    t.after(() => consumer.disconnect());
    await consumer.connect();
    await consumer.subscribe({ topics: [`${sys.prefix}odx.shipments.v1`], fromBeginning: true });
    const ids = new Map<string, Set<string>>();
    let seen = 0;
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen++;
        const h = headersToStrings(message.headers);
        const type = (h['ce_type'] ?? '').split('.').pop() ?? '';
        const key = `${message.key?.toString() ?? ''} ${type}`;
        const set = ids.get(key) ?? new Set<string>();
        set.add(h['ce_id'] ?? '');
        ids.set(key, set);
      },
    });
    const admin = kafka.admin();
    await admin.connect();
    const end = (await admin.fetchTopicOffsets(`${sys.prefix}odx.shipments.v1`)).reduce((n, p) => n + Number(p.high), 0);
    await admin.disconnect();
    while (seen < end) await sleep(200);
    for (const type of ['ShipmentPicked', 'ShipmentPacked', 'ShipmentBooked', 'ShipmentDispatched', 'ShipmentDelivered']) {
      const perOrder = [...ids].filter(([k]) => k.endsWith(` ${type}`));
      assert.equal(perOrder.length, 30, `${type} for every order`);
      const repeated = perOrder.filter(([, v]) => v.size > 1).map(([k]) => k);
      assert.deepEqual(repeated, [], `one ${type} event id per order`);
    }
  },
);
