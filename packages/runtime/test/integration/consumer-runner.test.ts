import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { KafkaMessage } from 'kafkajs';
import type { EventType } from '@odx/schemas';
import {
  ConsumerRunner,
  ERROR_HEADERS,
  dlqTopicName,
  headersToStrings,
  retryTopicName,
  type ConsumedEvent,
} from '../../src/kafka/index.js';
import { IdempotencyStore } from '../../src/idempotency/index.js';
import { Circuit, PermanentError, TransientError } from '../../src/resilience/index.js';
import { orderEvent } from '../support/events.js';
import { createTestKit, eventually, uniqueName, type TestKit } from '../support/test-kit.js';

const here = dirname(fileURLToPath(import.meta.url));

function runner(
  kit: TestKit,
  t: { after: (fn: () => Promise<void>) => void },
  topic: string,
  handler: (e: ConsumedEvent) => Promise<void>,
  extra: { circuits?: Circuit[]; retryDelaysMs?: number[]; eventTypes?: EventType[]; lagSampleMs?: number } = {},
) {
  const groupId = uniqueName('g');
  const retryDelaysMs = extra.retryDelaysMs ?? [300];
  const r = new ConsumerRunner({
    kafka: kit.kafka,
    serde: kit.serde,
    producer: kit.producer,
    logger: kit.logger,
    metrics: kit.metrics,
    groupId,
    topics: [topic],
    handler,
    idempotency: kit.idempotency(),
    retryDelaysMs,
    sessionTimeoutMs: 10_000,
    ...(extra.circuits ? { circuits: extra.circuits } : {}),
    ...(extra.eventTypes ? { eventTypes: extra.eventTypes } : {}),
    ...(extra.lagSampleMs !== undefined ? { lagSampleMs: extra.lagSampleMs } : {}),
  });
  retryDelaysMs.forEach((_, i) => kit.track(retryTopicName(topic, groupId, i + 1)));
  kit.track(dlqTopicName(topic, groupId));
  t.after(() => r.close());
  return { r, groupId };
}

/** Reads every message currently in `topic` (from the beginning) with a throwaway group. */
async function readAll(kit: TestKit, topic: string, expected: number, timeoutMs = 20_000): Promise<KafkaMessage[]> {
  const consumer = kit.kafka.consumer({ groupId: uniqueName('reader') });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: KafkaMessage[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message) });
    return await eventually(async () => (seen.length >= expected ? seen : undefined), timeoutMs, `${expected} messages on ${topic}`);
  } finally {
    await consumer.disconnect();
  }
}

test('poison and permanent failures go to the DLQ with context headers; the next message is still processed', async (t) => {
  const kit = await createTestKit(t);
  const topic = await kit.topic(1);
  const good = orderEvent(topic, 'good');
  const rejected = orderEvent(topic, 'rejected');
  const handled: string[] = [];
  const { r, groupId } = runner(kit, t, topic, async (e) => {
    if (e.key === 'rejected') throw new PermanentError('SKU unknown to the WMS', { errorClass: 'wms.validation' });
    handled.push(e.eventId);
  });
  // Offset 0: not Avro at all. Offset 1: rejected by the handler. Offset 2: fine.
  const raw = kit.kafka.producer();
  await raw.connect();
  await raw.send({ topic, messages: [{ key: 'poison', value: '{"this is": "json, not avro"}', headers: { ce_id: 'poison-1' } }] });
  await raw.disconnect();
  await kit.producer.publish([rejected, good]);
  await r.start();

  await eventually(async () => (handled.includes(good.payload.meta.eventId) ? true : undefined), 30_000, 'the good message');
  const dlq = await readAll(kit, dlqTopicName(topic, groupId), 2);
  assert.equal(dlq.length, 2);
  const [poison, perm] = dlq.map((m) => ({ m, h: headersToStrings(m.headers) }));
  assert.equal(poison!.m.value?.toString(), '{"this is": "json, not avro"}', 'original bytes kept');
  assert.equal(poison!.h[ERROR_HEADERS.originalTopic], topic);
  assert.equal(poison!.h[ERROR_HEADERS.originalPartition], '0');
  assert.equal(poison!.h[ERROR_HEADERS.originalOffset], '0');
  assert.equal(poison!.h[ERROR_HEADERS.kind], 'poison');
  assert.equal(poison!.h[ERROR_HEADERS.errorClass], 'serde.not-confluent-wire');
  assert.equal(poison!.h[ERROR_HEADERS.attempt], '1');
  assert.ok(!Number.isNaN(Date.parse(poison!.h[ERROR_HEADERS.firstFailureTime]!)));
  assert.equal(perm!.h[ERROR_HEADERS.kind], 'permanent');
  assert.equal(perm!.h[ERROR_HEADERS.errorClass], 'wms.validation');
  assert.equal(perm!.h[ERROR_HEADERS.message], 'SKU unknown to the WMS');
  assert.equal(perm!.h[ERROR_HEADERS.originalOffset], '1');
  assert.equal(perm!.h['ce_id'], rejected.payload.meta.eventId, 'CloudEvents headers survive');
  assert.deepEqual(handled, [good.payload.meta.eventId]);
});

test('a transient failure goes through a retry topic and succeeds later without blocking the partition', async (t) => {
  const kit = await createTestKit(t);
  const topic = await kit.topic(1);
  const flaky = orderEvent(topic, 'A');
  const after = orderEvent(topic, 'A');
  const calls: Array<{ id: string; attempt: number; from: string }> = [];
  const done: string[] = [];
  const { r, groupId } = runner(
    kit,
    t,
    topic,
    async (e) => {
      calls.push({ id: e.eventId, attempt: e.attempt, from: e.receivedFrom.topic });
      if (e.eventId === flaky.payload.meta.eventId && e.attempt === 1) throw new TransientError('WMS answered 503');
      done.push(e.eventId);
    },
    { retryDelaysMs: [1_500, 3_000] },
  );
  await kit.producer.publish([flaky, after]);
  await r.start();
  await eventually(async () => (done.length === 2 ? true : undefined), 30_000, 'both events handled');
  assert.deepEqual(done, [after.payload.meta.eventId, flaky.payload.meta.eventId], 'the next message did not wait for the retry');
  const retried = calls.filter((c) => c.id === flaky.payload.meta.eventId);
  assert.deepEqual(
    retried.map((c) => c.attempt),
    [1, 2],
  );
  assert.equal(retried[1]!.from, retryTopicName(topic, groupId, 1));
  const retryMsgs = await readAll(kit, retryTopicName(topic, groupId, 1), 1);
  assert.equal(headersToStrings(retryMsgs[0]!.headers)[ERROR_HEADERS.message], 'WMS answered 503');
  // Nothing reached the DLQ, and the group's committed offsets cover everything.
  const offsets = await kit.admin.fetchOffsets({ groupId, topics: [topic] });
  assert.equal(offsets[0]!.partitions[0]!.offset, '2');
});

test('transient failures that never heal end in the DLQ after the last retry', async (t) => {
  const kit = await createTestKit(t);
  const topic = await kit.topic(1);
  const ev = orderEvent(topic, 'B');
  const attempts: number[] = [];
  const { r, groupId } = runner(
    kit,
    t,
    topic,
    async (e) => {
      attempts.push(e.attempt);
      throw new TransientError('still down');
    },
    { retryDelaysMs: [200, 200] },
  );
  await kit.producer.publish([ev]);
  await r.start();
  const dlq = await readAll(kit, dlqTopicName(topic, groupId), 1);
  const h = headersToStrings(dlq[0]!.headers);
  assert.deepEqual(attempts, [1, 2, 3]);
  assert.equal(h[ERROR_HEADERS.attempt], '3');
  assert.equal(h[ERROR_HEADERS.originalTopic], topic);
  assert.equal(h[ERROR_HEADERS.originalOffset], '0');
  assert.equal(h[ERROR_HEADERS.kind], 'transient');
});

test('duplicates (same event id delivered twice) have their effect once', async (t) => {
  const kit = await createTestKit(t);
  const topic = await kit.topic(1);
  const ev = orderEvent(topic, 'C');
  const effects: string[] = [];
  const { r } = runner(kit, t, topic, async (e) => void effects.push(e.eventId));
  await kit.producer.publish([ev, ev, orderEvent(topic, 'C', { eventId: ev.payload.meta.eventId }), orderEvent(topic, 'C')]);
  await r.start();
  await eventually(async () => (effects.length >= 2 ? true : undefined), 30_000, 'effects');
  await new Promise((res) => setTimeout(res, 1_000));
  assert.equal(effects.filter((id) => id === ev.payload.meta.eventId).length, 1);
  assert.equal(effects.length, 2);
});

test('odx_consumer_lag shows the backlog of a partition held up by a slow message, and falls to 0 once it is worked off', async (t) => {
  const kit = await createTestKit(t);
  const topic = await kit.topic(1);
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const { r, groupId } = runner(kit, t, topic, (e) => (e.key === 'slow' ? held : Promise.resolve()), { lagSampleMs: 300 });
  await kit.producer.publish([orderEvent(topic, 'slow'), ...Array.from({ length: 24 }, (_, i) => orderEvent(topic, `k${i}`))]);
  await r.start();
  const lag = async (): Promise<number | undefined> =>
    (await kit.metrics.consumerLag.get()).values.find((v) => v.labels['group'] === groupId && v.labels['topic'] === topic)?.value;
  // No batch finishes while the first message waits: the lag is every message still on the partition.
  await eventually(async () => ((await lag()) === 25 ? true : undefined), 20_000, 'a lag of 25 while the partition is held');
  release();
  await eventually(async () => ((await lag()) === 0 ? true : undefined), 30_000, 'a lag of 0 once the messages are done');
  await r.close();
  assert.equal(await lag(), undefined, 'a closed member reports no lag for partitions it no longer holds');
});

test('an eventTypes filter skips other events before any idempotency claim, and commits past them', async (t) => {
  const kit = await createTestKit(t);
  const topic = await kit.topic(1);
  const skipped = [orderEvent(topic, 'S'), orderEvent(topic, 'S')];
  const wanted = orderEvent(topic, 'S', { eventType: 'OrderCancelled' });
  const seen: string[] = [];
  const { r, groupId } = runner(kit, t, topic, async (e) => void seen.push(e.eventType), { eventTypes: ['OrderCancelled'] });
  await kit.producer.publish([...skipped, wanted]);
  await r.start();
  await eventually(async () => (seen.length >= 1 ? true : undefined), 30_000, 'the OrderCancelled');
  assert.deepEqual(seen, ['OrderCancelled']);
  const keyOf = (e: typeof wanted): string => IdempotencyStore.key(groupId, e.payload.meta.eventId);
  const keys = await kit.db
    .collection('odx_idempotency_keys')
    .find({ key: { $in: [...skipped, wanted].map(keyOf) } })
    .toArray();
  assert.deepEqual([...new Set(keys.map((k) => String(k['key'])))], [keyOf(wanted)], 'only the handled event claimed a key');
  const committed = await eventually(
    async () => {
      const [o] = (await kit.admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions;
      return o && Number(o.offset) === 3 ? o.offset : undefined;
    },
    15_000,
    'the group committed past all three',
  );
  assert.equal(committed, '3');
  const metrics = await kit.metrics.registry.getSingleMetricAsString('odx_messages_consumed_total');
  assert.match(metrics, new RegExp(`outcome="skipped"[^}]*\\} 2`));
});

test('an open circuit pauses consumption and it resumes when the circuit closes', async (t) => {
  const kit = await createTestKit(t);
  const topic = await kit.topic(1);
  const circuit = new Circuit('wms', { volumeThreshold: 1, errorThresholdPercentage: 50, resetTimeoutMs: 2_500 });
  t.after(() => circuit.shutdown());
  let down = true;
  let remoteCalls = 0;
  const effects = new Set<string>();
  const { r, groupId } = runner(
    kit,
    t,
    topic,
    async (e) => {
      await circuit.fire(async () => {
        remoteCalls++;
        if (down) throw new TransientError('WMS unreachable');
      });
      effects.add(e.eventId);
    },
    { circuits: [circuit], retryDelaysMs: [500] },
  );
  const events = Array.from({ length: 20 }, (_, i) => orderEvent(topic, `K${i}`));
  await kit.producer.publish(events);
  let openedAt = 0;
  circuit.onStateChange((s) => {
    if (s === 'open' && !openedAt) openedAt = Date.now();
  });
  await r.start();
  await eventually(async () => (openedAt ? true : undefined), 30_000, 'the circuit to open');
  const callsAtOpen = remoteCalls;
  await new Promise((res) => setTimeout(res, 1_500));
  assert.equal(circuit.state, 'open');
  assert.equal(remoteCalls, callsAtOpen, 'no calls reach the remote while the circuit is open');
  assert.equal(effects.size, 0);
  down = false;
  await eventually(async () => (effects.size === 20 ? true : undefined), 30_000, 'all 20 effects after recovery');
  assert.equal(circuit.state, 'closed');
  // The failure that opened the circuit went through a retry topic; nothing was dead-lettered.
  const dlqOffsets = await kit.admin.fetchTopicOffsets(dlqTopicName(topic, groupId));
  assert.ok(
    dlqOffsets.every((p) => p.high === '0'),
    'DLQ empty',
  );
});

/**
 * The crash tests' setup: `total` events (keys "0".."total-1") on a one-partition topic, and a way to start
 * fixtures/kill-consumer.ts on it (its group, its database; killed at the end of the test if still running).
 */
async function crashSetup(t: Parameters<typeof createTestKit>[0], label: string, total: number) {
  const kit = await createTestKit(t);
  const topic = await kit.topic(1);
  const group = uniqueName(label);
  kit.track(retryTopicName(topic, group, 1));
  kit.track(dlqTopicName(topic, group));
  await kit.producer.publish(Array.from({ length: total }, (_, i) => orderEvent(topic, String(i))));
  const effects = kit.db.collection<{ eventId: string; seq: number; pid: number }>('effects');
  const spawnConsumer = (env: Record<string, string>): ChildProcess => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures', 'kill-consumer.ts')], {
      env: { ...process.env, TEST_TOPIC: topic, TEST_GROUP: group, TEST_DB: kit.db.databaseName, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    t.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    return child;
  };
  return { kit, topic, group, effects, spawnConsumer };
}

test('a consumer killed mid-batch (SIGKILL) is redelivered and the effect happens once', async (t) => {
  const total = 120;
  const killAt = 60;
  const { kit, topic, group, effects, spawnConsumer } = await crashSetup(t, 'g-kill', total);

  const first = spawnConsumer({ KILL_AT_SEQ: String(killAt) });
  const [, signal] = (await once(first, 'exit')) as [number | null, string | null];
  assert.equal(signal, 'SIGKILL');
  const firstRun = await effects.countDocuments();
  assert.equal(firstRun, killAt, 'effects 0..killAt-1 done before the kill');
  const committed = await kit.admin.fetchOffsets({ groupId: group, topics: [topic] });
  assert.ok(Number(committed[0]!.partitions[0]!.offset) < killAt, 'the batch was not committed: it will be redelivered');

  const second = spawnConsumer({});
  t.after(() => {
    second.kill('SIGTERM');
  });
  await eventually(async () => ((await effects.countDocuments()) >= total ? true : undefined), 60_000, `${total} effects`);
  await new Promise((res) => setTimeout(res, 1_000));
  const perSeq = await effects.aggregate<{ _id: number; n: number }>([{ $group: { _id: '$seq', n: { $sum: 1 } } }]).toArray();
  assert.equal(perSeq.length, total, 'every event had its effect');
  assert.ok(
    perSeq.every((s) => s.n === 1),
    `effects happened once each: ${JSON.stringify(perSeq.filter((s) => s.n !== 1))}`,
  );
  const killed = (await effects.findOne({ seq: killAt }))!;
  assert.equal(killed.pid, second.pid, 'the event being handled at the kill was taken over by the new process');
  const keys = kit.db.collection<{ _id: string; owner?: string }>('odx_idempotency_keys');
  const key = `${group}:${killed.eventId}`;
  // The crashed process may have claimed the key more than once (a claim window that closes under load gives
  // its unreached claims back, and the next window claims them again): its last claim is the one it died with.
  const claims = [];
  for (let g = 0; g < 10; g++) {
    const claim = await keys.findOne({ _id: `${key}@${g}` });
    if (!claim) break;
    claims.push({ g, owner: claim.owner, released: (await keys.findOne({ _id: `${key}@${g}!released` })) !== null });
  }
  const taken = claims.findIndex((c) => c.owner === `pid-${second.pid}`);
  assert.ok(taken > 0, `the new process took the key over from an earlier claim: ${JSON.stringify(claims)}`);
  const died = claims[taken - 1]!;
  assert.equal(died.owner, `pid-${first.pid}`, "the claim before it was the crashed process's");
  assert.equal(died.released, false, 'which it never gave back');
  assert.ok(await keys.findOne({ _id: `${key}!done` }), 'and completed it');
});

/**
 * What a SIGKILL right after an effect costs in each completion mode: 120 events on one partition, the first
 * process killed right after the effect of event 60 (before the runner marks anything done), a second process
 * finishing. Returns how many effects happened more than once.
 */
async function repeatsAfterKill(t: Parameters<typeof createTestKit>[0], env: Record<string, string>): Promise<number> {
  const total = 120;
  const killAfter = 60;
  const { effects, spawnConsumer: spawnWith } = await crashSetup(t, 'g-crash', total);
  const spawnConsumer = (extra: Record<string, string>): ChildProcess => spawnWith({ ...env, ...extra });
  const first = spawnConsumer({ KILL_AFTER_SEQ: String(killAfter) });
  const [, signal] = (await once(first, 'exit')) as [number | null, string | null];
  assert.equal(signal, 'SIGKILL');
  assert.equal(await effects.countDocuments({ seq: killAfter }), 1, 'the first process did the effect of the event it died on');
  const second = spawnConsumer({});
  t.after(() => {
    second.kill('SIGTERM');
  });
  await eventually(async () => ((await effects.distinct('seq')).length >= total ? true : undefined), 60_000, `${total} events handled`);
  await new Promise((res) => setTimeout(res, 1_000));
  const perSeq = await effects.aggregate<{ _id: number; n: number }>([{ $group: { _id: '$seq', n: { $sum: 1 } } }]).toArray();
  assert.equal(perSeq.length, total, 'every event had its effect');
  const repeated = perSeq.filter((s) => s.n > 1);
  assert.ok(
    repeated.every((s) => s.n === 2 && s._id <= killAfter),
    `only effects the crashed process did run again, once: ${JSON.stringify(repeated)}`,
  );
  return repeated.length;
}

test("completion 'each': a SIGKILL right after an effect repeats that effect alone", async (t) => {
  const repeats = await repeatsAfterKill(t, { COMPLETION: 'each' });
  t.diagnostic(`effects repeated after the kill: ${repeats}`);
  assert.equal(repeats, 1, 'the effect in hand, whose done mark was never written');
});

test("completion 'batch' (the default): a SIGKILL right after an effect repeats at most one claim window", async (t) => {
  const window = 25;
  const repeats = await repeatsAfterKill(t, { COMPLETION: 'batch', CLAIM_BATCH: String(window) });
  t.diagnostic(`effects repeated after the kill: ${repeats} (claim window ${window})`);
  assert.ok(repeats >= 1, 'the window the process died in is not marked done, so its effects run again');
  assert.ok(repeats <= window, `at most one window of ${window} effects, got ${repeats}`);
});

test('shutdown while a handler runs: the message is neither retried nor dead-lettered, and the next member handles it', async (t) => {
  const kit = await createTestKit(t);
  const topic = await kit.topic(1);
  const ev = orderEvent(topic, 'S');
  let started = false;
  const first = runner(
    kit,
    t,
    topic,
    (e) =>
      new Promise<void>((_, reject) => {
        started = true;
        e.signal.addEventListener('abort', () => reject(new Error('aborted by shutdown')), { once: true });
      }),
  );
  await kit.producer.publish([ev]);
  await first.r.start();
  await eventually(async () => (started ? true : undefined), 30_000, 'the handler to start');
  await first.r.close();
  const handled: string[] = [];
  const second = new ConsumerRunner({
    kafka: kit.kafka,
    serde: kit.serde,
    producer: kit.producer,
    logger: kit.logger,
    groupId: first.groupId,
    topics: [topic],
    idempotency: kit.idempotency(),
    retryDelaysMs: [300],
    handler: async (e) => void handled.push(e.eventId),
  });
  t.after(() => second.close());
  await second.start();
  await eventually(async () => (handled.length > 0 ? true : undefined), 30_000, 'the second member');
  assert.deepEqual(handled, [ev.payload.meta.eventId]);
  for (const derived of [retryTopicName(topic, first.groupId, 1), dlqTopicName(topic, first.groupId)]) {
    const end = await kit.admin.fetchTopicOffsets(derived);
    assert.ok(
      end.every((p) => p.high === '0'),
      `${derived} is empty`,
    );
  }
});

test('a start that failed (its topic did not exist yet) can be tried again, and then consumes', async (t) => {
  const kit = await createTestKit(t);
  const topic = uniqueName('test.odx');
  kit.track(topic);
  const handled: string[] = [];
  const { r } = runner(kit, t, topic, async (e) => void handled.push(e.eventId));
  await assert.rejects(r.start(), /does not host this topic-partition|does not exist/);
  assert.equal(r.health.ok, false);

  await kit.admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  const ev = orderEvent(topic, 'late');
  await kit.producer.publish([ev]);
  await r.start();
  await eventually(async () => (handled.length > 0 ? true : undefined), 30_000, 'the event, after the second start');
  assert.deepEqual(handled, [ev.payload.meta.eventId]);
});

test('each message outcome is reported as a typed outcome event with its coordinates, error class and duration', async (t) => {
  const kit = await createTestKit(t);
  const topic = await kit.topic(1);
  const good = orderEvent(topic, 'good');
  const rejected = orderEvent(topic, 'rejected');
  const { r } = runner(kit, t, topic, async (e) => {
    if (e.key === 'rejected') throw new PermanentError('SKU unknown to the WMS', { errorClass: 'wms.validation' });
  });
  const outcomes: Array<{
    offset: string;
    outcome: string;
    eventId?: string;
    eventType?: string;
    errorClass?: string;
    topic: string;
    durationMs: number;
  }> = [];
  r.on('outcome', (o) => void outcomes.push(o));
  await kit.producer.publish([good, rejected, good]);
  await r.start();
  await eventually(async () => (outcomes.length >= 3 ? true : undefined), 30_000, 'three outcomes');
  assert.deepEqual(
    outcomes.map(({ offset, outcome, eventId, eventType, errorClass, topic: from }) => ({
      offset,
      outcome,
      eventId,
      eventType,
      errorClass,
      from,
    })),
    [
      { offset: '0', outcome: 'ok', eventId: good.payload.meta.eventId, eventType: 'OrderConfirmed', errorClass: undefined, from: topic },
      {
        offset: '1',
        outcome: 'dlq',
        eventId: rejected.payload.meta.eventId,
        eventType: 'OrderConfirmed',
        errorClass: 'wms.validation',
        from: topic,
      },
      {
        offset: '2',
        outcome: 'duplicate',
        eventId: good.payload.meta.eventId,
        eventType: 'OrderConfirmed',
        errorClass: undefined,
        from: topic,
      },
    ],
  );
  assert.ok(
    outcomes.every((o) => o.durationMs >= 0 && o.durationMs < 30_000),
    JSON.stringify(outcomes.map((o) => o.durationMs)),
  );
});
