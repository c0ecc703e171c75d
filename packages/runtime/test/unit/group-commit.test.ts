// Group commit in InsertBatcher and BatchingPublisher: while the allowed
// number of commands/requests is in flight, what arrives queues and goes out
// as one when an answer comes back. The store and the producer are stand-ins
// that record each command and answer when the test says so (pure batching
// logic; the integration tests run both against the real servers).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Collection } from 'mongodb';
import { BatchingPublisher, type EventProducer, type OutgoingEvent, type PublishedEvent } from '../../src/kafka/index.js';
import { InsertBatcher } from '../../src/store/index.js';

interface Gate {
  size: number;
  open: () => void;
}

/** Records each bulkWrite's size and holds its answer until the test opens it. */
function recordingCollection(): { collection: Collection<{ _id: string }>; commands: Gate[] } {
  const commands: Gate[] = [];
  const collection = {
    collectionName: 'recorded',
    bulkWrite: (ops: unknown[]) =>
      new Promise((resolve) =>
        commands.push({
          size: ops.length,
          open: () => resolve({ insertedCount: ops.length, matchedCount: 0, modifiedCount: 0, upsertedCount: 0, deletedCount: 0 }),
        }),
      ),
  };
  return { collection: collection as unknown as Collection<{ _id: string }>, commands };
}

/** Records each publish request's size and holds its acknowledgement until the test opens it. */
function recordingProducer(): { producer: EventProducer; requests: Gate[] } {
  const requests: Gate[] = [];
  const producer = {
    publish: (events: readonly OutgoingEvent[]) =>
      new Promise<PublishedEvent[]>((resolve) =>
        requests.push({
          size: events.length,
          open: () => resolve(events.map((e, i) => ({ eventId: e.payload.meta.eventId, offset: String(i) }) as unknown as PublishedEvent)),
        }),
      ),
  };
  return { producer: producer as unknown as EventProducer, requests };
}

const tick = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms));
const event = (n: number): OutgoingEvent => ({ payload: { meta: { eventId: `e${n}` } } }) as unknown as OutgoingEvent;

test('InsertBatcher: inserts that arrive while a command runs go out together when it answers', async () => {
  const { collection, commands } = recordingCollection();
  const batcher = new InsertBatcher(collection, { lingerMs: 1, maxInFlight: 1 });
  const first = batcher.insert({ _id: 'a' });
  await tick();
  assert.deepEqual(
    commands.map((c) => c.size),
    [1],
    'the first insert goes out after the linger',
  );
  const queued = Array.from({ length: 40 }, (_, i) => batcher.insert({ _id: `q${i}` }));
  await tick(20);
  assert.equal(commands.length, 1, 'nothing more is sent while the one command allowed runs');
  commands[0]!.open();
  assert.equal(await first, true);
  await tick();
  assert.deepEqual(
    commands.map((c) => c.size),
    [1, 40],
    'the 40 queued inserts went out as one command',
  );
  commands[1]!.open();
  assert.deepEqual(await Promise.all(queued), Array(40).fill(true));
});

test('InsertBatcher with lingerMs 0: what one turn of the event loop queued goes out together, with no timer', async () => {
  const { collection, commands } = recordingCollection();
  const batcher = new InsertBatcher(collection, { lingerMs: 0, maxInFlight: 1 });
  const turn = Array.from({ length: 7 }, (_, i) => batcher.insert({ _id: `t${i}` }));
  assert.equal(commands.length, 0, 'not sent synchronously');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(
    commands.map((c) => c.size),
    [7],
    'sent at the end of the turn, as one command',
  );
  const later = batcher.insert({ _id: 'later' });
  await new Promise((r) => setImmediate(r));
  assert.equal(commands.length, 1, 'queued behind the one command in flight');
  commands[0]!.open();
  assert.deepEqual(await Promise.all(turn), Array(7).fill(true));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(
    commands.map((c) => c.size),
    [7, 1],
  );
  commands[1]!.open();
  assert.equal(await later, true);
});

test('InsertBatcher: maxInFlight commands run at once, and maxBatch splits a large queue', async () => {
  const { collection, commands } = recordingCollection();
  const batcher = new InsertBatcher(collection, { lingerMs: 1, maxInFlight: 2, maxBatch: 25 });
  const a = batcher.insert({ _id: 'a' });
  await tick();
  const b = batcher.insert({ _id: 'b' });
  await tick();
  assert.deepEqual(
    commands.map((c) => c.size),
    [1, 1],
    'a second command starts while the first runs',
  );
  const rest = Array.from({ length: 60 }, (_, i) => batcher.insert({ _id: `r${i}` }));
  await tick(20);
  assert.equal(commands.length, 2, 'at the limit, the queue waits');
  commands[0]!.open();
  commands[1]!.open();
  await Promise.all([a, b]);
  await tick();
  assert.deepEqual(
    commands.slice(2).map((c) => c.size),
    [25, 25],
    'two slots free: two commands of maxBatch',
  );
  commands[2]!.open();
  await tick();
  assert.deepEqual(
    commands.slice(4).map((c) => c.size),
    [10],
    'the rest when a slot frees',
  );
  commands.slice(3).forEach((c) => c.open());
  assert.equal((await Promise.all(rest)).length, 60);
});

test('InsertBatcher refuses settings that would never send', () => {
  const { collection } = recordingCollection();
  assert.throws(() => new InsertBatcher(collection, { maxInFlight: 0 }), /maxInFlight must be a whole number >= 1/);
  assert.throws(() => new InsertBatcher(collection, { maxBatch: 0 }), /maxBatch must be a whole number >= 1/);
  assert.throws(() => new InsertBatcher(collection, { lingerMs: -1 }), /lingerMs must be a whole number >= 0/);
});

test('BatchingPublisher: events published while a request is in flight share the next request, each caller gets its own results', async () => {
  const { producer, requests } = recordingProducer();
  const publisher = new BatchingPublisher(producer, { lingerMs: 1, maxInFlight: 1, maxBatchSize: 100 });
  const first = publisher.publish(event(0));
  await tick();
  assert.deepEqual(
    requests.map((r) => r.size),
    [1],
  );
  const callers = Array.from({ length: 30 }, (_, c) => publisher.publishAll([event(100 + 2 * c), event(101 + 2 * c)]));
  await tick(20);
  assert.equal(requests.length, 1, 'nothing more is sent while the one request allowed is in flight');
  requests[0]!.open();
  assert.equal((await first).eventId, 'e0');
  await tick();
  assert.deepEqual(
    requests.map((r) => r.size),
    [1, 60],
    "the 30 callers' 60 events went out as one request",
  );
  requests[1]!.open();
  const results = await Promise.all(callers);
  assert.deepEqual(
    results[7]!.map((p) => p.eventId),
    ['e114', 'e115'],
    'each caller gets the results of its own events',
  );
  await publisher.flush();
});

test('BatchingPublisher: a request never exceeds maxBatchSize except for one caller larger than it; flush waits for the queue', async () => {
  const { producer, requests } = recordingProducer();
  const publisher = new BatchingPublisher(producer, { lingerMs: 1, maxInFlight: 1, maxBatchSize: 10 });
  const blocker = publisher.publish(event(0));
  await tick();
  const calls = [4, 4, 4, 15, 3].map((n, c) => publisher.publishAll(Array.from({ length: n }, (_, i) => event(1000 * (c + 1) + i))));
  const flushed = publisher.flush();
  let done = false;
  void flushed.then(() => (done = true));
  for (let i = 0; i < 5; i++) {
    requests[i]!.open();
    await tick();
  }
  await blocker;
  assert.deepEqual(
    requests.map((r) => r.size),
    [1, 8, 4, 15, 3],
    'whole callers up to 10 events; the 15-event caller alone',
  );
  assert.equal((await Promise.all(calls)).flat().length, 30);
  await flushed;
  assert.ok(done, 'flush resolved once nothing was queued or in flight');
});
