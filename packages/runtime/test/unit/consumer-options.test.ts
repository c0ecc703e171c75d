import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka } from 'kafkajs';
import { ConsumerOptionsError, compileConsumerOptions, type ConsumerRunnerOptions } from '../../src/kafka/index.js';
import { createLogger } from '../../src/logging/index.js';

// A client that is never connected: compiling options does no I/O.
const kafka = new Kafka({ brokers: ['127.0.0.1:9'] });
const logger = createLogger({ service: 'test' });
logger.silent = true;

function options(extra: Partial<ConsumerRunnerOptions> = {}): ConsumerRunnerOptions {
  return {
    kafka,
    logger,
    groupId: 'wms-bridge',
    topics: ['odx.orders.v1'],
    idempotency: false,
    serde: { decode: () => Promise.reject(new Error('not used')) },
    producer: { connect: () => Promise.resolve(), publishRaw: () => Promise.resolve() },
    handler: () => Promise.resolve(),
    ...extra,
  };
}

function problemsOf(extra: Partial<ConsumerRunnerOptions>): string[] {
  try {
    compileConsumerOptions(options(extra));
  } catch (err) {
    assert.ok(err instanceof ConsumerOptionsError, String(err));
    return err.problems.map((p) => `${p.option}: ${p.message}`);
  }
  assert.fail('the options were accepted');
}

test('every default is applied once, and an explicit undefined keeps the default', () => {
  const c = compileConsumerOptions(
    options({ claimBatchSize: undefined, retryDelaysMs: undefined, completion: undefined, sessionTimeoutMs: undefined }),
  );
  assert.equal(c.claimBatchSize, 200);
  assert.deepEqual(c.retryDelaysMs, [1_000, 10_000, 60_000]);
  assert.equal(c.completion, 'batch');
  assert.equal(c.startRetryWindowMs, 60_000);
  assert.equal(c.sessionTimeoutMs, 10_000);
  assert.equal(c.partitionConcurrency, 3);
  assert.equal(c.fromBeginning, true);
  assert.equal(c.provisionTopics, true);
  assert.deepEqual(c.circuits, []);
  assert.equal(c.eventTypes, 'all');
  assert.equal(typeof c.onFatal, 'function');
});

test("given values are kept, and later changes to the caller's arrays do not reach the runner", () => {
  const delays = [0, 500];
  const c = compileConsumerOptions(
    options({ retryDelaysMs: delays, claimBatchSize: 1, completion: 'each', eventTypes: ['OrderCancelled'], provisionTopics: false }),
  );
  delays.push(9_999);
  assert.deepEqual(c.retryDelaysMs, [0, 500]);
  assert.equal(c.claimBatchSize, 1);
  assert.equal(c.completion, 'each');
  assert.equal(c.provisionTopics, false);
  assert.deepEqual(c.eventTypes, new Set(['OrderCancelled']));
});

test('a claim batch of 0 (which looped forever) and other out-of-range numbers are refused, each named', () => {
  assert.deepEqual(problemsOf({ claimBatchSize: 0 }), ['claimBatchSize: must be at least 1 (got 0)']);
  assert.deepEqual(problemsOf({ claimBatchSize: 2.5 }), ['claimBatchSize: must be a whole number of messages (got 2.5)']);
  assert.deepEqual(problemsOf({ partitionConcurrency: 0 }), ['partitionConcurrency: must be at least 1 (got 0)']);
  assert.deepEqual(problemsOf({ startRetryWindowMs: -1 }), ['startRetryWindowMs: must be 0 or more ms (got -1)']);
  assert.match(problemsOf({ sessionTimeoutMs: 100 })[0]!, /^sessionTimeoutMs: must be at least 1000 ms/);
  assert.match(problemsOf({ sessionTimeoutMs: 3_600_000 })[0]!, /^sessionTimeoutMs: must be at most 1800000 ms/);
  assert.deepEqual(problemsOf({ retryDelaysMs: [1_000, -1] }), ['retryDelaysMs[1]: must be 0 or more ms (got -1)']);
  assert.deepEqual(problemsOf({ retryDelaysMs: [Number.POSITIVE_INFINITY] }), [
    'retryDelaysMs[0]: must be a finite number of ms (got Infinity)',
  ]);
  assert.deepEqual(problemsOf({ retryDelaysMs: [Number.NaN] }), ['retryDelaysMs[0]: must be a finite number of ms (got NaN)']);
});

test('names are checked: topics, group, and the retry/DLQ topics they make', () => {
  assert.deepEqual(problemsOf({ topics: [] }), ['topics: must name at least one topic (got [])']);
  assert.deepEqual(problemsOf({ groupId: '' }), [
    'groupId: must be one or more of [a-zA-Z0-9._-] (it names the retry and DLQ topics) (got "")',
  ]);
  assert.equal(problemsOf({ groupId: 'wms bridge' }).length, 1);
  assert.match(problemsOf({ topics: ['odx.orders.v1', 'bad topic'] })[0]!, /^topics\[1\]: "bad topic" is not a legal Kafka topic name/);
  // Legal alone, but the DLQ name it makes is longer than Kafka allows.
  assert.match(problemsOf({ topics: ['t'.repeat(240)] })[0]!, /^topics\[0\]: ".*\.wms-bridge\.dlq" is not a legal Kafka topic name/);
});

test("completion must be 'each' or 'batch'; every problem is reported at once", () => {
  try {
    // As plain JavaScript (or a cast config value) could pass them.
    compileConsumerOptions(Object.assign(options(), { completion: 'sometimes', claimBatchSize: -1 }));
    assert.fail('accepted');
  } catch (err) {
    assert.ok(err instanceof ConsumerOptionsError);
    assert.equal(err.kind, 'permanent');
    assert.match(err.message, /^invalid consumer options \(group wms-bridge\):\n/);
    assert.ok(err.message.includes(`\n  - claimBatchSize: must be at least 1 (got -1)`), err.message);
    assert.ok(err.message.includes(`\n  - completion: must be 'each' or 'batch' (got "sometimes")`), err.message);
  }
});
