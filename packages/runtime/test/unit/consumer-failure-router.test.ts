import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERROR_HEADERS, RETRY_HEADERS, readRetryState, type RawOutgoingMessage } from '../../src/kafka/index.js';
import {
  FailureRouter,
  MAX_RETRY_AFTER_MS,
  buildDlqMessage,
  buildRetryMessage,
  retryDelayMs,
} from '../../src/kafka/consumer/failure-router.js';
import type { Delivery } from '../../src/kafka/consumer/prepare-message.js';
import { createLogger } from '../../src/logging/index.js';
import { PermanentError, TransientError, classifyError } from '../../src/resilience/index.js';

const NOW = 1_700_000_000_000;
const delivery = (attempt: number, receivedTopic = 'odx.orders.v1'): Delivery => ({
  message: { offset: '41', key: Buffer.from('SO001'), value: Buffer.from('bytes'), headers: { ce_id: 'e1' } },
  receivedTopic,
  originalTopic: 'odx.orders.v1',
  partition: 2,
  attempt,
  startedNs: 0n,
});

test('a retry waits its configured delay, or a longer Retry-After up to 15 minutes', () => {
  const delays = [1_000, 10_000];
  assert.equal(retryDelayMs(delays, 1, undefined), 1_000);
  assert.equal(retryDelayMs(delays, 2, 3_000), 10_000);
  assert.equal(retryDelayMs(delays, 1, 30_000), 30_000);
  assert.equal(retryDelayMs(delays, 1, 24 * 3_600_000), MAX_RETRY_AFTER_MS);
  assert.equal(retryDelayMs([], 1, undefined), 0);
});

test('the retry copy goes to the next retry topic with the original bytes, its due time and context headers', () => {
  const failure = classifyError(new TransientError('503', { retryAfterMs: 5_000 }));
  const m = buildRetryMessage(delivery(1), failure, 'wms-bridge', [1_000], NOW);
  assert.equal(m.topic, 'odx.orders.v1.wms-bridge.retry.1');
  assert.equal(m.key?.toString(), 'SO001');
  assert.equal(m.value?.toString(), 'bytes');
  assert.deepEqual(readRetryState(headers(m)), { attempt: 2, notBefore: NOW + 5_000 });
  assert.equal(m.headers[ERROR_HEADERS.originalOffset], '41');
  assert.equal(m.headers['ce_id'], 'e1');
  const second = buildRetryMessage(delivery(2, m.topic), failure, 'wms-bridge', [1_000, 2_000], NOW);
  assert.equal(second.topic, 'odx.orders.v1.wms-bridge.retry.2');
});

test('the DLQ copy names the group and drops the retry bookkeeping', () => {
  const m = buildDlqMessage(
    delivery(3, 'odx.orders.v1.g.retry.2'),
    classifyError(new PermanentError('no', { errorClass: 'wms.validation' })),
    'g',
    NOW,
  );
  assert.equal(m.topic, 'odx.orders.v1.g.dlq');
  assert.equal(m.headers[ERROR_HEADERS.consumerGroup], 'g');
  assert.equal(m.headers[ERROR_HEADERS.errorClass], 'wms.validation');
  assert.equal(m.headers[ERROR_HEADERS.attempt], '3');
  assert.equal(m.headers[RETRY_HEADERS.notBefore], undefined);
});

test('the router publishes through the producer and resolves only once it has', async () => {
  const published: RawOutgoingMessage[] = [];
  let release: () => void = () => undefined;
  const logger = createLogger({ service: 'test' });
  logger.silent = true;
  const router = new FailureRouter({
    producer: {
      connect: async () => undefined,
      publishRaw: (ms) =>
        new Promise<void>((r) => {
          release = () => {
            published.push(...ms);
            r();
          };
        }),
    },
    logger,
    metrics: undefined,
    groupId: 'g',
    retryDelaysMs: [1_000],
  });
  let routed = false;
  const pending = router.toDlq(delivery(1), classifyError(new PermanentError('no'))).then(() => {
    routed = true;
  });
  await new Promise((r) => setImmediate(r));
  assert.equal(routed, false, 'not before Kafka acknowledged');
  release();
  await pending;
  assert.deepEqual(
    published.map((m) => m.topic),
    ['odx.orders.v1.g.dlq'],
  );
});

function headers(m: RawOutgoingMessage): Record<string, string> {
  return Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, v.toString()]));
}
