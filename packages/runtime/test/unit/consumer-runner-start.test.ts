// The runner's life cycle and outcome events over an injected group client (a
// double of the runner's own client port, not of Kafka): start, failed start,
// close, crash, and what a processed batch reports.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka } from 'kafkajs';
import { ConsumerRunner, type ConsumerRunnerOptions, type MessageOutcomeEvent, type RawOutgoingMessage } from '../../src/kafka/index.js';
import { createLogger } from '../../src/logging/index.js';
import { PermanentError } from '../../src/resilience/index.js';
import { ScriptedClient } from '../support/scripted-group-client.js';

const logger = createLogger({ service: 'test' });
logger.silent = true;

function runner(
  client: ScriptedClient,
  extra: Partial<ConsumerRunnerOptions> = {},
): { r: ConsumerRunner; published: RawOutgoingMessage[] } {
  const published: RawOutgoingMessage[] = [];
  const r = new ConsumerRunner(
    {
      // Never connected: the scripted client stands in for it.
      kafka: new Kafka({ brokers: ['127.0.0.1:9'] }),
      serde: {
        decode: async (value) => ({
          schemaId: 1,
          fullName: 'com.odx.events.OrderConfirmed',
          eventType: 'OrderConfirmed',
          payload: { meta: { eventId: value?.toString() } },
        }),
      },
      producer: { connect: async () => undefined, publishRaw: async (ms) => void published.push(...ms) },
      logger,
      groupId: 'g',
      topics: ['odx.orders.v1'],
      idempotency: false,
      provisionTopics: false,
      retryDelaysMs: [1_000],
      handler: async () => undefined,
      ...extra,
    },
    (_settings, listeners) => {
      client.listeners = listeners;
      return client;
    },
  );
  return { r, published };
}

test('a failed start can be retried, and a started runner does not start twice', async () => {
  const client = new ScriptedClient(1);
  const { r } = runner(client);
  await assert.rejects(r.start(), /ECONNREFUSED/);
  assert.equal(client.disconnects, 1, 'the failed attempt was undone');
  assert.equal(client.runs, 0);
  await r.start();
  assert.equal(client.runs, 1, 'the second start really started');
  await r.start();
  assert.equal(client.connects, 2);
  assert.equal(client.runs, 1);
});

/** An error as kafkajs raises it while a new topic's partitions are not hosted yet. */
function unknownPartition(): Error {
  return Object.assign(new Error('This server does not host this topic-partition'), {
    retriable: true,
    type: 'UNKNOWN_TOPIC_OR_PARTITION',
  });
}

test('start tries again after errors the client calls retriable, within its window; other errors fail at once', async () => {
  const client = new ScriptedClient();
  client.subscribeErrors = [unknownPartition(), unknownPartition()];
  const { r } = runner(client);
  await r.start();
  assert.equal(client.subscribes, 3);
  assert.equal(client.disconnects, 2, 'each failed attempt was undone');
  assert.equal(client.runs, 1);

  const plain = new ScriptedClient();
  plain.subscribeErrors = [new Error('topic name is not allowed')];
  await assert.rejects(runner(plain).r.start(), /not allowed/);
  assert.equal(plain.subscribes, 1, 'not retried');

  const windowed = new ScriptedClient();
  windowed.subscribeErrors = Array.from({ length: 20 }, unknownPartition);
  const started = Date.now();
  await assert.rejects(runner(windowed, { startRetryWindowMs: 1_000 }).r.start(), /does not host/);
  assert.ok(windowed.subscribes >= 2 && windowed.subscribes < 20, `tried ${windowed.subscribes} times`);
  assert.ok(Date.now() - started < 2_000, 'gave up once the window was spent');

  const off = new ScriptedClient();
  off.subscribeErrors = [unknownPartition()];
  await assert.rejects(runner(off, { startRetryWindowMs: 0 }).r.start(), /does not host/);
  assert.equal(off.subscribes, 1);
});

test('a close while start waits to try again ends the start without an error', async () => {
  const client = new ScriptedClient();
  client.subscribeErrors = Array.from({ length: 5 }, unknownPartition);
  const { r } = runner(client);
  const starting = r.start();
  await new Promise((resolve) => setTimeout(resolve, 50));
  await r.close();
  await starting;
  assert.equal(client.runs, 0);
  assert.equal(client.subscribes, 1);
});

test('concurrent starts share one attempt', async () => {
  const client = new ScriptedClient();
  const { r } = runner(client);
  await Promise.all([r.start(), r.start(), r.start()]);
  assert.equal(client.connects, 1);
  assert.equal(client.runs, 1);
});

test('a close during start stops it without an error; a closed runner refuses to start; close is idempotent', async () => {
  const client = new ScriptedClient();
  let open: () => void = () => undefined;
  client.gate = new Promise((resolve) => {
    open = resolve;
  });
  const { r } = runner(client);
  const starting = r.start();
  await new Promise((resolve) => setImmediate(resolve));
  const closing = r.close();
  assert.equal(r.close(), closing);
  open();
  await starting;
  await closing;
  assert.equal(client.runs, 0, 'never ran');
  await assert.rejects(r.start(), /consumer g is closed/);
});

test('a crash the client does not recover from is fatal once; one it restarts from is not', () => {
  const client = new ScriptedClient();
  const fatal: Error[] = [];
  const { r } = runner(client, { onFatal: (err) => fatal.push(err) });
  assert.deepEqual(r.health, { ok: false, detail: 'has not joined its group yet' });
  client.listeners!.joined({ 'odx.orders.v1': [0] });
  assert.deepEqual(r.health, { ok: true, detail: 'member of its group' });
  client.listeners!.crashed(new Error('coordinator moved'), true);
  assert.equal(fatal.length, 0);
  client.listeners!.crashed(new Error('gave up'), false);
  client.listeners!.crashed(new Error('again'), false);
  assert.deepEqual(
    fatal.map((e) => e.message),
    ['gave up'],
  );
  assert.deepEqual(r.health, { ok: false, detail: 'consumer crashed: gave up' });
});

test('each finished message is reported as an outcome event, typed, and a throwing listener stops nothing', async () => {
  const client = new ScriptedClient();
  const handled: string[] = [];
  const { r, published } = runner(client, {
    eventTypes: ['OrderConfirmed'],
    handler: async (e) => {
      if (e.key === 'bad') throw new PermanentError('SKU unknown', { errorClass: 'wms.validation' });
      handled.push(e.eventId);
    },
  });
  const outcomes: MessageOutcomeEvent[] = [];
  r.on('outcome', () => {
    throw new Error('a broken listener');
  });
  r.on('outcome', (o) => void outcomes.push(o));
  await r.start();
  const resolved: string[] = [];
  const message = (offset: string, key: string, headers: Record<string, string> = {}) => ({
    offset,
    key: Buffer.from(key),
    value: Buffer.from(`id-${offset}`),
    headers,
  });
  await client.eachBatch!({
    topic: 'odx.orders.v1',
    partition: 1,
    messages: [message('10', 'good'), message('11', 'bad'), message('12', 'other', { ce_type: 'com.odx.events.OrderCancelled' })],
    isActive: () => true,
    resolveOffset: (o) => void resolved.push(o),
    heartbeat: async () => undefined,
    pause: () => () => undefined,
  });
  assert.deepEqual(handled, ['id-10']);
  assert.deepEqual(resolved, ['12'], 'all three are done');
  assert.deepEqual(
    published.map((m) => m.topic),
    ['odx.orders.v1.g.dlq'],
  );
  assert.deepEqual(
    outcomes.map(({ durationMs, ...o }) => (assert.ok(durationMs >= 0), o)),
    [
      {
        topic: 'odx.orders.v1',
        partition: 1,
        offset: '10',
        originalTopic: 'odx.orders.v1',
        attempt: 1,
        eventType: 'OrderConfirmed',
        eventId: 'id-10',
        outcome: 'ok',
      },
      {
        topic: 'odx.orders.v1',
        partition: 1,
        offset: '11',
        originalTopic: 'odx.orders.v1',
        attempt: 1,
        eventType: 'OrderConfirmed',
        eventId: 'id-11',
        outcome: 'dlq',
        errorClass: 'wms.validation',
      },
      { topic: 'odx.orders.v1', partition: 1, offset: '12', originalTopic: 'odx.orders.v1', attempt: 1, outcome: 'skipped' },
    ],
  );
  const before = outcomes.length;
  const listener = (o: MessageOutcomeEvent): void => void outcomes.push(o);
  r.on('outcome', listener).off('outcome', listener);
  assert.equal(outcomes.length, before);
});

test('a batch heartbeats while one slow message keeps it busy, and stops once it is done', async () => {
  // With a 10 s session, a handler (or store call) that takes longer than the session must not end the membership.
  const client = new ScriptedClient();
  const { r } = runner(client, { handler: () => new Promise((resolve) => setTimeout(resolve, 2_600)) });
  await r.start();
  const beats: number[] = [];
  const started = Date.now();
  await client.eachBatch!({
    topic: 'odx.orders.v1',
    partition: 0,
    messages: [{ offset: '5', key: Buffer.from('k'), value: Buffer.from('id-5'), headers: {} }],
    isActive: () => true,
    resolveOffset: () => undefined,
    heartbeat: async () => void beats.push(Date.now() - started),
    pause: () => () => undefined,
  });
  const during = beats.filter((at) => at < 2_500).length;
  assert.ok(during >= 2, `heartbeats while the message ran: ${beats.join(', ')} ms`);
  const total = beats.length;
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  assert.equal(beats.length, total, 'no heartbeat after the batch');
  await r.close();
});

test('options are checked when the runner is built, before anything connects', () => {
  const client = new ScriptedClient();
  assert.throws(() => runner(client, { claimBatchSize: 0 }), /claimBatchSize: must be at least 1 \(got 0\)/);
  assert.equal(client.connects, 0);
});
