import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { MongoClient, type Db } from 'mongodb';
import { loadRuntimeConfig } from '../../src/config/index.js';
import {
  bulkWriteInChunks,
  ChunkedWriteFailed,
  deleteByIds,
  deleteManyInBatches,
  findByIds,
  insertManyInChunks,
  insertOnce,
  FERRETDB_UPDATE_STATEMENT_LIMIT,
  storeLimits,
} from '../../src/store/index.js';
import { uniqueName } from '../../src/testing/index.js';

async function testDb(t: TestContext): Promise<{ db: Db; mongo: MongoClient }> {
  const mongo = new MongoClient(loadRuntimeConfig('odx-test').mongo.url, { serverSelectionTimeoutMS: 5_000 });
  await mongo.connect();
  const db = mongo.db(uniqueName('odx_store').replace(/-/g, '_'));
  t.after(async () => {
    await db.dropDatabase().catch(() => undefined);
    await mongo.close();
  });
  return { db, mongo };
}

/** Resolves with the value, or rejects when the store takes longer than `ms` (a wedged store never answers). */
function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms (is the store wedged?)`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

test('1,000 upserts in one call go in bounded commands, and the store still answers within 1 s afterwards', async (t) => {
  const { db, mongo } = await testDb(t);
  const col = db.collection<{ _id: string; stage: string; n: number }>('lifecycles');
  const ops = Array.from({ length: 1_000 }, (_, i) => ({
    replaceOne: { filter: { _id: `order-${i}` }, replacement: { _id: `order-${i}`, stage: 'confirmed', n: i }, upsert: true },
  }));
  const first = await within(60_000, 'chunked upsert of 1,000', bulkWriteInChunks(col, ops));
  assert.equal(first.upserted, 1_000);
  assert.equal(first.commands, Math.ceil(1_000 / storeLimits().maxStatements));
  assert.ok(
    storeLimits().maxStatements < FERRETDB_UPDATE_STATEMENT_LIMIT,
    'the default stays below the statement count FerretDB wedges at',
  );
  // The same again: every document is matched, none upserted.
  const again = await within(
    60_000,
    'chunked replace of 1,000',
    bulkWriteInChunks(
      col,
      ops.map((o) => ({ replaceOne: { ...o.replaceOne, replacement: { ...o.replaceOne.replacement, stage: 'paid' } } })),
    ),
  );
  assert.deepEqual([again.matched, again.upserted], [1_000, 0]);

  // The whole store still answers, from this client and from a new one.
  const other = new MongoClient(loadRuntimeConfig('odx-test').mongo.url, { serverSelectionTimeoutMS: 5_000 });
  t.after(() => other.close());
  await within(5_000, 'connect', other.connect());
  const started = Date.now();
  await within(1_000, 'insertOne', db.collection('probe').insertOne({ _id: 'after' } as never));
  assert.equal(
    await within(
      1_000,
      'findOne by _id',
      col.findOne({ _id: 'order-999' }).then((d) => d?.stage),
    ),
    'paid',
  );
  assert.equal(await within(1_000, 'count from a new client', other.db(db.databaseName).collection('lifecycles').countDocuments()), 1_000);
  assert.ok(Date.now() - started < 1_000);
  void mongo;
});

test('insertManyInChunks reports duplicates by index and inserts the rest; insertOnce says which call won', async (t) => {
  const { db } = await testDb(t);
  const col = db.collection<{ _id: string; v: number }>('facts');
  assert.equal(await insertOnce(col, { _id: 'a', v: 1 }), true);
  assert.equal(await insertOnce(col, { _id: 'a', v: 2 }), false);
  const docs = Array.from({ length: 2_500 }, (_, i) => ({ _id: i % 1_000 === 7 ? 'a' : `d${i}`, v: i }));
  const res = await insertManyInChunks(col, docs, { chunkSize: 1_000 });
  assert.deepEqual(res.duplicates, [7, 1_007, 2_007]);
  assert.equal(res.inserted, 2_497);
  assert.equal(res.commands, 3);
  assert.equal((await col.findOne({ _id: 'a' }))?.v, 1, 'the first write stands');
  assert.equal(await col.countDocuments(), 2_498);
});

test('a failure other than a duplicate key is thrown after the other chunks ran, with its index', async (t) => {
  const { db } = await testDb(t);
  const col = db.collection<{ _id: string; n: number }>('numbers');
  // A string where the updates expect a number: $inc on it fails.
  await db.collection('numbers').insertOne({ _id: 'text', n: 'not a number' } as never);
  const ops = Array.from({ length: 120 }, (_, i) => ({
    updateOne: { filter: { _id: i === 60 ? 'text' : `n${i}` }, update: { $inc: { n: 1 } }, upsert: true },
  }));
  const err = await bulkWriteInChunks(col, ops, { chunkSize: 20 }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof ChunkedWriteFailed, `got ${String(err)}`);
  assert.equal(err.failures.length, 1);
  // MongoDB names statement 60; FerretDB 1.24 ends the failing update command at the bad statement and
  // names the command's first one, so only the chunk (60-79) is certain across servers.
  const index = err.failures[0]!.index;
  assert.ok(index >= 60 && index < 80, `failure index ${index} is in the fourth chunk`);
  assert.match(err.message, /1 of the store writes failed/);
  const present = new Set((await col.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id));
  for (const i of [0, 59, 80, 119]) assert.ok(present.has(`n${i}`), `n${i} of the other chunks was written`);
});

test('deleteManyInBatches empties a backlog larger than one delete may hold; deleteByIds and findByIds', async (t) => {
  const { db } = await testDb(t);
  const col = db.collection<{ _id: string; at: number }>('expiring');
  const n = 5_500;
  await insertManyInChunks(
    col,
    Array.from({ length: n }, (_, i) => ({ _id: `k${i}`, at: i })),
  );
  const found = await findByIds(col, ['k10', 'missing', 'k3', 'k10']);
  assert.deepEqual(
    found.map((d) => d._id),
    ['k10', 'k3'],
    'in the order asked, missing ones left out, repeats once',
  );
  assert.equal(await deleteByIds(col, ['k0', 'k1', 'nope']), 2);
  const bounded = await deleteManyInBatches(col, { at: { $lt: 4_000 } }, { batchSize: 1_000, maxBatches: 2 });
  assert.deepEqual(bounded, { deleted: 2_000, batches: 2, more: true });
  const rest = await deleteManyInBatches(col, { at: { $lt: 4_000 } }, { batchSize: 1_000 });
  assert.equal(rest.deleted, 4_000 - 2 - 2_000);
  assert.equal(rest.more, false);
  assert.equal(await col.countDocuments(), n - 4_000);
  const aborted = new AbortController();
  aborted.abort();
  assert.deepEqual(await deleteManyInBatches(col, {}, { signal: aborted.signal }), { deleted: 0, batches: 0, more: true });
});
