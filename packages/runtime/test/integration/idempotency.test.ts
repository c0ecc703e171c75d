import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { insertManyInChunks } from '../../src/store/index.js';
import { createTestKit } from '../support/test-kit.js';

test('many concurrent claims of one key: exactly one wins', async (t) => {
  const kit = await createTestKit(t);
  const stores = Array.from({ length: 25 }, (_, i) => kit.idempotency({ owner: `worker-${i}` }));
  await stores[0]!.init();
  const eventId = randomUUID();
  const outcomes = await Promise.all(stores.map((s) => s.claim('wms-bridge', eventId)));
  const winners = outcomes.filter((o) => o.status === 'acquired');
  assert.equal(winners.length, 1);
  assert.equal(outcomes.filter((o) => o.status === 'busy').length, 24);

  const winner = winners[0]!;
  assert.ok(winner.status === 'acquired');
  assert.equal(await stores[0]!.complete(winner.claim), true);
  const after = await Promise.all(stores.map((s) => s.claim('wms-bridge', eventId)));
  assert.ok(
    after.every((o) => o.status === 'duplicate'),
    'completed key reads as duplicate for everyone',
  );
  // Keys are per consumer: another consumer may process the same event.
  assert.equal((await stores[1]!.claim('tms-bridge', eventId)).status, 'acquired');
});

test('concurrent single claims and completions share insert commands; one key claimed twice in one command still has one winner', async (t) => {
  const kit = await createTestKit(t);
  const store = kit.idempotency({ owner: 'burst' });
  await store.init();
  const commands: number[] = [];
  // Count the insert commands this store's collection gets (the driver's command log, without monitoring).
  const bulkWrite = store.collection.bulkWrite.bind(store.collection);
  store.collection.bulkWrite = ((ops: Parameters<typeof bulkWrite>[0], options?: Parameters<typeof bulkWrite>[1]) => {
    commands.push(ops.length);
    return bulkWrite(ops, options);
  }) as typeof bulkWrite;
  const insertOne = store.collection.insertOne.bind(store.collection);
  store.collection.insertOne = ((doc: Parameters<typeof insertOne>[0], options?: Parameters<typeof insertOne>[1]) => {
    commands.push(1);
    return insertOne(doc, options);
  }) as typeof insertOne;
  const ids = Array.from({ length: 60 }, () => randomUUID());
  // Like 60 webhooks at once, one of them delivered twice.
  const outcomes = await Promise.all([...ids, ids[0]!].map((id) => store.claim('g', id)));
  assert.equal(outcomes.filter((o) => o.status === 'acquired').length, 60);
  assert.equal(outcomes.filter((o) => o.status === 'busy').length, 1, 'the repeat found the first one holding the key');
  assert.ok(commands.length < 10, `61 claims took ${commands.length} insert commands (${commands.join(', ')})`);
  const before = commands.length;
  const done = await Promise.all(
    outcomes.flatMap((o) => (o.status === 'acquired' ? [store.complete(o.claim, { verifyHolder: false })] : [])),
  );
  assert.deepEqual(done, Array(60).fill(true));
  assert.ok(commands.length - before < 10, `60 completions took ${commands.length - before} insert commands`);
  assert.ok((await Promise.all(ids.map((id) => store.claim('g', id)))).every((o) => o.status === 'duplicate'));
});

test("a crashed holder's lease is taken over by exactly one contender", async (t) => {
  const kit = await createTestKit(t);
  const crashed = kit.idempotency({ owner: 'crashed', leaseMs: 300 });
  const eventId = randomUUID();
  const first = await crashed.claim('g', eventId);
  assert.equal(first.status, 'acquired');
  const contenders = Array.from({ length: 10 }, (_, i) => kit.idempotency({ owner: `c${i}`, leaseMs: 5_000 }));
  // Within the lease: busy.
  const early = await contenders[0]!.claim('g', eventId);
  assert.equal(early.status, 'busy');
  await new Promise((r) => setTimeout(r, 400));
  const outcomes = await Promise.all(contenders.map((c) => c.claim('g', eventId)));
  const takers = outcomes.filter((o) => o.status === 'taken-over');
  assert.equal(takers.length, 1, `outcomes: ${outcomes.map((o) => o.status).join(',')}`);
  const taker = takers[0]!;
  assert.ok(taker.status === 'taken-over');
  assert.equal(taker.previousOwner, 'crashed');
  // The crashed holder, if it wakes up, can no longer complete.
  assert.ok(first.status === 'acquired');
  assert.equal(await crashed.complete(first.claim), false);
  assert.equal(await kit.idempotency({ owner: taker.claim.owner }).complete(taker.claim), true);
  assert.equal((await contenders[3]!.claim('g', eventId)).status, 'duplicate');
});

test('a released claim can be claimed again at once; expired keys are swept', async (t) => {
  const kit = await createTestKit(t);
  const store = kit.idempotency({ owner: 'a' });
  const eventId = randomUUID();
  const first = await store.claim('g', eventId);
  assert.ok(first.status === 'acquired');
  await store.release(first.claim);
  assert.equal((await kit.idempotency({ owner: 'b' }).claim('g', eventId)).status, 'acquired');

  const old = kit.idempotency({ owner: 'old' });
  const oldClaim = await old.claim('g', 'ancient', new Date(Date.now() - 30 * 24 * 3600_000));
  assert.ok(oldClaim.status === 'acquired');
  const swept = await store.sweepExpired();
  assert.ok(swept >= 1);
  assert.equal(await store.collection.countDocuments({ key: 'g:ancient' }), 0);
  assert.ok((await store.collection.countDocuments({ key: `g:${eventId}` })) >= 1, 'live keys stay');
});

test('batch claims: one round trip for new keys, correct outcomes for done, busy and repeated ones', async (t) => {
  const kit = await createTestKit(t);
  const a = kit.idempotency({ owner: 'a' });
  const b = kit.idempotency({ owner: 'b' });
  const done = randomUUID();
  const held = randomUUID();
  const d = await a.claim('g', done);
  assert.ok(d.status === 'acquired');
  assert.equal(await a.complete(d.claim), true);
  assert.equal((await a.claim('g', held)).status, 'acquired');
  const fresh = Array.from({ length: 300 }, () => randomUUID());
  const outcomes = await b.claimMany('g', [...fresh, done, held, fresh[0]!]);
  assert.equal(outcomes.size, 302, 'repeated ids get one outcome');
  assert.ok(fresh.every((id) => outcomes.get(id)?.status === 'acquired'));
  assert.equal(outcomes.get(done)?.status, 'duplicate');
  assert.equal(outcomes.get(held)?.status, 'busy');
  const claims = fresh.flatMap((id) => {
    const o = outcomes.get(id);
    return o && 'claim' in o ? [o.claim] : [];
  });
  assert.equal(await b.completeMany(claims), 300);
  assert.equal(await b.completeMany(claims), 0, 'completing twice records nothing new');
  const again = await a.claimMany('g', fresh.slice(0, 10));
  assert.ok([...again.values()].every((o) => o.status === 'duplicate'));
});

test('hostile event ids are stored verbatim and do not match other keys', async (t) => {
  const kit = await createTestKit(t);
  const store = kit.idempotency();
  for (const id of ['.*', '$where', '{"$gt": ""}', 'a:b:c', 'x'.repeat(500), 'ünïcødé']) {
    const o = await store.claim('g', id);
    assert.equal(o.status, 'acquired', id);
    assert.ok(o.status === 'acquired');
    await store.complete(o.claim);
  }
  assert.equal((await store.claim('g', 'other')).status, 'acquired');
});

test('retrying our own released claim races for the next generation, and still sees a late "done" of a holder that lost its lease', async (t) => {
  const kit = await createTestKit(t);
  const a = kit.idempotency({ owner: 'a', leaseMs: 200 });
  const zombie = kit.idempotency({ owner: 'zombie', leaseMs: 200 });
  // Plain retry: released by us, claimed again by us at generation 1, then 2.
  const retried = randomUUID();
  let outcome = await a.claim('g', retried);
  for (const generation of [0, 1, 2]) {
    assert.ok(outcome.status === 'acquired', `attempt ${generation}: ${outcome.status}`);
    assert.equal(outcome.claim.generation, generation);
    await a.release(outcome.claim);
    outcome = await a.claim('g', retried);
  }
  assert.equal(outcome.status, 'acquired');

  // The zombie held generation 0 past its lease; we took over, failed and released; the zombie then finished.
  const eventId = randomUUID();
  const z = await zombie.claim('g', eventId);
  assert.ok(z.status === 'acquired');
  await new Promise((r) => setTimeout(r, 250));
  const taken = await a.claim('g', eventId);
  assert.ok(taken.status === 'taken-over', taken.status);
  await a.release(taken.claim);
  assert.equal(await zombie.complete(z.claim, { verifyHolder: false }), true);
  const again = await a.claim('g', eventId);
  assert.equal(again.status, 'duplicate', 'the effect is done: no new generation is handed out');
  assert.equal((await kit.idempotency({ owner: 'c' }).claim('g', eventId)).status, 'duplicate');
});

test('with history in the collection, a new member reads a redelivered batch as done (lookups by _id)', async (t) => {
  const kit = await createTestKit(t);
  const store = kit.idempotency({ owner: 'a' });
  await store.init();
  // History: 10,000 other keys' documents.
  await insertManyInChunks(
    store.collection,
    Array.from({ length: 10_000 }, (_, i) => ({ _id: `old:${i}!done`, key: `old:${i}`, expiresAt: new Date(Date.now() + 86_400_000) })),
  );
  const ids = Array.from({ length: 50 }, () => randomUUID());
  const first = await store.claimMany('g', ids);
  await store.completeMany([...first.values()].flatMap((o) => (o.status === 'acquired' ? [o.claim] : [])));
  // A new member (no memory of its own) sees the redelivered batch as done.
  const fresh = kit.idempotency({ owner: 'b' });
  const again = await fresh.claimMany('g', ids);
  assert.ok([...again.values()].every((o) => o.status === 'duplicate'));
});
