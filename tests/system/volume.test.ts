// The whole system at a day's volume (issue 11): every service and simulator
// is its own process, on the real local stack.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MongoClient } from 'mongodb';
import { OdooShop } from '../../scripts/demo/odoo-shop.js';
import { everyServiceReady, externalRefs, placeOrders, sleep, storeAnswers, untilDelivered } from './support/system-checks.js';
import { startSystem, url } from './support/system-kit.js';

// The time to deliver them is measured and reported (t.diagnostic, docs/benchmarks.md), not asserted: on a
// shared 2-core machine it varies with whatever else runs (measured 124 s alone, 180-200 s with other suites
// running, over 400 s beside another system test). The test asserts that every order gets through, once, and
// that deliveries never stall.
test(
  '500 orders flow through every service, the lifecycle snapshot writes them all, and afterwards every service is ready and the store answers',
  { timeout: 900_000 },
  async (t) => {
    // Release on OrderConfirmed, the orchestrator observing: 500 demo orders sell more of some products than one
    // warehouse holds, and the orchestrated flow rightly holds those at allocation with a case (an order short of
    // stock is not delivered). This test is about volume through every service; the orchestrated flow's holds and
    // cases are tested in tests/system/orchestrated-outage.test.ts and services/order-orchestrator.
    const sys = await startSystem(
      t,
      {},
      {
        env: {
          'wms-bridge': { ODX_WMS_BRIDGE_RELEASE_ON: 'order-confirmed' },
          'order-orchestrator': { ODX_ORCHESTRATOR_RELEASE_MODE: 'observe' },
        },
      },
    );
    const shop = new OdooShop(url(sys.ports.odoo));
    await shop.load();
    const since = new Date(Date.now() - 1_000);
    const started = Date.now();
    await placeOrders(shop, 500, sys.id.toUpperCase());
    t.diagnostic(`500 orders placed in Odoo in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    // 360 s, and longer while orders still arrive (two system tests side by side on 2 cores took 400 s and more);
    // a flow that stops delivering for 90 s fails.
    const done = await untilDelivered(sys, since, 500, started + 360_000, { stallMs: 90_000, latest: started + 720_000 });
    t.diagnostic(
      `all 500 delivered ${((Date.now() - started) / 1000).toFixed(1)} s after the first order; confirmed -> delivered p50 ${done.cycleTimes.confirmedToDelivered.p50Ms} ms, p95 ${done.cycleTimes.confirmedToDelivered.p95Ms} ms`,
    );

    // Each order once in the WMS and once in the TMS.
    const wms = await externalRefs(url(sys.ports.wms), '/v1/outbound-orders', 'externalRef');
    assert.equal(wms.length, 500);
    assert.equal(new Set(wms).size, 500, 'no WMS order twice');
    const tms = await externalRefs(url(sys.ports.tms), '/v1/shipments', 'orderRef');
    assert.equal(new Set(tms).size, 500, 'one booking per order');
    assert.equal(tms.length, 500, 'no booking twice');

    // The snapshot runs at its default interval (60 s) and writes 500 lifecycles in bounded commands.
    const mongo = new MongoClient(process.env['ODX_MONGO_URL'] ?? 'mongodb://127.0.0.1:27017/', { serverSelectionTimeoutMS: 5_000 });
    t.after(() => mongo.close());
    await mongo.connect();
    const lifecycles = mongo.db(sys.database).collection('analytics_order_lifecycles');
    const deadline = Date.now() + 90_000;
    while ((await lifecycles.countDocuments({ 'milestones.delivered': { $exists: true } }).catch(() => 0)) < 500 && Date.now() < deadline)
      await sleep(2_000);
    const snapshotted = await lifecycles.countDocuments();
    assert.ok(snapshotted >= 500, `the lifecycle snapshot holds ${snapshotted} of 500 orders`);

    await everyServiceReady(sys, 'after the volume');
    await storeAnswers(sys);
  },
);
