import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BACKOFF_MS, decideClaim, decideHandled, decideUndecodable } from '../../src/kafka/consumer/decide-outcome.js';
import { CircuitOpenError, PermanentError, PoisonMessageError, TransientError, classifyError } from '../../src/resilience/index.js';

const claim = { key: 'g:e1', scope: 'g', eventId: 'e1', owner: 'me', generation: 0 };
const transient = classifyError(new TransientError('WMS answered 503'));
const permanent = classifyError(new PermanentError('SKU unknown', { errorClass: 'wms.validation' }));

test('an undecodable message goes to the DLQ, unless the registry is unreachable: then the partition waits', () => {
  const poison = classifyError(new PoisonMessageError('no magic byte', { errorClass: 'serde.not-confluent-wire' }));
  assert.deepEqual(decideUndecodable(poison, 1_000), { type: 'route', to: 'dlq', failure: poison });
  const registry = classifyError(new TransientError('registry down', { errorClass: 'serde.registry-unavailable' }));
  assert.deepEqual(decideUndecodable(registry, 1_000), { type: 'hold', reason: 'delay', untilMs: 1_000 + BACKOFF_MS });
});

test('claims: acquired or taken over runs the handler, a duplicate is done, a busy key is waited for (at most a second at a time)', () => {
  assert.deepEqual(decideClaim({ status: 'acquired', claim }, false), { type: 'handle', claim });
  assert.deepEqual(decideClaim({ status: 'taken-over', claim, previousOwner: 'crashed' }, false), {
    type: 'handle',
    claim,
    takenOverFrom: 'crashed',
  });
  assert.deepEqual(decideClaim({ status: 'duplicate', completedAt: new Date() }, false), { type: 'done', outcome: 'duplicate' });
  assert.deepEqual(decideClaim({ status: 'busy', owner: 'other', retryAfterMs: 200 }, false), { type: 'wait', ms: 250 });
  assert.deepEqual(decideClaim({ status: 'busy', owner: 'other', retryAfterMs: 25_000 }, false), { type: 'wait', ms: 1_000 });
  assert.deepEqual(
    decideClaim({ status: 'busy', owner: 'other', retryAfterMs: 200 }, true),
    { type: 'hold', reason: 'stopping' },
    'no waiting while shutting down',
  );
});

test('after the handler: ok, retry while retries remain, then the DLQ; permanent failures go straight to the DLQ', () => {
  assert.deepEqual(decideHandled({ failure: undefined, attempt: 1, retries: 2, aborted: false }), { type: 'done', outcome: 'ok' });
  assert.deepEqual(
    decideHandled({ failure: undefined, attempt: 1, retries: 2, aborted: true }),
    { type: 'done', outcome: 'ok' },
    'a finished effect counts, shutdown or not',
  );
  assert.deepEqual(decideHandled({ failure: transient, attempt: 1, retries: 2, aborted: false }), {
    type: 'route',
    to: 'retry',
    failure: transient,
  });
  assert.deepEqual(decideHandled({ failure: transient, attempt: 2, retries: 2, aborted: false }), {
    type: 'route',
    to: 'retry',
    failure: transient,
  });
  assert.deepEqual(decideHandled({ failure: transient, attempt: 3, retries: 2, aborted: false }), {
    type: 'route',
    to: 'dlq',
    failure: transient,
  });
  assert.deepEqual(decideHandled({ failure: transient, attempt: 1, retries: 0, aborted: false }), {
    type: 'route',
    to: 'dlq',
    failure: transient,
  });
  assert.deepEqual(decideHandled({ failure: permanent, attempt: 1, retries: 2, aborted: false }), {
    type: 'route',
    to: 'dlq',
    failure: permanent,
  });
});

test('a failure while shutting down is left for the next owner; an open circuit pauses instead of spending a retry', () => {
  assert.deepEqual(decideHandled({ failure: permanent, attempt: 1, retries: 2, aborted: true }), { type: 'hold', reason: 'stopping' });
  const open = classifyError(new CircuitOpenError('wms'));
  assert.deepEqual(decideHandled({ failure: open, attempt: 1, retries: 2, aborted: false }), { type: 'hold', reason: 'circuit' });
  assert.deepEqual(
    decideHandled({ failure: open, attempt: 9, retries: 2, aborted: false }),
    { type: 'hold', reason: 'circuit' },
    'even with no retries left',
  );
});

test('no failure is counted as done, and only transient ones with retries left (not while stopping) are retried', () => {
  const failures = [
    transient,
    permanent,
    classifyError(new CircuitOpenError('wms')),
    classifyError(new PoisonMessageError('x')),
    classifyError(new Error('bug')),
  ];
  for (const failure of failures) {
    for (let attempt = 1; attempt <= 4; attempt++) {
      for (let retries = 0; retries <= 3; retries++) {
        for (const aborted of [false, true]) {
          const d = decideHandled({ failure, attempt, retries, aborted });
          const facts = JSON.stringify({ failure: failure.errorClass, attempt, retries, aborted });
          assert.notEqual(d.type, 'done', facts);
          const retried = d.type === 'route' && d.to === 'retry';
          assert.equal(retried, failure.kind === 'transient' && !failure.circuitOpen && attempt <= retries && !aborted, facts);
        }
      }
    }
  }
});
