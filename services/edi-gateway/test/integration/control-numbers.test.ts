import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { loadRuntimeConfig } from '@odx/runtime';
import { MongoClient } from 'mongodb';
import { ControlNumberAllocator } from '../../src/store/control-numbers.js';

test('control numbers are unique and increasing per partner, across instances and restarts', async (t) => {
  const mongo = await new MongoClient(loadRuntimeConfig('edi-test').mongo.url).connect();
  const db = mongo.db(`edi_ctl_${randomUUID().slice(0, 8)}`);
  t.after(async () => {
    await db.dropDatabase().catch(() => undefined);
    await mongo.close();
  });
  const a = new ControlNumberAllocator({ db, owner: 'a', blockSize: 5 });
  await a.init();
  const first: number[] = [];
  for (let i = 0; i < 12; i++) first.push(await a.next('northwind', 'isa'));
  assert.deepEqual(first, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  assert.equal(await a.next('globex', 'isa'), 1, 'each partner has its own sequence');
  assert.equal(await a.next('northwind', 'st'), 1, 'and each kind');

  // A crash: the numbers left in a's block (13-15) are never handed out again.
  const restarted = new ControlNumberAllocator({ db, owner: 'a2', blockSize: 5 });
  assert.equal(await restarted.next('northwind', 'isa'), 16);

  // Two live instances at once: no number twice, each increasing.
  const b = new ControlNumberAllocator({ db, owner: 'b', blockSize: 5 });
  const [fromA, fromB] = await Promise.all([
    Promise.all(Array.from({ length: 40 }, () => restarted.next('northwind', 'isa'))),
    Promise.all(Array.from({ length: 40 }, () => b.next('northwind', 'isa'))),
  ]);
  const all = [...first, 16, ...fromA, ...fromB];
  assert.equal(new Set(all).size, all.length, 'unique');
  for (const seq of [fromA, fromB])
    assert.ok(
      seq.every((n, i) => i === 0 || n > seq[i - 1]!),
      'increasing within an instance',
    );
  assert.ok(Math.min(...fromA, ...fromB) > 16);

  const env = await a.forInterchange('globex', 3);
  assert.deepEqual(env, { interchange: 2, group: 1, sets: [1, 2, 3] });
});
