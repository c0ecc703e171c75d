import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startRecordingReceiver, verifyWebhook, type RecordingReceiver } from '../../src/kit/index.js';
import { startWmsSimulator, TEST_TIMINGS, type WmsSimulator } from '../../src/index.js';
import { ADMIN, assertSigned, call, typesOf } from '../../src/kit/index.js';

const SECRET = `whsec_${Buffer.from(randomUUID()).toString('base64')}`;

function orderBody(): Record<string, unknown> {
  return {
    externalRef: `S-${randomUUID()}`,
    warehouse: 'WH',
    shipTo: { name: 'Ada', street1: 'Street 1', city: 'Berlin', postalCode: '10115', countryCode: 'DE' },
    lines: [{ sku: 'SKU-A', qty: 1 }],
    requestedShipDate: '2030-01-15',
  };
}

describe('wms simulator: webhook delivery', () => {
  let sim: WmsSimulator;
  let receiver: RecordingReceiver;

  before(async () => {
    receiver = await startRecordingReceiver();
    // Orders move only when the test says so, so the order of events is the test's.
    sim = await startWmsSimulator({ port: 0, ...TEST_TIMINGS, autoAdvance: false, webhookSecret: SECRET, webhookUrl: receiver.url });
  });
  after(async () => {
    await sim.close();
    await receiver.close();
  });
  beforeEach(async () => {
    await call(sim.url, 'POST', '/sim/admin/reset', undefined, ADMIN);
    receiver.received.length = 0;
    receiver.respondWith(() => 204);
  });

  async function createAndAdvance(steps: number): Promise<string> {
    const created = await call(sim.url, 'POST', '/v1/outbound-orders', orderBody());
    for (let i = 0; i < steps; i++) await call(sim.url, 'POST', `/sim/admin/orders/${created.body.id}/advance`, undefined, ADMIN);
    return created.body.id as string;
  }

  test('a receiver answering 500 gets retries with the same webhook-id until it answers 2xx', async () => {
    receiver.respondWith((_hook, index) => (index < 2 ? 500 : 200));
    await createAndAdvance(1);
    const hooks = await receiver.waitFor((r) => r.length >= 3);
    await sim.webhooks.idle();
    assert.equal(new Set(hooks.map((h) => h.webhookId)).size, 1, 'retries keep the webhook-id');
    for (const hook of hooks) assertSigned(hook, SECRET);

    const log = await call(sim.url, 'GET', '/sim/admin/deliveries?eventType=order.picked', undefined, ADMIN);
    const [delivery] = log.body.items;
    assert.equal(delivery.status, 'succeeded');
    assert.deepEqual(
      delivery.attempts.map((a: { status: number }) => a.status),
      [500, 500, 200],
    );
    // Each retry waits at least its backoff (initial, then doubled), counted from the failed answer, which
    // comes after the receipt. Lower bounds only: a busy machine may stretch any gap, never shorten one.
    const gaps = hooks.slice(1).map((h, i) => h.receivedAt - hooks[i]!.receivedAt);
    const initial = TEST_TIMINGS.delivery.initialDelayMs;
    assert.ok(
      gaps[0]! >= initial - 1 && gaps[1]! >= 2 * initial - 1,
      `backoff of ${initial} then ${2 * initial} ms: gaps ${gaps.join(', ')} ms`,
    );
  });

  test('a receiver that never accepts sees every attempt, then the delivery is failed', async () => {
    receiver.respondWith(() => 503);
    await createAndAdvance(1);
    await sim.webhooks.idle();
    assert.equal(receiver.received.length, TEST_TIMINGS.delivery.maxAttempts);
    const log = await call(sim.url, 'GET', '/sim/admin/deliveries?status=failed', undefined, ADMIN);
    assert.equal(log.body.items.length, 1);
    assert.equal(log.body.items[0].attempts.length, TEST_TIMINGS.delivery.maxAttempts);
  });

  test('a slow receiver counts as a timeout and is retried', async () => {
    const fast = await startWmsSimulator({
      port: 0,
      autoAdvance: false,
      webhookUrl: receiver.url,
      delivery: { maxAttempts: 2, initialDelayMs: 10, timeoutMs: 100 },
    });
    try {
      receiver.respondWith((_hook, index) => (index === 0 ? { status: 200, delayMs: 400 } : 200));
      await call(fast.url, 'POST', '/sim/admin/inventory/adjustments', { warehouse: 'WH', sku: 'X', delta: 1 }, ADMIN);
      await fast.webhooks.idle();
      const [delivery] = fast.webhooks.deliveries();
      assert.equal(delivery!.status, 'succeeded');
      assert.match(delivery!.attempts[0]!.error ?? '', /no answer within 100 ms/);
      assert.equal(delivery!.attempts[1]!.status, 200);
    } finally {
      await fast.close();
    }
  });

  test('duplicate injection delivers the same message twice', async () => {
    await call(sim.url, 'PATCH', '/sim/admin/faults', { webhooks: { duplicateRate: 1 } }, ADMIN);
    await createAndAdvance(1);
    const hooks = await receiver.waitFor((r) => r.length >= 2);
    assert.equal(hooks[0]!.webhookId, hooks[1]!.webhookId);
    assert.equal(hooks[0]!.body, hooks[1]!.body);
    const faults = await call(sim.url, 'GET', '/sim/admin/faults', undefined, ADMIN);
    assert.equal(faults.body.injected.webhookDuplicates, 1);
  });

  test('out-of-order injection delivers shipped before packed before picked', async () => {
    await call(sim.url, 'PATCH', '/sim/admin/faults', { webhooks: { outOfOrderWindowMs: 150 } }, ADMIN);
    await createAndAdvance(3);
    const hooks = await receiver.waitFor((r) => r.length >= 3);
    assert.deepEqual(typesOf(hooks), ['order.shipped', 'order.packed', 'order.picked']);
    const versions = hooks.map((h) => (h.payload as { data: { version: number } }).data.version);
    assert.deepEqual(
      versions,
      [...versions].sort((a, b) => b - a),
      'the version field lets a receiver see the disorder',
    );
  });

  test('a replay resends an old delivery: same id and body, an old timestamp a receiver must refuse', async () => {
    await createAndAdvance(1);
    const [original] = await receiver.waitFor((r) => r.length >= 1);
    await sim.webhooks.idle();
    const [delivery] = (await call(sim.url, 'GET', '/sim/admin/deliveries', undefined, ADMIN)).body.items;

    const verbatim = await call(sim.url, 'POST', `/sim/admin/deliveries/${delivery.deliveryId}/replay`, {}, ADMIN);
    assert.equal(verbatim.status, 202);
    const old = await call(sim.url, 'POST', `/sim/admin/deliveries/${delivery.webhookId}/replay`, { ageSeconds: 3600 }, ADMIN);
    assert.equal(old.status, 202);
    const hooks = await receiver.waitFor((r) => r.length >= 3);

    const [, sameAgain, stale] = hooks;
    assert.equal(sameAgain!.webhookId, original!.webhookId);
    assert.equal(sameAgain!.webhookSignature, original!.webhookSignature, 'a verbatim replay carries the captured signature');
    assert.equal(stale!.webhookId, original!.webhookId);
    assert.equal(stale!.body, original!.body);
    assertSigned(stale!, SECRET);
    assert.ok(Number(stale!.webhookTimestamp) <= Date.now() / 1000 - 3599);
    const verdict = verifyWebhook(
      SECRET,
      { id: stale!.webhookId, timestamp: stale!.webhookTimestamp, signature: stale!.webhookSignature },
      stale!.body,
    );
    assert.deepEqual(verdict, { ok: false, reason: 'timestamp_out_of_tolerance' });
  });

  test('subscriptions can be managed and filtered by event type', async () => {
    const other = await startRecordingReceiver();
    try {
      const created = await call(sim.url, 'POST', '/sim/admin/subscriptions', { url: other.url, events: ['inventory.*'] }, ADMIN);
      assert.equal(created.status, 201);
      await createAndAdvance(1);
      await call(sim.url, 'POST', '/sim/admin/inventory/adjustments', { warehouse: 'WH', sku: 'SKU-A', delta: 2 }, ADMIN);
      await sim.webhooks.idle();
      assert.deepEqual(typesOf(other.received), ['inventory.adjusted']);
      assert.deepEqual(typesOf(receiver.received), ['order.picked', 'inventory.adjusted']);
      assert.equal((await call(sim.url, 'DELETE', `/sim/admin/subscriptions/${created.body.id}`, undefined, ADMIN)).status, 204);
      const list = await call(sim.url, 'GET', '/sim/admin/subscriptions', undefined, ADMIN);
      assert.equal(list.body.items.length, 1);
      const bad = await call(sim.url, 'POST', '/sim/admin/subscriptions', { url: 'not a url' }, ADMIN);
      assert.equal(bad.status, 422);
    } finally {
      await other.close();
    }
  });
});
