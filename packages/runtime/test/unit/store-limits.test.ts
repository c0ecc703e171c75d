import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  chunked,
  configureStoreLimits,
  DEFAULT_STORE_LIMITS,
  FERRETDB_UPDATE_STATEMENT_LIMIT,
  storeLimits,
} from '../../src/store/index.js';

test('chunked splits in order and refuses a size that would loop forever', () => {
  assert.deepEqual(chunked([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  assert.deepEqual(chunked([], 50), []);
  assert.throws(() => chunked([1], 0), /positive integer/);
  assert.throws(() => chunked([1], 1.5), /positive integer/);
});

test('store limits default below the FerretDB wedge and are validated when set', (t) => {
  t.after(() => configureStoreLimits(DEFAULT_STORE_LIMITS));
  assert.ok(DEFAULT_STORE_LIMITS.maxStatements < FERRETDB_UPDATE_STATEMENT_LIMIT);
  assert.equal(configureStoreLimits({ maxStatements: 20 }).maxStatements, 20);
  assert.equal(storeLimits().maxInsertDocuments, DEFAULT_STORE_LIMITS.maxInsertDocuments, 'other limits kept');
  assert.throws(() => configureStoreLimits({ maxStatements: 0 }), /maxStatements must be a positive integer/);
  assert.equal(storeLimits().maxStatements, 20, 'a refused value changes nothing');
});
