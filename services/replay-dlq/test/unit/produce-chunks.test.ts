import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MAX_REQUEST_BYTES, chunkBySize, messageBytes } from '../../src/kafka/produce-chunks.js';

test('produce requests stay under the count and byte caps, keep order and lose nothing', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 300_000 }), { maxLength: 200 }), fc.integer({ min: 1, max: 50 }), (sizes, maxCount) => {
      const chunks = chunkBySize(sizes, (n) => n, maxCount);
      assert.deepEqual(chunks.flat(), sizes);
      for (const c of chunks) {
        assert.ok(c.length >= 1 && c.length <= maxCount);
        // Only a single oversized item may exceed the byte cap, alone.
        const bytes = c.reduce((a, b) => a + b, 0);
        assert.ok(bytes <= MAX_REQUEST_BYTES || c.length === 1);
      }
    }),
  );
});

test('message size counts value, key and headers', () => {
  const small = messageBytes({ key: null, value: null, headers: {} });
  assert.equal(messageBytes({ key: 'abc', value: Buffer.alloc(100), headers: { ce_id: 'x'.repeat(36) } }), small + 3 + 100 + 5 + 36 + 4);
});
