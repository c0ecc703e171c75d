import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RETRY_SCHEDULE_MS, nextAttempt, parseRetrySchedule, verdictOf } from '../../src/delivery/retry-schedule.js';

test('the default schedule grows and spans hours', () => {
  const total = DEFAULT_RETRY_SCHEDULE_MS.reduce((a, b) => a + b, 0);
  assert.ok(total > 12 * 3_600_000, `${total} ms`);
  for (let i = 1; i < DEFAULT_RETRY_SCHEDULE_MS.length; i++) assert.ok(DEFAULT_RETRY_SCHEDULE_MS[i]! > DEFAULT_RETRY_SCHEDULE_MS[i - 1]!);
});

test('nextAttempt: the step for the n-th failure within the jitter, give-up past the end', () => {
  const schedule = [1_000, 10_000];
  assert.deepEqual(
    nextAttempt(schedule, 1, () => 0.5),
    { type: 'retry', delayMs: 1_000 },
  );
  assert.deepEqual(
    nextAttempt(schedule, 2, () => 1),
    { type: 'retry', delayMs: 11_000 },
  );
  assert.deepEqual(
    nextAttempt(schedule, 2, () => 0),
    { type: 'retry', delayMs: 9_000 },
  );
  assert.deepEqual(nextAttempt(schedule, 3), { type: 'give-up' });
  assert.deepEqual(nextAttempt(schedule, 0), { type: 'give-up' });
  assert.deepEqual(nextAttempt([], 1), { type: 'give-up' });
});

test('parseRetrySchedule reads units and refuses what is not a pause', () => {
  assert.deepEqual(parseRetrySchedule('250, 5s,2m,1h'), [250, 5_000, 120_000, 3_600_000]);
  for (const bad of ['', ',', '5x', '-1s', '1.5s', 's', `${'1s,'.repeat(51)}`, '99999999999s'])
    assert.throws(() => parseRetrySchedule(bad), Error, bad);
});

test('verdicts: 2xx delivered, 410 gone, everything else (and no answer) retried', () => {
  assert.equal(verdictOf(200), 'delivered');
  assert.equal(verdictOf(204), 'delivered');
  assert.equal(verdictOf(410), 'gone');
  for (const s of [undefined, 301, 400, 404, 408, 429, 500, 503]) assert.equal(verdictOf(s), 'retry', String(s));
});
