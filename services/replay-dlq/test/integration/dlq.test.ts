import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PoisonMessageError, dlqTopicName, retryTopicName, type ConsumerRunner } from '@odx/runtime';
import { REDRIVE_HEADERS } from '../../src/dlq/dlq-message.js';
import { event, startService, uniqueName, waitFor } from '../support/service-kit.js';

const enc = encodeURIComponent;

test('1,000 poison messages reach the DLQ, are listed and browsed, and after the fix a redrive has each processed exactly once', async (t) => {
  const s = await startService(t);
  const topic = uniqueName('test.rdlq.orders');
  const group = uniqueName('rdlq-consumer');
  const dlq = dlqTopicName(topic, group);
  await s.topics([topic]);
  s.track(retryTopicName(topic, group, 1));
  s.track(dlq);
  const runners: ConsumerRunner[] = [];
  s.defer(async () => {
    for (const r of runners) await r.close();
  });
  const broken = s.rt.consumer({
    groupId: group,
    topics: [topic],
    retryDelaysMs: [200],
    handler: async () => {
      throw new PoisonMessageError('cannot map this order', { errorClass: 'test.poison' });
    },
  });
  runners.push(broken);
  await broken.start();

  const events = Array.from({ length: 1000 }, (_, i) => event(topic, `O-${i % 97}`));
  for (let i = 0; i < events.length; i += 500) await s.rt.producer.publish(events.slice(i, i + 500));
  const depth = async (): Promise<number> =>
    [...(await s.rt.cluster.watermarks(dlq)).values()].reduce((n, p) => n + Number(p.high - p.low), 0);
  await waitFor('1000 messages in the DLQ', async () => (await depth()) === 1000, 90_000, 500);
  await broken.close();

  // List: depth, age and error classes.
  const list = await s.call('GET', `/dlq?originalTopic=${enc(topic)}`, 'viewer');
  assert.equal(list.status, 200);
  assert.equal(list.body.topics.length, 1);
  const summary = list.body.topics[0];
  assert.equal(summary.topic, dlq);
  assert.equal(summary.group, group);
  assert.equal(summary.depth, 1000);
  assert.deepEqual(summary.errorClasses, { 'test.poison': 1000 });
  assert.ok(summary.oldestAgeMs >= 0 && summary.oldestAgeMs < 300_000);

  // Browse: decoded payloads with their failure headers, paged by cursor.
  const page1 = await s.call('GET', `/dlq/${enc(dlq)}/messages?limit=10&errorClass=test.poison`, 'viewer');
  assert.equal(page1.status, 200);
  assert.equal(page1.body.messages.length, 10);
  const m = page1.body.messages[0];
  assert.equal(m.failure.errorClass, 'test.poison');
  assert.equal(m.failure.originalTopic, topic);
  assert.equal(m.failure.consumerGroup, group);
  assert.equal(m.payload.meta.eventId, m.eventId);
  assert.equal(m.redriven, false);
  assert.ok(page1.body.nextCursor);
  const cursor = Object.entries(page1.body.nextCursor as Record<string, string>)
    .map(([p, o]) => `${p}:${o}`)
    .join(',');
  const page2 = await s.call('GET', `/dlq/${enc(dlq)}/messages?limit=10&cursor=${cursor}`, 'viewer');
  const seen1 = new Set(page1.body.messages.map((x: { partition: number; offset: string }) => `${x.partition}/${x.offset}`));
  assert.equal(page2.body.messages.length, 10);
  for (const x of page2.body.messages) assert.ok(!seen1.has(`${x.partition}/${x.offset}`), 'page 2 repeats page 1');
  const none = await s.call('GET', `/dlq/${enc(dlq)}/messages?errorClass=something.else`, 'viewer');
  assert.equal(none.body.messages.length, 0);
  const byKey = await s.call('GET', `/dlq/${enc(dlq)}/messages?key=O-5&limit=1000`, 'viewer');
  assert.equal(byKey.body.messages.length, events.filter((e) => e.key === 'O-5').length);

  // The consumer is fixed.
  const processed = new Map<string, number>();
  const fixed = s.rt.consumer({
    groupId: group,
    topics: [topic],
    retryDelaysMs: [200],
    provisionTopics: false,
    handler: async (e) => {
      processed.set(e.eventId, (processed.get(e.eventId) ?? 0) + 1);
    },
  });
  runners.push(fixed);
  await fixed.start();

  const dry = await s.call('POST', `/dlq/${enc(dlq)}/redrive`, 'operator', { filter: {} });
  assert.equal(dry.status, 200);
  assert.equal(dry.body.dryRun, true);
  assert.equal(dry.body.wouldRedrive, 1000);
  assert.deepEqual(dry.body.targets, { [topic]: 1000 });
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(processed.size, 0, 'a dry run published something');

  const run = await s.call('POST', `/dlq/${enc(dlq)}/redrive`, 'operator', { filter: {}, execute: true });
  assert.equal(run.status, 200, JSON.stringify(run.body));
  assert.equal(run.body.redriven, 1000);
  await waitFor('all 1000 processed', async () => processed.size === 1000, 90_000, 250);
  const ids = new Set(events.map((e) => e.payload.meta.eventId));
  for (const [id, n] of processed) {
    assert.ok(ids.has(id), `unexpected event ${id}`);
    assert.equal(n, 1, `event ${id} processed ${n} times`);
  }

  // A second redrive finds nothing new; a selected one is refused; forced repeats are dropped by the consumer's idempotency.
  const again = await s.call('POST', `/dlq/${enc(dlq)}/redrive`, 'operator', { filter: {}, execute: true });
  assert.equal(again.body.redriven, 0);
  assert.equal(again.body.skippedAlreadyRedriven, 1000);
  const one = { partition: m.partition, offset: m.offset };
  const refused = await s.call('POST', `/dlq/${enc(dlq)}/redrive`, 'operator', { selection: [one], execute: true });
  assert.equal(refused.status, 409);
  const browsed = await s.call(
    'GET',
    `/dlq/${enc(dlq)}/messages?limit=1&partitions=${m.partition}&cursor=${m.partition}:${m.offset}`,
    'viewer',
  );
  assert.equal(browsed.body.messages[0].redriven, true);
  const forced = await s.call('POST', `/dlq/${enc(dlq)}/redrive`, 'operator', { selection: [one], execute: true, force: true });
  assert.equal(forced.status, 200);
  assert.equal(forced.body.redriven, 1);
  // Wait until the group has consumed to the end of the topic (the forced copy included).
  await waitFor(
    'group caught up',
    async () => {
      const ends = await s.rt.cluster.watermarks(topic);
      const committed = (await s.rt.cluster.committedOffsets(group, [topic]))[0]!.partitions;
      return [...ends].every(([partition, { high }]) => committed.find((c) => c.partition === partition)?.offset === high);
    },
    60_000,
    250,
  );
  assert.equal(processed.size, 1000);
  assert.ok(
    [...processed.values()].every((n) => n === 1),
    'the forced repeat was processed again',
  );

  // Redriven copies carry their provenance and the original key; the audit trail has the redrives.
  const audit = await s.call('GET', `/audit?action=dlq.redrive&target=${enc(dlq)}`, 'viewer');
  assert.deepEqual(
    audit.body.entries.map((e: { count: number }) => e.count).sort((a: number, b: number) => a - b),
    [0, 1, 1000],
  );
  assert.equal(audit.body.entries[0].actor, 'operator-user');
  void REDRIVE_HEADERS;
});
