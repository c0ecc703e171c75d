import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mapLimited } from '../../src/concurrency/index.js';

test('mapLimited keeps order, never exceeds its limit, and refuses a limit that would stall', async () => {
  let inFlight = 0;
  let peak = 0;
  const out = await mapLimited([5, 1, 4, 2, 3, 0], 2, async (n, i) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, n));
    inFlight--;
    return `${i}:${n}`;
  });
  assert.deepEqual(out, ['0:5', '1:1', '2:4', '3:2', '4:3', '5:0']);
  assert.equal(peak, 2);
  assert.deepEqual(await mapLimited([], 3, async () => 1), []);
  await assert.rejects(
    mapLimited([1], 0, async () => 1),
    /positive integer/,
  );
  await assert.rejects(
    mapLimited([1, 2], 1, async (n) => {
      if (n === 2) throw new Error('boom');
      return n;
    }),
    /boom/,
  );
});
