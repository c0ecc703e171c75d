import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { planReset, resetStrategySchema } from '../../src/groups/reset-plan.js';
import { RateLimiter } from '../../src/replay/rate-limiter.js';
import { planRanges, replayRequestSchema } from '../../src/replay/replay-plan.js';

const parts = [
  { partition: 0, committed: 50n, low: 10n, high: 100n },
  { partition: 1, committed: null, low: 0n, high: 7n },
];

test('reset plans follow kafka-consumer-groups: earliest, latest, offset, datetime, shift, clamped to the log', () => {
  const plan = (s: unknown, at?: Map<number, bigint>) =>
    planReset(parts, resetStrategySchema.parse(s), at).map((p) => [p.partition, p.current, p.target, p.clamped]);
  assert.deepEqual(plan({ toEarliest: true }), [
    [0, '50', '10', false],
    [1, null, '0', false],
  ]);
  assert.deepEqual(plan({ toLatest: true }), [
    [0, '50', '100', false],
    [1, null, '7', false],
  ]);
  assert.deepEqual(plan({ toOffset: '5' }), [
    [0, '50', '10', true],
    [1, null, '5', false],
  ]);
  assert.deepEqual(plan({ toOffset: 500 }), [
    [0, '50', '100', true],
    [1, null, '7', true],
  ]);
  assert.deepEqual(plan({ shiftBy: -45 }), [
    [0, '50', '10', true],
    [1, null, '0', true],
  ]);
  assert.deepEqual(plan({ shiftBy: '3' }), [
    [0, '50', '53', false],
    [1, null, '3', false],
  ]);
  assert.deepEqual(
    plan(
      { toDatetime: '2026-01-01T00:00:00Z' },
      new Map([
        [0, 60n],
        [1, 7n],
      ]),
    ),
    [
      [0, '50', '60', false],
      [1, null, '7', false],
    ],
  );
  assert.throws(() => plan({ toDatetime: 0 }, new Map()), /no offset by time/);
});

test('reset strategies: exactly one, well-formed', () => {
  for (const bad of [
    {},
    { toEarliest: false },
    { toEarliest: true, toLatest: true },
    { toOffset: -1 },
    { toOffset: '1e3' },
    { shiftBy: 1.5 },
    { toDatetime: 'soon' },
    { toOffset: '99999999999999999999' },
  ]) {
    assert.equal(resetStrategySchema.safeParse(bad).success, false, JSON.stringify(bad));
  }
});

test('reset targets always stay inside [low, high]', () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: 0n, max: 1000n }),
      fc.bigInt({ min: 0n, max: 1000n }),
      fc.bigInt({ min: -2000n, max: 2000n }),
      fc.option(fc.bigInt({ min: 0n, max: 2000n })),
      (a, b, shift, committed) => {
        const low = a < b ? a : b;
        const high = a < b ? b : a;
        const [p] = planReset([{ partition: 0, committed, low, high }], { shiftBy: shift });
        const target = BigInt(p!.target);
        return target >= low && target <= high;
      },
    ),
  );
});

const wm = new Map([
  [0, { low: 5n, high: 50n }],
  [1, { low: 0n, high: 10n }],
  [2, { low: 0n, high: 0n }],
]);

test('replay ranges: explicit offsets clamp to the log; time windows use the offsets by timestamp', async () => {
  const req = (x: object) => replayRequestSchema.parse({ sourceTopic: 'a', targetTopic: 'b', ...x });
  const noTime = async () => {
    throw new Error('not asked');
  };
  assert.deepEqual(
    await planRanges(
      req({
        ranges: [
          { partition: 0, from: 0, to: '20' },
          { partition: 1, from: 3 },
        ],
      }),
      wm,
      noTime,
    ),
    [
      { partition: 0, from: 5n, to: 20n },
      { partition: 1, from: 3n, to: 10n },
    ],
  );
  assert.deepEqual(await planRanges(req({ ranges: [{ partition: 0, from: 100 }] }), wm, noTime), [{ partition: 0, from: 50n, to: 50n }]);
  await assert.rejects(planRanges(req({ ranges: [{ partition: 9, from: 0 }] }), wm, noTime), /no partition 9/);
  await assert.rejects(
    planRanges(
      req({
        ranges: [
          { partition: 0, from: 0 },
          { partition: 0, from: 1 },
        ],
      }),
      wm,
      noTime,
    ),
    /named twice/,
  );
  assert.deepEqual(await planRanges(req({}), wm, noTime), [
    { partition: 0, from: 5n, to: 50n },
    { partition: 1, from: 0n, to: 10n },
    { partition: 2, from: 0n, to: 0n },
  ]);
  const at = async (ms: number) =>
    new Map(
      ms === 1000
        ? [
            [0, 20n],
            [1, 2n],
            [2, 0n],
          ]
        : [
            [0, 30n],
            [1, 10n],
            [2, 0n],
          ],
    );
  assert.deepEqual(await planRanges(req({ fromTime: 1000, toTime: '1970-01-01T00:00:02Z', partitions: [0, 1] }), wm, at), [
    { partition: 0, from: 20n, to: 30n },
    { partition: 1, from: 2n, to: 10n },
  ]);
});

test('replay requests: malformed ones are refused', () => {
  const bad = [
    {},
    { sourceTopic: 'a', targetTopic: 'a' },
    { sourceTopic: 'a b', targetTopic: 'b' },
    { sourceTopic: 'a', targetTopic: 'b', ranges: [] },
    { sourceTopic: 'a', targetTopic: 'b', ranges: [{ partition: -1, from: 0 }] },
    { sourceTopic: 'a', targetTopic: 'b', ranges: [{ partition: 0, from: 3, to: 1 }] },
    { sourceTopic: 'a', targetTopic: 'b', fromTime: 5, toTime: 5 },
    { sourceTopic: 'a', targetTopic: 'b', fromTime: 'noon' },
    { sourceTopic: 'a', targetTopic: 'b', ratePerSec: -1 },
    { sourceTopic: 'a', targetTopic: 'b', extra: 1 },
    { sourceTopic: 'a', targetTopic: 'b', ranges: [{ partition: 0, from: 0 }], partitions: [0] },
  ];
  for (const b of bad) assert.equal(replayRequestSchema.safeParse(b).success, false, JSON.stringify(b));
  assert.equal(replayRequestSchema.parse({ sourceTopic: 'a', targetTopic: 'b' }).execute, false);
});

test('rate limiter: a one-second burst, then waits proportional to the rate', () => {
  let now = 0;
  const l = new RateLimiter(100, () => now);
  assert.equal(l.reserve(100), 0);
  assert.equal(l.reserve(50), 500);
  now = 1_500;
  assert.equal(l.reserve(100), 0);
  assert.equal(l.reserve(10), 100);
});
