import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { event, startReceiver, startService, waitFor } from '../support/service-kit.js';

test('test send, manual redelivery of one delivery, and "recover since T" re-deliver with the same webhook-id', async (t) => {
  const s = await startService(t);
  const rx = await startReceiver(t);
  const created = await s.call('POST', '/subscriptions', 'operator', { name: 'finance', url: rx.url, eventTypes: ['OrderConfirmed'] });
  const { id } = created.body.subscription;
  const wh = new Webhook(created.body.secret);

  const tested = await s.call('POST', `/subscriptions/${id}/test`, 'operator', {});
  assert.equal(tested.body.delivered, true);
  assert.equal((wh.verify(rx.received[0]!.body, rx.received[0]!.headers) as { type: string }).type, 'com.odx.webhooks.Test');

  const before = Date.now() - 1;
  const events = [event(s.topic, 'P-1'), event(s.topic, 'P-2'), event(s.topic, 'P-1', 'OrderCancelled')];
  await s.publish(events);
  await waitFor('two deliveries', () => rx.received.length >= 3);
  const log = await waitFor('the log', async () => {
    const r = await s.call('GET', `/subscriptions/${id}/deliveries`, 'viewer');
    return (
      r.body.deliveries.length === 2 && r.body.deliveries.every((d: { status: string }) => d.status === 'delivered') && r.body.deliveries
    );
  });
  const one = log.find((d: { key: string }) => d.key === 'P-2');
  const again = await s.call('POST', `/deliveries/${encodeURIComponent(one.id)}/redeliver`, 'operator', {});
  assert.equal(again.status, 202);
  await waitFor('the redelivery', () => rx.received.length >= 4);
  assert.equal(rx.received[3]!.headers['webhook-id'], events[1]!.payload.meta.eventId);
  assert.ok(wh.verify(rx.received[3]!.body, rx.received[3]!.headers));

  const dry = await s.call('POST', `/subscriptions/${id}/recover`, 'operator', { since: new Date(before).toISOString() });
  assert.deepEqual(
    { dryRun: dry.body.dryRun, matched: dry.body.matched, scanned: dry.body.scanned },
    { dryRun: true, matched: 2, scanned: 3 },
  );
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(rx.received.length, 4, 'a dry run sends nothing');
  const run = await s.call('POST', `/subscriptions/${id}/recover`, 'operator', { since: before, execute: true });
  assert.equal(run.status, 202);
  assert.equal(run.body.queued, 2);
  await waitFor('the recovered deliveries', () => rx.received.length >= 6);
  const recovered = rx.received
    .slice(4)
    .map((r) => r.headers['webhook-id'])
    .sort();
  assert.deepEqual(recovered, [events[0]!.payload.meta.eventId, events[1]!.payload.meta.eventId].sort());
  const audit = (await s.call('GET', `/audit?target=${id}`, 'viewer')).body.entries.map((e: { action: string }) => e.action);
  assert.ok(audit.includes('subscription.recover') && audit.includes('subscription.test'));
  assert.ok((await s.call('GET', '/audit?action=delivery.redeliver', 'viewer')).body.entries.length === 1);
});

test('a restart delivers what was queued but not yet delivered (durable queue, lease taken over)', async (t) => {
  const first = await startService(t);
  const rx = await startReceiver(t);
  let up = false;
  rx.respond = () => ({ status: up ? 200 : 503 });
  const created = await first.call('POST', '/subscriptions', 'operator', { name: 'crm', url: rx.url, eventTypes: ['*'] });
  assert.equal(created.status, 201);
  const events = Array.from({ length: 10 }, (_, i) => event(first.topic, `S-${i % 3}`));
  await first.publish(events);
  await waitFor('first failures', () => rx.received.length >= 3);
  await first.stop();
  up = true;
  const db = first.rt.config.mongo.database;
  const second = await startService(t, { topic: first.topic, database: db, env: { ODX_WEBHOOKS_GROUP: first.config.consumer.groupId } });
  await waitFor(
    'all ten delivered by the second instance',
    () => new Set(rx.received.filter((r) => r.at > 0).map((r) => r.headers['webhook-id'])).size === 10 && rx.received,
    60_000,
  );
  const delivered = await waitFor('log', async () => {
    const r = await second.call('GET', `/subscriptions/${created.body.subscription.id}/deliveries?limit=100`, 'viewer');
    return r.body.deliveries.filter((d: { status: string }) => d.status === 'delivered').length === 10 && r.body.deliveries;
  });
  assert.equal(delivered.length, 10);
});
