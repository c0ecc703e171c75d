import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GroupMembership } from '../../src/kafka/consumer/group-membership.js';

test('a member is healthy once joined, until heartbeats stop for two session timeouts or it crashes for good', () => {
  const m = new GroupMembership(10_000);
  assert.deepEqual(m.health(0), { ok: false, detail: 'has not joined its group yet' });
  m.joined(1_000);
  assert.equal(m.health(21_000).ok, true);
  assert.deepEqual(m.health(21_001), { ok: false, detail: 'no heartbeat accepted for 20 s: the member may have left its group' });
  m.heartbeat(21_500);
  assert.equal(m.health(22_000).ok, true, 'paused partitions still heartbeat');
  assert.equal(m.crashed(new Error('coordinator gone')), true);
  assert.equal(m.crashed(new Error('again')), false, 'the first crash is the one reported');
  assert.deepEqual(m.health(22_000), { ok: false, detail: 'consumer crashed: coordinator gone' });
});
