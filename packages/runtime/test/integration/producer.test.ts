import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCatalog } from '@odx/schemas';
import { BatchingPublisher, headersToStrings, provisionCatalogTopics } from '../../src/kafka/index.js';
import { PermanentError } from '../../src/resilience/index.js';
import { startTelemetry } from '../../src/telemetry/index.js';
import { orderEvent } from '../support/events.js';
import { createTestKit, eventually, uniqueName } from '../support/test-kit.js';

test('catalog topics are provisioned with their partitions and configs, idempotently', async (t) => {
  const kit = await createTestKit(t);
  await provisionCatalogTopics(kit.admin);
  assert.deepEqual(await provisionCatalogTopics(kit.admin), [], 'a second run creates nothing');
  const catalog = loadCatalog();
  const meta = await kit.admin.fetchTopicMetadata({ topics: catalog.topics.map((c) => c.name) });
  for (const def of catalog.topics) {
    const m = meta.topics.find((x) => x.name === def.name);
    assert.equal(m?.partitions.length, def.partitions, def.name);
  }
  const compacted = catalog.topics.find((c) => c.cleanupPolicy.includes('compact'));
  assert.ok(compacted, 'the catalog has a compacted topic');
  const configs = await kit.admin.describeConfigs({
    resources: [{ type: 2, name: compacted.name, configNames: ['cleanup.policy'] }],
    includeSynonyms: false,
  });
  assert.equal(configs.resources[0]?.configEntries[0]?.configValue, compacted.cleanupPolicy);
});

test('published events carry CloudEvents headers and traceparent; one invalid event in a batch fails alone', async (t) => {
  // Services always start telemetry (createServiceRuntime); without it there is no trace to propagate.
  const telemetry = startTelemetry({ serviceName: 'producer-test' });
  t.after(() => telemetry.shutdown());
  const kit = await createTestKit(t);
  const topic = await kit.topic(3);
  const publisher = new BatchingPublisher(kit.producer, { maxBatchSize: 100, lingerMs: 20 });
  const events = Array.from({ length: 250 }, (_, i) => orderEvent(topic, `SO${i}`));
  const bad = orderEvent(topic, 'SO-bad');
  (bad.payload as unknown as { order: { currency: unknown } }).order.currency = 42;
  const results = await Promise.allSettled([...events, bad].map((e) => publisher.publish(e)));
  await publisher.flush();
  const rejected = results.filter((r) => r.status === 'rejected');
  assert.equal(rejected.length, 1);
  assert.ok((rejected[0] as PromiseRejectedResult).reason instanceof PermanentError);
  assert.match(String((rejected[0] as PromiseRejectedResult).reason.message), /invalid fields: order\.currency/);

  const consumer = kit.kafka.consumer({ groupId: uniqueName('reader') });
  t.after(() => consumer.disconnect());
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen = new Map<string, Record<string, string>>();
  await consumer.run({ eachMessage: async ({ message }) => void seen.set(message.key!.toString(), headersToStrings(message.headers)) });
  await eventually(async () => (seen.size >= 250 ? true : undefined), 30_000, '250 events');
  assert.equal(seen.size, 250);
  const h = seen.get('SO7')!;
  assert.equal(h['ce_specversion'], '1.0');
  assert.equal(h['ce_type'], 'com.odx.events.OrderConfirmed');
  assert.equal(h['ce_source'], '/odx/odx-test');
  assert.equal(h['ce_id'], events[7]!.payload.meta.eventId);
  assert.equal(h['ce_subject'], 'SO7');
  assert.equal(h['content-type'], 'application/avro');
  assert.ok(!Number.isNaN(Date.parse(h['ce_time']!)));
  assert.match(h['traceparent'] ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
});

test('publish tells where each event landed: topic, partition and offset match what a reader finds there', async (t) => {
  const kit = await createTestKit(t);
  const [a, b] = [await kit.topic(3), await kit.topic(2)];
  const publisher = new BatchingPublisher(kit.producer, { maxBatchSize: 1_000, lingerMs: 10 });
  // Concurrent callers share requests; each gets its own events' coordinates back, in order.
  const calls = Array.from({ length: 6 }, (_, c) => Array.from({ length: 20 }, (_, i) => orderEvent(i % 2 ? a : b, `K${c}-${i % 7}`)));
  const published = (await Promise.all(calls.map((events) => publisher.publishAll(events)))).flat();
  const direct = await kit.producer.publish([orderEvent(a, 'K-direct')]);
  assert.equal(published.length, 120);
  assert.deepEqual(
    published.map((p) => p.eventId),
    calls.flat().map((e) => e.payload.meta.eventId),
    'one result per event, in order',
  );
  const all = [...published, ...direct];
  assert.ok(all.every((p) => p.eventType === 'OrderConfirmed' && Number(p.offset) >= 0));

  const found = new Map<string, string>();
  const consumer = kit.kafka.consumer({ groupId: uniqueName('reader') });
  t.after(() => consumer.disconnect());
  await consumer.connect();
  await consumer.subscribe({ topics: [a, b], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) =>
      void found.set(`${topic}/${partition}/${message.offset}`, headersToStrings(message.headers)['ce_id']!),
  });
  await eventually(async () => (found.size >= all.length ? true : undefined), 30_000, `${all.length} events`);
  for (const p of all) assert.equal(found.get(`${p.topic}/${p.partition}/${p.offset}`), p.eventId, `${p.topic}/${p.partition}/${p.offset}`);
  const samePartition = all.filter((p) => p.topic === a && p.partition === all[0]!.partition);
  assert.ok(new Set(published.map((p) => `${p.topic}/${p.partition}`)).size > 2, 'events spread over partitions by key');
  assert.equal(new Set(samePartition.map((p) => p.offset)).size, samePartition.length, 'no two events share an offset');
});
