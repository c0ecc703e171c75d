import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMembershipError } from '../../src/kafka/index.js';

/** What kafkajs throws for a protocol error: an Error whose `type` names the Kafka error code. */
const protocolError = (type: string): Error => Object.assign(new Error(`kafkajs: ${type}`), { name: 'KafkaJSProtocolError', type });

test('errors that mean "this member left its group" are told apart from other failures (they must reach the client so it rejoins)', () => {
  for (const type of ['UNKNOWN_MEMBER_ID', 'REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'NOT_COORDINATOR_FOR_GROUP']) {
    assert.equal(isMembershipError(protocolError(type)), true, type);
  }
  assert.equal(isMembershipError(protocolError('UNKNOWN_TOPIC_OR_PARTITION')), false);
  assert.equal(isMembershipError(new Error('connection 4 to 127.0.0.1:27017 closed')), false);
  assert.equal(isMembershipError({ type: 'UNKNOWN_MEMBER_ID' }), false, 'only errors');
});
