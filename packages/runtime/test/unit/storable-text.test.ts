import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withoutNulChars } from '../../src/store/index.js';

test('withoutNulChars replaces NUL in every nested string and leaves everything else as it is', () => {
  const at = new Date(0);
  const bytes = Buffer.from([0, 1, 2]);
  const doc = { raw: 'ISA\u0000*00', nested: { list: ['a\u0000b', 'ok'], at, bytes }, n: 1, none: null };
  const out = withoutNulChars(doc);
  assert.deepEqual(out, { raw: 'ISA\uFFFD*00', nested: { list: ['a\uFFFDb', 'ok'], at, bytes }, n: 1, none: null });
  assert.equal(out.nested.at, at, 'Dates are kept');
  assert.equal(out.nested.bytes, bytes, 'Buffers are kept');
  assert.equal(doc.raw, 'ISA\u0000*00', 'the input is not changed');
  const clean = { a: 'x', b: ['y'] };
  assert.equal(withoutNulChars(clean), clean, 'a value without NUL comes back as the same object');
});
