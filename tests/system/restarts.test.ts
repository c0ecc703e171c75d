// The whole system through crashes (issue 11): every service and simulator is
// its own process, on the real local stack.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OdooShop } from '../../scripts/demo/odoo-shop.js';
import { everyServiceReady, externalRefs, placeOrders, untilDelivered } from './support/system-checks.js';
import { startSystem, url } from './support/system-kit.js';

test(
  'every service killed with SIGKILL and started again at once is ready within 60 s, and the system then carries new orders to delivery',
  { timeout: 600_000 },
  async (t) => {
    const sys = await startSystem(t);
    const shop = new OdooShop(url(sys.ports.odoo));
    await shop.load();
    const since = new Date(Date.now() - 1_000);
    const tag = sys.id.toUpperCase();
    await placeOrders(shop, 10, tag);
    await untilDelivered(sys, since, 10, Date.now() + 120_000);

    for (const name of [
      'odoo-outbox-poller',
      'wms-bridge',
      'tms-bridge',
      'edi-gateway',
      'analytics-sink',
      'replay-dlq',
      'order-orchestrator',
    ]) {
      const ms = await sys.killAndRestart(name, 60_000);
      t.diagnostic(`${name}: killed with SIGKILL, ready again after ${(ms / 1000).toFixed(1)} s`);
    }
    await everyServiceReady(sys, 'after the restarts');

    await placeOrders(shop, 10, tag, 10);
    await untilDelivered(sys, since, 20, Date.now() + 120_000);
    const wms = await externalRefs(url(sys.ports.wms), '/v1/outbound-orders', 'externalRef');
    assert.deepEqual([wms.length, new Set(wms).size], [20, 20], 'each order once in the WMS');
    const tms = await externalRefs(url(sys.ports.tms), '/v1/shipments', 'orderRef');
    assert.deepEqual([tms.length, new Set(tms).size], [20, 20], 'each order booked once');
  },
);
