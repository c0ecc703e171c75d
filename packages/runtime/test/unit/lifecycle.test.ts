import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { Lifecycle } from '../../src/lifecycle/index.js';
import { createLogger } from '../../src/logging/index.js';

const quiet = createLogger({ service: 't', stream: new Writable({ write: (_c, _e, cb) => cb() }) });

test('shutdown closes in reverse order once, aborts the signal, and survives a failing closer', async () => {
  const lc = new Lifecycle(quiet, 5_000);
  const order: string[] = [];
  lc.register('mongo', () => void order.push('mongo'));
  lc.register('producer', async () => {
    order.push('producer');
    throw new Error('already closed');
  });
  lc.register('consumer', async () => {
    await new Promise((r) => setTimeout(r, 20));
    order.push('consumer');
  });
  assert.equal(lc.signal.aborted, false);
  const a = lc.shutdown('test');
  const b = lc.shutdown('again');
  assert.equal(a, b, 'the same in-flight promise');
  await a;
  assert.equal(lc.signal.aborted, true);
  assert.deepEqual(order, ['consumer', 'producer', 'mongo']);
  await lc.shutdown();
  assert.equal(order.length, 3);
});
