import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { mintToken } from '@odx/runtime';
import { freePort, payloadsOf } from '@odx/runtime/testing';
import { confirmedOrder, eventually, fetchProcess, level, prepareStack, type ProcessView } from '../support/orchestrator-kit.js';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import { randomUUID } from 'node:crypto';

const here = dirname(fileURLToPath(import.meta.url));

test(
  'an orchestrator killed with SIGKILL mid-run and started again executes no step twice, and its timers still fire',
  { timeout: 180_000 },
  async (t) => {
    const port = await freePort();
    const stack = await prepareStack(t, { ODX_HTTP_PORT: String(port), ODX_ORCHESTRATOR_RETRY_DELAYS_MS: '1000' });
    const url = `http://127.0.0.1:${port}`;
    const token = await mintToken(stack.config.auth, 'tester', ['viewer']);
    const children: ChildProcess[] = [];
    stack.stopFirst(async () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
      await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? once(c, 'exit') : undefined)));
    });
    const start = async (): Promise<ChildProcess> => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures', 'orchestrator-process.ts')], {
        env: { ...stack.env, TEST_SLA_MS: '4000' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      t.after(() => void child.kill('SIGKILL'));
      let out = '';
      child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
      await eventually(() => (out.includes('ready') ? true : undefined), 60_000, 'orchestrator ready');
      return child;
    };

    await stack.publish('InventoryLevelChanged', 'SKU-A', level('SKU-A', 'WH', '100000.0000'), stack.topics.inventory);
    const releases = await stack.collect(stack.topics.shipments);
    const stages = await stack.collect(stack.topics.process);
    const first = await start();

    const orders = Array.from({ length: 60 }, () => confirmedOrder(['SKU-A']));
    for (const o of orders) await stack.publish('OrderConfirmed', o.order.orderId, o, stack.topics.orders);
    // Kill it while it is working through them.
    await eventually(() => (payloadsOf(releases, 'FulfillmentRequested').length >= 10 ? true : undefined), 60_000, 'first releases');
    first.kill('SIGKILL');
    await once(first, 'exit');

    await start();
    const views = new Map<string, ProcessView>();
    await eventually(
      async () => {
        for (const o of orders) {
          const p = await fetchProcess(url, token, o.order.orderId);
          if (p && p.stage === 'pick-pack') views.set(o.order.orderId, p);
        }
        return views.size === orders.length ? true : undefined;
      },
      60_000,
      'every order released',
    );
    // Half the orders are picked and packed; the others hear nothing, so their timers must fire after the restart.
    const quiet = orders.slice(0, 30);
    for (const o of orders.slice(30)) {
      const shipmentId = `${o.order.orderId}-WH`;
      const meta = (): ReturnType<typeof sampleMeta> => sampleMeta({ eventId: randomUUID(), source: 'wms' });
      await stack.publish(
        'ShipmentPicked',
        shipmentId,
        sampleEvent('ShipmentPicked', { meta: meta(), shipmentId, orderId: o.order.orderId, shortPicked: false }),
        stack.topics.shipments,
      );
      await stack.publish(
        'ShipmentPacked',
        shipmentId,
        sampleEvent('ShipmentPacked', { meta: meta(), shipmentId, orderId: o.order.orderId }),
        stack.topics.shipments,
      );
    }
    await eventually(
      async () => {
        for (const o of quiet) {
          const p = await fetchProcess(url, token, o.order.orderId);
          if (!p || p.stageStatus !== 'failed') return undefined;
        }
        return true;
      },
      60_000,
      'the quiet orders overdue, caught up, retried and handed to cases',
    );
    for (const o of quiet) assert.ok(stack.catchUps.includes(`wms:${o.order.orderId}`), `catch-up asked for ${o.order.orderId}`);

    // No step executed twice: every release of an order is its first one or the re-release of a retry round the process
    // recorded (ids are deterministic per attempt, so a repeat after the crash has the same id), never more.
    const expected = new Map<string, number>();
    for (const o of orders) {
      const p = await fetchProcess(url, token, o.order.orderId);
      expected.set(o.order.orderId, 1 + Math.min(p?.steps['pick-pack']?.attempts ?? 0, 1));
    }
    const releaseIds = (orderId: string): Set<string> =>
      new Set(
        payloadsOf(releases, 'FulfillmentRequested')
          .filter((r) => r.shipment.orderId === orderId)
          .map((r) => r.meta.eventId),
      );
    // The reader may lag a moment behind the processes.
    await eventually(
      () => (orders.every((o) => releaseIds(o.order.orderId).size >= expected.get(o.order.orderId)!) ? true : undefined),
      20_000,
      'releases read',
    );
    for (const o of orders) assert.equal(releaseIds(o.order.orderId).size, expected.get(o.order.orderId), `releases of ${o.order.orderId}`);
    const bySeq = new Map<string, Set<string>>();
    for (const s of payloadsOf(stages, 'OrderStageChanged')) {
      const key = `${s.orderId}#${s.sequence}`;
      let ids = bySeq.get(key);
      if (!ids) bySeq.set(key, (ids = new Set()));
      ids.add(`${s.stage}/${s.stageStatus}`);
    }
    for (const [key, seen] of bySeq) assert.equal(seen.size, 1, `stage event ${key} says one thing: ${[...seen].join(', ')}`);
  },
);
