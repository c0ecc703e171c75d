import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixKafkajsIdlePolling, kafkajsRequestQueue } from '../../src/kafka/request-queue-fix.js';

interface QueueState {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  scheduleCheckPendingRequests(): void;
  checkPendingRequests(): void;
}

/** A RequestQueue of the installed kafkajs with only the fields the scheduler reads (no socket, no broker). */
function queue(state: Partial<QueueState>): QueueState {
  const RequestQueue = kafkajsRequestQueue();
  assert.ok(RequestQueue, 'the installed kafkajs has a RequestQueue with scheduleCheckPendingRequests');
  const q = Object.create(RequestQueue.prototype) as QueueState;
  Object.assign(q, { pending: [], throttledUntil: -1, throttleCheckTimeoutId: null, checkPendingRequests: () => undefined }, state);
  return q;
}

const disarm = (q: QueueState): void => {
  if (q.throttleCheckTimeoutId) clearTimeout(q.throttleCheckTimeoutId);
};

test('kafkajs as installed arms a timer on an idle queue: the 1 ms polling loop the fix removes', () => {
  // Runs before any test installs the fix (node:test runs a file's tests in order). If a kafkajs release
  // fixes the bug, this fails, and request-queue-fix.ts can go.
  const q = queue({ pending: [], throttledUntil: -1 });
  q.scheduleCheckPendingRequests();
  assert.notEqual(q.throttleCheckTimeoutId, null);
  disarm(q);
});

test('fixed: an idle, unthrottled queue arms no timer', () => {
  assert.equal(fixKafkajsIdlePolling(), true);
  const q = queue({ pending: [], throttledUntil: -1 });
  q.scheduleCheckPendingRequests();
  assert.equal(q.throttleCheckTimeoutId, null);
});

test('fixed: a waiting request still arms the check', () => {
  fixKafkajsIdlePolling();
  const q = queue({ pending: [{ correlationId: 1 }] });
  q.scheduleCheckPendingRequests();
  assert.notEqual(q.throttleCheckTimeoutId, null);
  disarm(q);
});

test('fixed: a throttle in force arms the check for its end, even with nothing pending', () => {
  fixKafkajsIdlePolling();
  const q = queue({ throttledUntil: Date.now() + 60_000 });
  q.scheduleCheckPendingRequests();
  assert.notEqual(q.throttleCheckTimeoutId, null);
  disarm(q);
});

test('installing twice wraps once; no RequestQueue to patch is reported, not thrown', () => {
  fixKafkajsIdlePolling();
  const once = kafkajsRequestQueue()!.prototype.scheduleCheckPendingRequests;
  assert.equal(fixKafkajsIdlePolling(), true);
  assert.equal(kafkajsRequestQueue()!.prototype.scheduleCheckPendingRequests, once);
  assert.equal(fixKafkajsIdlePolling(null), false);
});
