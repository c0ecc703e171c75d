import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClaimOutcome } from '../../src/idempotency/index.js';
import { claimWindowMs, claimsByIndex, idsToClaim, unreachedClaims, windowOpen } from '../../src/kafka/consumer/claim-window.js';
import type { Delivery, PreparedMessage } from '../../src/kafka/consumer/prepare-message.js';

const delivery: Delivery = {
  message: { offset: '0', key: null, value: null, headers: {} },
  receivedTopic: 't',
  originalTopic: 't',
  partition: 0,
  attempt: 1,
  startedNs: 0n,
};
const decoded = { schemaId: 1, fullName: 'com.odx.events.OrderConfirmed', eventType: 'OrderConfirmed', payload: {} };
const event = (eventId: string): PreparedMessage => ({ kind: 'event', delivery, decoded, eventType: 'OrderConfirmed', eventId });
const skip: PreparedMessage = { kind: 'skip', delivery };
const notDue: PreparedMessage = { kind: 'not-due', delivery, untilMs: 5_000 };
const claimOf = (eventId: string) => ({ key: `g:${eventId}`, scope: 'g', eventId, owner: 'me', generation: 0 });
const acquired = (...ids: string[]): Map<string, ClaimOutcome> =>
  new Map(ids.map((id) => [id, { status: 'acquired', claim: claimOf(id) }]));

test('the window lasts half the idempotency lease; without idempotency it never closes', () => {
  assert.equal(claimWindowMs(30_000), 15_000);
  assert.equal(claimWindowMs(undefined), Number.POSITIVE_INFINITY);
});

test('the first message of a window is always handled; later ones only while the window is open', () => {
  assert.equal(windowOpen(0, 0, 60_000, 15_000), true);
  assert.equal(windowOpen(5, 0, 15_000, 15_000), true);
  assert.equal(windowOpen(5, 0, 15_001, 15_000), false);
  assert.equal(windowOpen(5, 0, 1e12, Number.POSITIVE_INFINITY), true);
});

test('one round trip claims the events of a window up to the first retry that is not due (it ends the window)', () => {
  assert.deepEqual(idsToClaim([event('a'), skip, event('b'), notDue, event('c')]), ['a', 'b']);
  assert.deepEqual(idsToClaim([notDue, event('a')]), []);
  assert.deepEqual(idsToClaim([skip]), []);
});

test('a repeated event id in one window is a duplicate of its first occurrence', () => {
  const claims = acquired('a', 'b');
  const byIndex = claimsByIndex([event('a'), skip, event('b'), event('a')], claims);
  assert.equal(byIndex[0], claims.get('a'));
  assert.equal(byIndex[1], undefined);
  assert.equal(byIndex[2], claims.get('b'));
  assert.equal(byIndex[3]?.status, 'duplicate');
  assert.deepEqual(claimsByIndex([event('x')], new Map()), [undefined], 'nothing claimed: the handler claims one by one');
});

test('claims of messages the window did not reach are given back, once each; reached ids keep theirs', () => {
  const window = [event('a'), event('b'), event('c'), event('a'), event('c')];
  const claims = acquired('a', 'b', 'c');
  assert.deepEqual(unreachedClaims(window, 2, claims), [claimOf('c')], '"a" was handled at 0: its repeat at 3 gives nothing back');
  assert.deepEqual(unreachedClaims(window, 5, claims), []);
  assert.deepEqual(unreachedClaims(window, 0, claims), [claimOf('a'), claimOf('b'), claimOf('c')]);
  const mixed = new Map<string, ClaimOutcome>([
    ['a', { status: 'duplicate', completedAt: new Date() }],
    ['b', { status: 'busy', owner: 'x', retryAfterMs: 1 }],
  ]);
  assert.deepEqual(unreachedClaims([event('a'), event('b')], 0, mixed), [], 'only claims we hold are released');
});
