import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoredEntry } from '../../src/ingest/event-index.js';
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
