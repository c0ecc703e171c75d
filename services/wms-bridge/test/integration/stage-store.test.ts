// The stage store against the real MongoDB-wire server: what it reads, what it keeps in memory, and that the
// memory is only ever behind the store (a second replica's stage is read again, never invented).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { loadRuntimeConfig } from '@odx/runtime';
import { MongoClient, type Db } from 'mongodb';
import { STAGE_COLLECTION, StageStore } from '../../src/webhooks/stage-store.js';

async function freshDb(t: { after(fn: () => Promise<void>): void }): Promise<Db> {
  const mongo = await new MongoClient(loadRuntimeConfig('wms-bridge-test').mongo.url).connect();
  const db = mongo.db(`wmsb_stages_${randomUUID().slice(0, 8)}`);
  t.after(async () => {
    await db.dropDatabase().catch(() => undefined);
    await mongo.close();
  });
  return db;
}

/** Counts the reads the store sends (its collection's findOne), by wrapping the driver's collection. */
function countReads(db: Db): { reads: () => number } {
  let reads = 0;
  const collection = db.collection.bind(db);
  db.collection = ((name: string, options?: object) => {
    const c = collection(name, options);
    if (name === STAGE_COLLECTION) {
      const findOne = c.findOne.bind(c);
      c.findOne = ((...args: Parameters<typeof findOne>) => {
        reads++;
        return findOne(...args);
      }) as typeof findOne;
    }
    return c;
  }) as typeof db.collection;
  return { reads: () => reads };
}

test('an order read once is answered from memory; what it records is written and remembered', async (t) => {
  const db = await freshDb(t);
  const { reads } = countReads(db);
  const store = new StageStore(db);
  const order = { id: 'W-1', externalRef: `SO-${randomUUID().slice(0, 6)}` };
  assert.deepEqual(await store.recorded(order), []);
  const firstRead = reads();
  assert.equal(firstRead, 4, 'one point lookup per stage');
  await store.record(order, ['picked']);
  await store.record(order, ['packed', 'packed']);
  assert.deepEqual((await store.recorded(order)).sort(), ['packed', 'picked']);
  assert.equal(reads(), firstRead, 'no reads after the first');
  // The documents are there for a process that starts later.
  const restarted = new StageStore(db);
  assert.deepEqual((await restarted.recorded(order)).sort(), ['packed', 'picked']);
});

test("memory is behind another replica's record, never ahead: that stage is simply published again", async (t) => {
  const db = await freshDb(t);
  const order = { id: 'W-2', externalRef: `SO-${randomUUID().slice(0, 6)}` };
  const a = new StageStore(db);
  const b = new StageStore(db);
  assert.deepEqual(await a.recorded(order), []);
  await b.record(order, ['picked']);
  assert.deepEqual(await a.recorded(order), [], 'a still knows only what it read: picked would be published again');
  await a.record(order, ['picked']); // a duplicate key: fine
  assert.deepEqual(await a.recorded(order), ['picked']);
  assert.equal(await db.collection(STAGE_COLLECTION).countDocuments({ order: 'W-2' }), 1, 'one document per stage');
});

test('concurrent records of many orders share insert commands and all land', async (t) => {
  const db = await freshDb(t);
  const store = new StageStore(db);
  const orders = Array.from({ length: 200 }, (_, i) => ({ id: `W-${i}`, externalRef: `SO-${i}` }));
  await Promise.all(orders.map((o) => store.record(o, ['picked', 'packed'])));
  assert.equal(await db.collection(STAGE_COLLECTION).countDocuments({}), 400);
  const fresh = new StageStore(db);
  assert.deepEqual((await fresh.recorded(orders[123]!)).sort(), ['packed', 'picked']);
});

test('an order just created in the WMS is known to have no stages: its first webhook reads nothing', async (t) => {
  const db = await freshDb(t);
  const { reads } = countReads(db);
  const store = new StageStore(db);
  const order = { id: 'W-3', externalRef: `SO-${randomUUID().slice(0, 6)}` };
  store.noneYet(order);
  assert.deepEqual(await store.recorded(order), []);
  assert.equal(reads(), 0);
  await store.record(order, ['picked']);
  store.noneYet(order); // a late call forgets nothing
  assert.deepEqual(await store.recorded(order), ['picked']);
});
