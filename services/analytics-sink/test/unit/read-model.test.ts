import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toStored, type StoredEntry } from '../../src/ingest/event-index.js';
import type { IndexedEvent } from '../../src/ingest/event-record.js';
import { MemoryReadModel, type IndexSource } from '../../src/read/read-model.js';

async function* nothingStored(): AsyncGenerator<StoredEntry> {}

/** An index with nothing stored and no database: the model holds only what the test adds. */
function detachedIndex(): IndexSource {
  return {
    inRange: async () => [],
    byLinks: async () => [],
    onInserted: () => undefined,
    collection: { find: () => ({ batchSize: nothingStored }) },
  };
}

function entry(id: string, time: Date, links: string[]): IndexedEvent {
  return {
    _id: id,
    eventId: id,
    entry: 'event',
    type: 'OrderConfirmed',
    key: null,
    topic: 't',
    partition: 0,
    offset: 0,
    originalTopic: 't',
    traceId: null,
    time,
    source: null,
    ceSource: null,
    correlationId: null,
    links,
    facts: {},
  };
}

test('the memory model keeps each id once, indexes links, and evicts what falls out of its retention', () => {
  const m = new MemoryReadModel(detachedIndex(), 60_000);
  const now = Date.now();
  m.add([
    entry('a', new Date(now), ['order:1']),
    entry('a', new Date(now), ['order:2']),
    entry('old', new Date(now - 120_000), ['order:1']),
  ]);
  assert.equal(m.size, 1); // the duplicate id and the entry older than the retention are not held
  m.add([entry('b', new Date(now - 59_900), ['order:1', 'shipment:9'])]);
  assert.equal(m.size, 2);
  return new Promise<void>((resolve) =>
    setTimeout(() => {
      assert.equal(m.evict(), 1); // b crossed the horizon
      assert.equal(m.size, 1);
      resolve();
    }, 200),
  );
});

test('a failed load of the event index is tried again until it works, keeping what earlier attempts read', async () => {
  const now = Date.now();
  let attempts = 0;
  const index: IndexSource = {
    ...detachedIndex(),
    collection: {
      find: () => ({
        batchSize: async function* (): AsyncGenerator<StoredEntry> {
          attempts++;
          yield toStored(entry(`e${attempts}`, new Date(now), ['order:1']));
          // FerretDB losing a long load's cursor between batches, twice.
          if (attempts < 3) throw new Error('cursor id 1673458867 not found');
        },
      }),
    },
  };
  const m = new MemoryReadModel(index);
  const retries: number[] = [];
  const loaded = await m.loadUntilReady(new AbortController().signal, (_err, attempt, delayMs) => void retries.push(attempt, delayMs), {
    firstDelayMs: 5,
    maxDelayMs: 8,
  });
  assert.equal(loaded, true);
  assert.equal(m.ready, true);
  assert.deepEqual(retries, [1, 5, 2, 8], 'two retries, the delay doubling up to its cap');
  assert.equal(m.size, 3, 'what each attempt read is held');

  const never = new MemoryReadModel({
    ...detachedIndex(),
    collection: {
      find: () => ({
        // eslint-disable-next-line require-yield -- a load that fails before its first entry
        batchSize: async function* (): AsyncGenerator<StoredEntry> {
          throw new Error('store down');
        },
      }),
    },
  });
  const stop = new AbortController();
  const pending = never.loadUntilReady(stop.signal, () => void setTimeout(() => stop.abort(), 1), { firstDelayMs: 60_000 });
  assert.equal(await pending, false, 'a shutdown ends the retries at once, even in a long wait');
  assert.equal(never.ready, false);
});
