import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ERROR_HEADERS,
  RETRY_HEADERS,
  buildDlqHeaders,
  buildRetryHeaders,
  parseDerivedTopic,
  readRetryState,
  retryTopicName,
  dlqTopicName,
  assertTopicName,
} from '../../src/kafka/index.js';
import { classifyError, TransientError, PermanentError } from '../../src/resilience/index.js';

const base = { ce_id: 'e1', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };

test('retry headers carry the first failure and the next attempt', () => {
  const first = buildRetryHeaders(
    base,
    {
      originalTopic: 'odx.orders.v1',
      receivedTopic: 'odx.orders.v1',
      partition: 2,
      offset: '41',
      attempt: 1,
      notBefore: 5_000,
      failure: classifyError(new TransientError('503 from WMS')),
    },
    1_000,
  );
  assert.equal(first[ERROR_HEADERS.originalTopic], 'odx.orders.v1');
  assert.equal(first[ERROR_HEADERS.originalPartition], '2');
  assert.equal(first[ERROR_HEADERS.originalOffset], '41');
  assert.equal(first[ERROR_HEADERS.firstFailureTime], new Date(1_000).toISOString());
  assert.equal(first[RETRY_HEADERS.attempt], '2');
  assert.equal(first['ce_id'], 'e1');
  assert.equal(first['traceparent'], base.traceparent);
  assert.deepEqual(readRetryState(first), { attempt: 2, notBefore: 5_000 });

  const second = buildRetryHeaders(
    first,
    {
      originalTopic: 'odx.orders.v1',
      receivedTopic: 'odx.orders.v1.g.retry.1',
      partition: 0,
      offset: '7',
      attempt: 2,
      notBefore: 9_000,
      failure: classifyError(new TransientError('timeout')),
    },
    3_000,
  );
  // Coordinates and first failure time are those of the original message.
  assert.equal(second[ERROR_HEADERS.originalPartition], '2');
  assert.equal(second[ERROR_HEADERS.originalOffset], '41');
  assert.equal(second[ERROR_HEADERS.firstFailureTime], new Date(1_000).toISOString());
  assert.equal(second[ERROR_HEADERS.lastFailureTime], new Date(3_000).toISOString());
  assert.equal(second[ERROR_HEADERS.message], 'timeout');
  assert.equal(second[RETRY_HEADERS.attempt], '3');

  const dlq = buildDlqHeaders(second, {
    originalTopic: 'odx.orders.v1',
    receivedTopic: 'odx.orders.v1.g.retry.2',
    partition: 1,
    offset: '3',
    attempt: 3,
    group: 'g',
    failure: classifyError(new PermanentError('sku unknown', { errorClass: 'wms.validation' })),
  });
  assert.equal(dlq[ERROR_HEADERS.errorClass], 'wms.validation');
  assert.equal(dlq[ERROR_HEADERS.kind], 'permanent');
  assert.equal(dlq[ERROR_HEADERS.consumerGroup], 'g');
  assert.equal(dlq[RETRY_HEADERS.attempt], undefined);
  assert.equal(dlq[RETRY_HEADERS.notBefore], undefined);
});

test('hostile retry headers fall back to safe values', () => {
  assert.deepEqual(readRetryState({ [RETRY_HEADERS.attempt]: '-3', [RETRY_HEADERS.notBefore]: 'soon' }), { attempt: 1, notBefore: 0 });
  assert.deepEqual(readRetryState({}), { attempt: 1, notBefore: 0 });
});

test('long error messages are truncated in headers', () => {
  const h = buildRetryHeaders(
    {},
    {
      originalTopic: 't',
      receivedTopic: 't',
      partition: 0,
      offset: '0',
      attempt: 1,
      notBefore: 0,
      failure: classifyError(new Error('x'.repeat(10_000))),
    },
  );
  assert.equal(h[ERROR_HEADERS.message]?.length, 1_000);
});

test('retry and DLQ topic names round trip', () => {
  assert.equal(retryTopicName('odx.orders.v1', 'wms-bridge', 2), 'odx.orders.v1.wms-bridge.retry.2');
  assert.equal(dlqTopicName('odx.orders.v1', 'wms-bridge'), 'odx.orders.v1.wms-bridge.dlq');
  assert.deepEqual(parseDerivedTopic('odx.orders.v1.wms-bridge.retry.2'), { topic: 'odx.orders.v1', group: 'wms-bridge', retry: 2 });
  assert.deepEqual(parseDerivedTopic('odx.orders.v1.wms-bridge.dlq'), { topic: 'odx.orders.v1', group: 'wms-bridge', dlq: true });
  assert.equal(parseDerivedTopic('odx.orders.v1'), undefined);
  assert.throws(() => assertTopicName('bad topic!'), /not a legal Kafka topic name/);
  assert.throws(() => assertTopicName('x'.repeat(250)), /not a legal/);
});
