import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { event, startReceiver, startService, waitFor, type Received, type RunningService } from '../support/service-kit.js';

async function subscribe(s: RunningService, url: string, extra: Record<string, unknown> = {}): Promise<{ id: string; secret: string }> {
  const r = await s.call('POST', '/subscriptions', 'operator', { name: 'crm', url, eventTypes: ['*'], ...extra });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { id: r.body.subscription.id, secret: r.body.secret };
}

const ok = (r: Received, statuses: Map<Received, number>): boolean => (statuses.get(r) ?? 0) < 300;

test('a receiver that fails, then recovers, gets every event, verified, with the attempts in the delivery log', async (t) => {
  const s = await startService(t);
  const rx = await startReceiver(t);
  rx.respond = (_r, n) => ({ status: n <= 2 ? 503 : 200 });
  const sub = await subscribe(s, rx.url);
  const e = event(s.topic, 'SO-1');
  await s.publish([e]);
  const got = await waitFor('the delivery after two failures', () => rx.received.length >= 3 && rx.received);
  const wh = new Webhook(sub.secret);
  for (const r of got) assert.equal((wh.verify(r.body, r.headers) as { id: string }).id, e.payload.meta.eventId);
  assert.equal(got[0]!.headers['webhook-id'], e.payload.meta.eventId);
  assert.equal(got[0]!.headers['content-type'], 'application/cloudevents+json; charset=utf-8');
  assert.equal(got[0]!.json.type, 'com.odx.events.OrderConfirmed');
  assert.equal(got[0]!.json.subject, 'SO-1');
  const log = await waitFor('the log', async () => {
    const r = await s.call('GET', `/subscriptions/${sub.id}/deliveries`, 'viewer');
    return r.body.deliveries?.[0]?.status === 'delivered' && r.body.deliveries[0];
  });
  assert.deepEqual(
    log.attempts.map((a: { outcome: string; status: number }) => [a.outcome, a.status]),
    [
      ['failed', 503],
      ['failed', 503],
      ['delivered', 200],
    ],
  );
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(rx.received.length, 3, 'nothing more after the 2xx');
});

test('a slow receiver times out, is retried, and does not hold up another subscription', async (t) => {
  const s = await startService(t, { env: { ODX_WEBHOOKS_TIMEOUT_MS: '500' } });
  const slow = await startReceiver(t);
  const fast = await startReceiver(t);
  slow.respond = (_r, n) => ({ status: 200, delayMs: n === 1 ? 2_000 : 0 });
  const a = await subscribe(s, slow.url);
  await subscribe(s, fast.url);
  const events = Array.from({ length: 20 }, (_, i) => event(s.topic, `K-${i % 4}`));
  const started = Date.now();
  await s.publish(events);
  await waitFor('the fast receiver', () => fast.received.length >= 20);
  assert.ok(Date.now() - started < 5_000, `the fast one got all 20 in ${Date.now() - started} ms`);
  await waitFor('the slow receiver, after its timeout', async () => {
    const r = await s.call('GET', `/subscriptions/${a.id}/deliveries?limit=100`, 'viewer');
    return r.body.deliveries.length === 20 && r.body.deliveries.every((d: { status: string }) => d.status === 'delivered') && r.body;
  });
  const log = await s.call('GET', `/subscriptions/${a.id}/deliveries?limit=100`, 'viewer');
  const timedOut = log.body.deliveries
    .flatMap((d: { attempts: Array<{ error: string | null }> }) => d.attempts)
    .filter((x: { error: string | null }) => /timed out after 500 ms/.test(x.error ?? ''));
  assert.equal(timedOut.length, 1);
});

test('a receiver that answers 410 Gone disables its subscription, with an audit entry and a metric', async (t) => {
  const s = await startService(t);
  const rx = await startReceiver(t);
  rx.respond = () => ({ status: 410 });
  const sub = await subscribe(s, rx.url);
  await s.publish([event(s.topic, 'SO-9'), event(s.topic, 'SO-9')]);
  const disabled = await waitFor('disabled', async () => {
    const r = await s.call('GET', `/subscriptions/${sub.id}`, 'viewer');
    return r.body.status === 'disabled' && r.body;
  });
  assert.match(disabled.disabledReason, /^gone: /);
  const audit = await s.call('GET', `/audit?action=subscription.auto-disable&target=${sub.id}`, 'viewer');
  assert.equal(audit.body.entries.length, 1);
  assert.equal(audit.body.entries[0].actor, 'system');
  const metrics = await (await fetch(`${s.url}/metrics`)).text();
  assert.match(metrics, new RegExp(`odx_webhook_subscriptions_disabled_total\\{[^}]*subscription="${sub.id}"[^}]*reason="gone"[^}]*\\} 1`));
  await s.publish([event(s.topic, 'SO-10')]);
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal(rx.received.length, 1, 'one attempt, nothing after the 410');
});

test('persistent failure uses up the schedule and disables the subscription; enabling it delivers what waited', async (t) => {
  const s = await startService(t);
  const rx = await startReceiver(t);
  let up = false;
  rx.respond = () => ({ status: up ? 200 : 500 });
  const sub = await subscribe(s, rx.url);
  const e = event(s.topic, 'SO-2');
  await s.publish([e]);
  await waitFor('auto-disable', async () => (await s.call('GET', `/subscriptions/${sub.id}`, 'viewer')).body.status === 'disabled');
  assert.equal(rx.received.length, 4, 'the first attempt and three retries');
  up = true;
  assert.equal((await s.call('POST', `/subscriptions/${sub.id}/enable`, 'operator', {})).status, 200);
  await waitFor('delivery after enabling', () => rx.received.length === 5);
  assert.equal(rx.received[4]!.headers['webhook-id'], e.payload.meta.eventId);
});

test('secret rotation: with two active secrets each delivery verifies with either (standardwebhooks library); after removal only the new one', async (t) => {
  const s = await startService(t);
  const rx = await startReceiver(t);
  const sub = await subscribe(s, rx.url);
  const added = await s.call('POST', `/subscriptions/${sub.id}/secrets`, 'operator', {});
  assert.equal(added.status, 201);
  assert.equal(added.body.subscription.secrets.length, 2);
  assert.equal(JSON.stringify(added.body.subscription).includes(sub.secret), false, 'secrets are never shown again');
  await s.publish([event(s.topic, 'R-1')]);
  const [first] = await waitFor('rotation delivery', () => rx.received.length === 1 && rx.received);
  assert.equal(first!.headers['webhook-signature']!.split(' ').length, 2);
  for (const secret of [sub.secret, added.body.secret]) assert.ok(new Webhook(secret).verify(first!.body, first!.headers));
  const third = await s.call('POST', `/subscriptions/${sub.id}/secrets`, 'operator', {});
  assert.equal(third.status, 409);
  const oldId = added.body.subscription.secrets[0].id;
  assert.equal((await s.call('DELETE', `/subscriptions/${sub.id}/secrets/${oldId}`, 'operator')).status, 200);
  await waitFor('registry', async () => (await s.call('GET', `/subscriptions/${sub.id}`, 'viewer')).body.secrets.length === 1);
  await s.publish([event(s.topic, 'R-2')]);
  const second = (await waitFor('post-rotation delivery', () => rx.received.length === 2 && rx.received))[1]!;
  assert.ok(new Webhook(added.body.secret).verify(second.body, second.headers));
  assert.throws(() => new Webhook(sub.secret).verify(second.body, second.headers));
  const last = added.body.secret === undefined ? undefined : (await s.call('GET', `/subscriptions/${sub.id}`, 'viewer')).body.secrets[0].id;
  assert.equal((await s.call('DELETE', `/subscriptions/${sub.id}/secrets/${last}`, 'operator')).status, 409, 'the last secret stays');
});

test('ordered per key while receivers fail at random; keys go on independently', async (t) => {
  const s = await startService(t);
  const rx = await startReceiver(t);
  const statuses = new Map<Received, number>();
  let n = 0;
  rx.respond = (r) => {
    const status = ++n % 7 === 0 ? 500 : 200;
    statuses.set(r, status);
    return { status, delayMs: n % 5 };
  };
  await subscribe(s, rx.url);
  const keys = ['A', 'B', 'C', 'D'];
  const published: Record<string, string[]> = { A: [], B: [], C: [], D: [] };
  for (let round = 0; round < 15; round++) {
    const batch = keys.map((k) => event(s.topic, k));
    for (const e of batch) published[e.key]!.push(e.payload.meta.eventId);
    await s.publish(batch);
  }
  await waitFor('every event delivered', () => rx.received.filter((r) => ok(r, statuses)).length >= 60, 90_000);
  for (const k of keys) {
    const delivered = rx.received.filter((r) => r.json.subject === k && ok(r, statuses)).map((r) => r.headers['webhook-id']);
    assert.deepEqual(delivered, published[k], `key ${k} in order, each once`);
  }
});

test('the same event twice on the topic is delivered once per subscription', async (t) => {
  const s = await startService(t);
  const a = await startReceiver(t);
  const b = await startReceiver(t);
  await subscribe(s, a.url);
  await subscribe(s, b.url, { eventTypes: ['OrderConfirmed'] });
  const id = randomUUID();
  const e = event(s.topic, 'D-1', 'OrderConfirmed', id);
  await s.publish([e]);
  await s.publish([e, event(s.topic, 'D-2')]);
  await waitFor('both receivers', () => a.received.length >= 2 && b.received.length >= 2);
  await new Promise((r) => setTimeout(r, 1_000));
  for (const rx of [a, b]) assert.deepEqual(rx.received.map((r) => r.json.subject).sort(), ['D-1', 'D-2']);
  assert.match(await (await fetch(`${s.url}/metrics`)).text(), /odx_webhook_duplicates_total\{[^}]*\} 2/);
});

test('filters: event types, keys and a payload field decide what a subscription receives', async (t) => {
  const s = await startService(t);
  const rx = await startReceiver(t);
  await subscribe(s, rx.url, { eventTypes: ['OrderConfirmed'], keys: ['F-1', 'F-2'] });
  await s.publish([event(s.topic, 'F-1'), event(s.topic, 'F-3'), event(s.topic, 'F-2', 'OrderCancelled'), event(s.topic, 'F-2')]);
  await waitFor('two deliveries', () => rx.received.length >= 2);
  await new Promise((r) => setTimeout(r, 800));
  assert.deepEqual(rx.received.map((r) => r.json.subject).sort(), ['F-1', 'F-2']);
});
