import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { percentile, rate, summarize } from '../../src/analytics/percentiles.js';

test('nearest-rank percentiles of small samples', () => {
  assert.equal(percentile([], 50), null);
  assert.equal(percentile([7], 50), 7);
  assert.equal(percentile([7], 95), 7);
  assert.equal(percentile([3, 1, 2, 4], 50), 2); // rank ceil(0.5 * 4) = 2
  assert.equal(percentile([3, 1, 2, 4], 95), 4); // rank ceil(3.8) = 4
  assert.equal(percentile([15, 20, 35, 40, 50], 40), 20); // the textbook example: rank ceil(2) = 2
  assert.equal(
    percentile(
      Array.from({ length: 100 }, (_, i) => i + 1),
      95,
    ),
    95,
  );
  assert.equal(
    percentile(
      Array.from({ length: 20 }, (_, i) => 20 - i),
      95,
    ),
    19,
  );
});

test('percentile rejects ranks outside (0, 100]', () => {
  for (const p of [0, -1, 101, Number.NaN]) assert.throws(() => percentile([1], p), RangeError);
});

test('property: the percentile is an input value, at least p% of values are <= it, and it is monotone in p', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: -1e9, max: 1e9 }), { minLength: 1, maxLength: 200 }),
      fc.integer({ min: 1, max: 100 }),
      (xs, p) => {
        const v = percentile(xs, p)!;
        assert.ok(xs.includes(v));
        assert.ok(xs.filter((x) => x <= v).length >= (p / 100) * xs.length);
        // No smaller input value satisfies it (it is the smallest such value).
        const smaller = xs.filter((x) => x < v);
        assert.ok(smaller.length < (p / 100) * xs.length);
        assert.ok(percentile(xs, Math.min(100, p + 1))! >= v);
      },
    ),
  );
});

test('summarize gives count, p50, p95, min and max; rates keep their base', () => {
  assert.deepEqual(summarize([]), { count: 0, p50Ms: null, p95Ms: null, minMs: null, maxMs: null });
  assert.deepEqual(summarize([5, 1, 9]), { count: 3, p50Ms: 5, p95Ms: 9, minMs: 1, maxMs: 9 });
  assert.deepEqual(rate(0, 0), { numerator: 0, denominator: 0, rate: null });
  assert.deepEqual(rate(1, 4), { numerator: 1, denominator: 4, rate: 0.25 });
  assert.throws(() => rate(5, 4), RangeError);
  assert.throws(() => rate(-1, 4), RangeError);
});
