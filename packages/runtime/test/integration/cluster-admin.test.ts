import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadRuntimeConfig } from '../../src/config/index.js';
import {
  GroupActiveError,
  RawConsumer,
  createClusterAdmin,
  readRanges,
  type ClusterAdmin,
  type RawMessage,
} from '../../src/kafka/index.js';
import { createTestKit, eventually, testLogger, uniqueName, type Cleanup } from '../support/test-kit.js';

/** A ClusterAdmin closed after the test, once it deleted `topics` (those that still exist). */
function clusterAdmin(t: Cleanup, topics: string[] = []): ClusterAdmin {
  const cluster = createClusterAdmin(loadRuntimeConfig('odx-test').kafka, testLogger());
  t.after(async () => {
    try {
      await cluster.deleteTopics(topics);
    } finally {
      await cluster.close();
    }
  });
  return cluster;
}

/** `count` records on `partition` of `topic`, a second apart from `t0`, with a header naming each. */
function records(
  topic: string,
  partition: number,
  count: number,
  t0: number,
): Array<{ topic: string; partition: number; key: string; value: Buffer; headers: Record<string, string>; timestamp: string }> {
  return Array.from({ length: count }, (_, i) => ({
    topic,
    partition,
    key: `K${partition}-${i}`,
    value: Buffer.from(`v${partition}-${i}`),
    headers: { n: `${partition}/${i}` },
    timestamp: String(t0 + i * 1_000),
  }));
}

test('ClusterAdmin: topics, watermarks, offsets by time, record deletion; readRanges reads exactly the ranges, stops when told', async (t) => {
  const kit = await createTestKit(t);
  const topic = uniqueName('test.cluster');
  const cluster = clusterAdmin(t, [topic]);
  assert.deepEqual(await cluster.ensureTopics([{ name: topic, partitions: 2, replicationFactor: 1, config: {} }]), [topic]);
  assert.deepEqual(
    await cluster.ensureTopics([{ name: topic, partitions: 5, replicationFactor: 1, config: {} }]),
    [],
    'an existing topic is left alone',
  );
  assert.deepEqual(await cluster.partitions(topic), [0, 1]);
  assert.ok((await cluster.listTopics()).includes(topic));
  assert.ok((await cluster.brokers()).length >= 1);

  const t0 = Date.now() - 60_000;
  await kit.producer.publishRaw([...records(topic, 0, 10, t0), ...records(topic, 1, 4, t0)]);
  assert.deepEqual(
    [...(await cluster.watermarks(topic))],
    [
      [0, { low: 0n, high: 10n }],
      [1, { low: 0n, high: 4n }],
    ],
  );
  // Partition 1 has nothing at or after t0 + 5 s: its answer is the end.
  assert.deepEqual(
    [...(await cluster.offsetsAtTime(topic, t0 + 5_000))],
    [
      [0, 5n],
      [1, 4n],
    ],
  );

  await cluster.deleteRecords(topic, [{ partition: 0, offset: 3n }]);
  assert.deepEqual((await cluster.watermarks(topic)).get(0), { low: 3n, high: 10n });

  const read: RawMessage[] = [];
  let lastNext = new Map<number, bigint>();
  await readRanges(cluster, {
    ranges: [
      { topic, partition: 0, from: 3n, to: 8n },
      { topic, partition: 1, from: 1n, to: 3n },
    ],
    onBatch: async (b) => {
      read.push(...b.messages);
      lastNext = new Map([...lastNext, [b.partition, b.next]]);
    },
  });
  assert.deepEqual(read.map((m) => `${m.partition}/${m.offset}`).sort(), ['0/3', '0/4', '0/5', '0/6', '0/7', '1/1', '1/2']);
  const m5 = read.find((m) => m.partition === 0 && m.offset === '5')!;
  assert.deepEqual(
    { topic: m5.topic, key: m5.key?.toString(), value: m5.value?.toString(), headers: m5.headers, timestamp: m5.timestamp },
    { topic, key: 'K0-5', value: 'v0-5', headers: { n: '0/5' }, timestamp: t0 + 5_000 },
  );
  assert.deepEqual(
    [...lastNext].sort(([a], [b]) => a - b),
    [
      [0, 8n],
      [1, 3n],
    ],
  );

  let batches = 0;
  await readRanges(cluster, { ranges: [{ topic, partition: 0, from: 3n, to: 10n }], onBatch: async () => (batches++, false) });
  assert.equal(batches, 1, 'returning false stops the read');
  const aborted = new AbortController();
  aborted.abort();
  await readRanges(cluster, {
    ranges: [{ topic, partition: 0, from: 3n, to: 10n }],
    signal: aborted.signal,
    onBatch: async () => assert.fail('an aborted read reads nothing'),
  });
  await assert.rejects(
    readRanges(cluster, {
      ranges: [{ topic, partition: 0, from: 3n, to: 10n }],
      onBatch: async () => {
        throw new Error('handler broke');
      },
    }),
    /handler broke/,
  );

  assert.deepEqual(await cluster.deleteTopics([topic, uniqueName('test.never-created')]), [topic], 'only existing topics are deleted');
});

test('ClusterAdmin groups: offsets set for an idle group, a RawConsumer reads from them and commits, an active group refuses a reset', async (t) => {
  const cluster = createClusterAdmin(loadRuntimeConfig('odx-test').kafka, testLogger());
  const group = uniqueName('test-raw');
  let consumer: RawConsumer | undefined;
  // Registered before the kit's cleanup, so the group goes before the topic it read.
  t.after(async () => {
    try {
      await consumer?.close();
      await cluster.deleteGroups([group]);
    } finally {
      await cluster.close();
    }
  });
  const kit = await createTestKit(t);
  const topic = await kit.topic(2);
  await kit.producer.publishRaw([...records(topic, 0, 10, Date.now()), ...records(topic, 1, 4, Date.now())]);

  assert.equal((await cluster.describeGroup(group)).state, 'Dead');
  assert.deepEqual((await cluster.committedOffsets(group, [topic]))[0]?.partitions, [
    { partition: 0, offset: null },
    { partition: 1, offset: null },
  ]);
  await cluster.setGroupOffsets(group, [
    { topic, partition: 0, offset: 7n },
    { topic, partition: 1, offset: 2n },
  ]);
  assert.deepEqual(await cluster.committedOffsets(group, [topic]), [
    {
      topic,
      partitions: [
        { partition: 0, offset: 7n },
        { partition: 1, offset: 2n },
      ],
    },
  ]);

  const seen: string[] = [];
  consumer = new RawConsumer(cluster, {
    groupId: group,
    topics: [topic],
    maxWaitMs: 100,
    onBatch: async (b) => void seen.push(...b.messages.map((m) => `${m.partition}/${m.offset}`)),
  });
  await consumer.start();
  await eventually(() => (seen.length >= 5 ? true : undefined), 30_000, 'the records after the set offsets');
  assert.deepEqual(seen.sort(), ['0/7', '0/8', '0/9', '1/2', '1/3']);

  const active = await eventually(
    async () => {
      const g = await cluster.describeGroup(group);
      return g.state === 'Stable' && g.members.length === 1 ? g : undefined;
    },
    30_000,
    'a stable group',
  );
  assert.equal(active.protocolType, 'consumer');
  assert.deepEqual(active.members[0]!.assignment[topic]?.sort(), [0, 1]);
  assert.ok((await cluster.listGroups()).some((g) => g.groupId === group));
  await assert.rejects(
    cluster.setGroupOffsets(group, [{ topic, partition: 0, offset: 0n }]),
    (err: unknown) => err instanceof GroupActiveError && err.groupId === group && err.members === 1,
  );

  await consumer.close();
  await consumer.close();
  const committed = await cluster.committedOffsets(group);
  assert.deepEqual(
    committed.find((c) => c.topic === topic)?.partitions,
    [
      { partition: 0, offset: 10n },
      { partition: 1, offset: 4n },
    ],
    'offsets committed on close',
  );
});
