import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWmsSimulator, TEST_TIMINGS } from '@odx/sim-wms';
import { ADMIN, call, confirmedOrder, eventually, startBridge } from '../support/bridge-kit.js';

interface OrderList {
  items: Array<{ id: string; externalRef: string }>;
}

test('WMS answering 503 for 30 s while 1,000 orders flow: afterwards each order exists in the WMS exactly once, nothing in the DLQ', async (t) => {
  const wms = await startWmsSimulator({ port: 0, ...TEST_TIMINGS, autoAdvance: false });
  t.after(() => wms.close());
  const b = await startBridge(t, wms.url);
  const states: string[] = [];
  t.after(b.bridge.client.circuit.onStateChange((s) => states.push(s)));

  const down = await call(wms.url, 'POST', '/sim/admin/downtime', { seconds: 30 }, ADMIN);
  assert.ok(down.status < 300, JSON.stringify(down.body));
  const downUntil = Date.now() + 30_000;
  const events = Array.from({ length: 1_000 }, () => confirmedOrder());
  // Published in chunks while the WMS is down, so orders keep arriving during the outage.
  for (let i = 0; i < events.length; i += 100) {
    await b.publishOrders(events.slice(i, i + 100));
    await new Promise((r) => setTimeout(r, 1_000));
  }
  const during = (await call(wms.url, 'GET', '/v1/outbound-orders?limit=1000')).status;
  assert.equal(during, 503, 'the WMS is still down after all orders were published');

  const list = await eventually(
    async () => {
      if (Date.now() < downUntil) return undefined;
      const res = await call(wms.url, 'GET', '/v1/outbound-orders?limit=1000');
      const body = res.body as OrderList;
      return res.status === 200 && body.items.length >= 1_000 ? body : undefined;
    },
    90_000,
    'all 1,000 orders in the WMS',
  );

  const refs = list.items.map((o) => o.externalRef);
  assert.equal(new Set(refs).size, 1_000, 'no external reference twice');
  assert.deepEqual(new Set(refs), new Set(events.map((e) => e.order.orderId)));
  // The WMS numbers its orders OB-000001, OB-000002, ...: the highest is the number ever created.
  const highest = Math.max(...list.items.map((o) => Number(o.id.replace(/^OB-/, ''))));
  assert.equal(highest, 1_000, 'the WMS created exactly 1,000 orders');

  const faults = (await call(wms.url, 'GET', '/sim/admin/faults', undefined, ADMIN)).body as { injected: { downtime: number } };
  assert.ok(faults.injected.downtime > 0, 'the WMS did refuse calls');
  assert.ok(states.includes('open'), `the circuit opened (states: ${states.join(',')})`);
  assert.equal(await b.messageCount(b.topics.dlq), 0, 'nothing dead-lettered');
});
