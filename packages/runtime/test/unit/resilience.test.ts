import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  Circuit,
  CircuitOpenError,
  PermanentError,
  PoisonMessageError,
  TransientError,
  backoffDelay,
  classifyError,
  classifyHttpStatus,
  compileRetryPolicy,
  parseRetryAfter,
  withRetry,
} from '../../src/resilience/index.js';

test('classifies ODX errors by their kind and class', () => {
  assert.equal(classifyError(new TransientError('x')).kind, 'transient');
  assert.equal(classifyError(new PermanentError('x', { errorClass: 'wms.validation' })).errorClass, 'wms.validation');
  assert.equal(classifyError(new PoisonMessageError('x')).kind, 'poison');
  const open = classifyError(new CircuitOpenError('wms'));
  assert.equal(open.circuitOpen, true);
  assert.equal(open.kind, 'transient');
});

test('classifies foreign errors by their properties', () => {
  const econn = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  assert.deepEqual([classifyError(econn).kind, classifyError(econn).errorClass], ['transient', 'network.econnrefused']);
  const fetchFailed = new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) });
  assert.equal(classifyError(fetchFailed).kind, 'transient');
  const kafkaNonRetriable = Object.assign(new Error('Topic authorization failed'), {
    retriable: false,
    type: 'TOPIC_AUTHORIZATION_FAILED',
  });
  assert.equal(classifyError(kafkaNonRetriable).kind, 'permanent');
  const zod = Object.assign(new Error('bad'), { name: 'ZodError' });
  assert.equal(classifyError(zod).kind, 'permanent');
  const opossumOpen = Object.assign(new Error('Breaker is open'), { code: 'EOPENBREAKER' });
  assert.equal(classifyError(opossumOpen).circuitOpen, true);
  assert.equal(classifyError('a string').kind, 'transient');
  assert.equal(classifyError(undefined).kind, 'transient');
});

test('HTTP statuses: 429 and 5xx transient, other 4xx permanent, Retry-After honoured', () => {
  assert.equal(classifyHttpStatus(200), undefined);
  assert.equal(classifyHttpStatus(503)?.kind, 'transient');
  assert.equal(classifyHttpStatus(422)?.kind, 'permanent');
  const tooMany = classifyHttpStatus(429, '7');
  assert.equal(tooMany?.kind, 'transient');
  assert.equal(tooMany?.retryAfterMs, 7000);
  assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT')), 60_000);
  assert.equal(parseRetryAfter('soon'), undefined);
  assert.equal(parseRetryAfter('-5'), undefined);
});

test('backoff stays within [0, min(max, base*factor^(n-1))] for any attempt', () => {
  const policy = compileRetryPolicy({ baseDelayMs: 100, maxDelayMs: 5_000, factor: 2 });
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1_000 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, r) => {
      const d = backoffDelay(policy, attempt, () => r);
      const cap = Math.min(5_000, 100 * 2 ** (attempt - 1));
      return d >= 0 && d <= cap && Number.isInteger(d);
    }),
  );
  const none = compileRetryPolicy({ baseDelayMs: 100, maxDelayMs: 1_000, jitter: 'none' });
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((n) => backoffDelay(none, n)),
    [100, 200, 400, 800, 1000],
  );
  assert.throws(() => compileRetryPolicy({ maxAttempts: 0 }), /maxAttempts/);
});

test('withRetry retries transient failures only, up to maxAttempts', async () => {
  const policy = compileRetryPolicy({ maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 });
  let calls = 0;
  const value = await withRetry(async () => {
    calls++;
    if (calls < 3) throw new TransientError('flaky');
    return 'ok';
  }, policy);
  assert.equal(value, 'ok');
  assert.equal(calls, 3);

  calls = 0;
  await assert.rejects(
    withRetry(async () => {
      calls++;
      throw new PermanentError('no');
    }, policy),
    /no/,
  );
  assert.equal(calls, 1);

  calls = 0;
  await assert.rejects(
    withRetry(async () => {
      calls++;
      throw new TransientError('down');
    }, policy),
    /down/,
  );
  assert.equal(calls, 4);
});

test('a circuit opens on transient failures, rejects fast while open, and half-opens after the reset time', async (t) => {
  const circuit = new Circuit('remote', { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 150, timeoutMs: 1_000 });
  t.after(() => circuit.shutdown());
  const states: string[] = [];
  circuit.onStateChange((s) => states.push(s));
  // Permanent errors say nothing about the remote's health: they never open it.
  for (let i = 0; i < 10; i++)
    await assert.rejects(
      circuit.fire(async () => {
        throw new PermanentError('bad input');
      }),
      /bad input/,
    );
  assert.equal(circuit.state, 'closed');
  let failures = 0;
  while (circuit.state === 'closed' && failures < 50) {
    await assert.rejects(
      circuit.fire(async () => {
        throw new TransientError('503');
      }),
      /503/,
    );
    failures++;
  }
  assert.equal(circuit.state, 'open');
  let called = false;
  await assert.rejects(
    circuit.fire(async () => {
      called = true;
    }),
    (err: unknown) => err instanceof CircuitOpenError,
  );
  assert.equal(called, false);
  await new Promise((r) => setTimeout(r, 250));
  assert.equal(circuit.state, 'half-open');
  assert.equal(await circuit.fire(async () => 42), 42);
  assert.equal(circuit.state, 'closed');
  assert.deepEqual(states, ['open', 'half-open', 'closed']);
});
