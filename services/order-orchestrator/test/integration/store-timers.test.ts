// The process store and the due index on FerretDB (the default stack): no services, a database of its own.
// - A due time already past when its entry is written, after the scanner moved on, still fires (issue 12).
// - A version another writer stored already: ProcessVersionConflict, the partition's memory dropped, and the
//   next load reads what that writer stored.
// - Compaction keeps the latest version of each order and drops the older generations.
// - A state's JSON round trip keeps Dates and refuses bytes.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { createLogger, type EventProducer } from '@odx/runtime';
import type { OrchestratorSignal } from '@odx/schemas';
import { Binary, MongoClient, type Db } from 'mongodb';
import { newProcess, type IndexedDue, type ProcessState } from '../../src/process/process-state.js';
import { ProcessStore, ProcessVersionConflict, versionId, type ProcessVersionDoc } from '../../src/process/process-store.js';
import { DueIndex } from '../../src/timers/due-index.js';
import { TimerScanner } from '../../src/timers/timer-scan.js';

const url = process.env['ODX_MONGO_URL'] ?? 'mongodb://127.0.0.1:27017/';
let client: MongoClient;
let db: Db;
const quiet = createLogger({ service: 'store-test', level: 'error' });

before(async () => {
  client = await MongoClient.connect(url);
  db = client.db(`orch_store_test_${randomUUID().slice(0, 8)}`);
});
after(async () => {
  await db.dropDatabase().catch(() => undefined);
  await client.close();
});

const state = (orderId: string, version: number, extra: Partial<ProcessState> = {}): ProcessState => ({
  ...newProcess(orderId, 1_700_000_000_000),
  version,
  updatedAt: 1_700_000_000_000 + version,
  ...extra,
});

describe('due index on FerretDB', () => {
  it('fires a past-due entry written after the scanner moved on, and the timer signal removes it', async () => {
    const SLOT = 1_000;
    const index = new DueIndex(db, SLOT);
    const fired: OrchestratorSignal[] = [];
    const producer: Pick<EventProducer, 'publish'> = {
      publish: (events) => {
        for (const e of events) if (e.eventType === 'OrchestratorSignal') fired.push(e.payload);
        return Promise.resolve([]);
      },
    };
    const scanner = new TimerScanner({ index, producer, inboxTopic: 'inbox', company: 'c', partitions: 2, logger: quiet });
    const t0 = 5_000_000 * SLOT;
    await scanner.scan(t0);
    await scanner.scan(t0 + 10 * SLOT);
    assert.equal(await index.readCursor(), 5_000_010);
    // A writer whose clock is behind the scanner's files no earlier than the cursor it saw.
    assert.equal(index.file({ step: 'credit', attempt: 0, at: t0, partition: 0 }, t0 + 2 * SLOT).slot, 5_000_010);

    // Written now (the inbox lagging), due 8 slots ago: filed under the next slot, not the past one.
    const now = t0 + 10 * SLOT + 400;
    const due: IndexedDue = { step: 'release', attempt: 1, at: t0 + 2 * SLOT, partition: 1 };
    const filed = index.file(due, now);
    assert.equal(filed.slot, 5_000_011);
    // As before the fix: the same entry under its own slot, which the scanner has passed.
    const unfiled = { ...due, step: 'dispatch' as const };
    await index.add([
      { orderId: 'O-late', add: filed, remove: [] },
      { orderId: 'O-old', add: unfiled, remove: [] },
    ]);
    assert.equal((await scanner.scan(now)).fired, 0, 'not yet: filed under the next slot');
    const r = await scanner.scan(t0 + 11 * SLOT + 100);
    assert.equal(r.fired, 1);
    assert.equal(fired.length, 1);
    assert.equal(fired[0]!.orderId, 'O-late', 'the entry in the passed slot never fires');
    assert.equal(fired[0]!.timer?.dueAt.getTime(), index.entryTime(filed));

    // The fold's removal of the fired timer (from the signal: step, attempt, due time, no slot) finds the entry.
    const fromSignal: IndexedDue = { step: 'release', attempt: 1, at: fired[0]!.timer!.dueAt.getTime(), partition: 1 };
    await index.remove([{ orderId: 'O-late', add: null, remove: [fromSignal] }]);
    const [bucket] = await index.read([5_000_011], [1]);
    assert.deepEqual(Object.keys(bucket?.e ?? {}), []);
  });
});

describe('process store on FerretDB', () => {
  it('a version another writer stored already: ProcessVersionConflict, memory dropped, the stored one read next', async () => {
    const store = new ProcessStore(db, { logger: quiet });
    const p = 0;
    await store.load(['O-1'], p);
    await store.save([state('O-1', 1)], p);
    assert.equal(store.cachedCount, 1);
    const [gen] = (await store.generations()).get(p)!;
    // Another writer stores version 2 first (its state says so: stage 'credit').
    const theirs = state('O-1', 2, { stage: 'credit' });
    const doc: ProcessVersionDoc = {
      _id: versionId('O-1', 2),
      o: 'O-1',
      v: 2,
      open: true,
      at: theirs.updatedAt,
      n: null,
      r: null,
      s: new Binary(deflateRawSync(Buffer.from(JSON.stringify(theirs)))),
    };
    await store.collectionOf(p, gen!).insertOne(doc);

    await assert.rejects(store.save([state('O-1', 2)], p), (err: unknown) => {
      assert.ok(err instanceof ProcessVersionConflict);
      assert.deepEqual(err.orderIds, ['O-1']);
      assert.equal(err.partition, p);
      return true;
    });
    assert.equal(store.cachedCount, 0, 'the partition is forgotten');
    // The batch comes again: the partition is read anew (a generation of its own) and folded on what is stored.
    const again = (await store.load(['O-1'], p)).get('O-1');
    assert.equal(again?.version, 2);
    assert.equal(again?.stage, 'credit');
    assert.equal((await store.generations()).get(p)!.length, 2);
    await store.save([state('O-1', 3)], p);
  });

  it('compaction keeps the latest version of each order and drops older generations', async () => {
    const p = 1;
    const first = new ProcessStore(db, { logger: quiet, compactMin: 1 });
    await first.load(['A', 'B'], p);
    for (let v = 1; v <= 4; v++) await first.save([state('A', v), state('B', v)], p);
    await first.save([state('A', 5)], p);
    assert.equal((await first.generations()).get(p)!.length, 1, 'one generation: nothing to compact');

    // A restart (or the next owner after a rebalance): a generation of its own; its first save compacts.
    const next = new ProcessStore(db, { logger: quiet, compactMin: 1 });
    const loaded = await next.load(['A', 'B', 'C'], p);
    assert.equal(loaded.get('A')?.version, 5);
    assert.equal(loaded.get('B')?.version, 4);
    assert.equal(loaded.get('C'), null);
    await next.save([state('C', 1)], p);
    await next.compact(p);
    const gens = (await next.generations()).get(p)!;
    assert.equal(gens.length, 1, 'older generations dropped');
    const docs = await next
      .collectionOf(p, gens[0]!)
      .find({}, { projection: { o: 1, v: 1 } })
      .toArray();
    assert.deepEqual(docs.map((d) => `${d.o}~${d.v}`).sort(), ['A~5', 'B~4', 'C~1']);

    // Another start reads only the latest versions, from the one generation left.
    const third = new ProcessStore(db, { logger: quiet });
    const again = await third.load(['A', 'B', 'C'], p);
    assert.deepEqual(
      [...again.values()].map((s) => s?.version),
      [5, 4, 1],
    );
    const all: string[] = [];
    for await (const s of third.all()) if (['A', 'B', 'C'].includes(s.orderId)) all.push(`${s.orderId}~${s.version}`);
    assert.deepEqual(all.sort(), ['A~5', 'B~4', 'C~1']);
  });

  it("a state's JSON round trip keeps Dates and refuses bytes", async () => {
    const p = 2;
    const at = new Date('2026-12-07T07:00:00.123Z');
    // An effect's event payload holds dates; set on the state as it is (the test does not build a whole event).
    const withDates = state('D', 1);
    Reflect.set(withDates, 'outbox', [{ kind: 'publish-stage', payload: { occurredAt: at, nested: [{ when: at }], n: 1, s: 'x' } }]);
    const store = new ProcessStore(db, { logger: quiet });
    await store.load(['D'], p);
    await store.save([withDates], p);
    const read = (await new ProcessStore(db, { logger: quiet }).load(['D'], p)).get('D')!;
    assert.deepEqual(read.outbox, [{ kind: 'publish-stage', payload: { occurredAt: at, nested: [{ when: at }], n: 1, s: 'x' } }]);
    const effect = read.outbox[0];
    assert.ok(effect?.kind === 'publish-stage' && effect.payload.occurredAt instanceof Date, 'a Date, not its ISO string');
    assert.deepEqual({ ...read, outbox: [] }, { ...state('D', 1), outbox: [] });

    const withBytes = state('E', 1);
    Reflect.set(withBytes, 'outbox', [{ kind: 'publish-stage', payload: { raw: new Uint8Array([1, 2]) } }]);
    await assert.rejects(store.save([withBytes], p), /process field raw holds bytes/);
  });
});
