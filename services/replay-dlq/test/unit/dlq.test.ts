import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERROR_HEADERS, RETRY_HEADERS } from '@odx/runtime';
import { sampleEvent } from '@odx/schemas/fixtures';
import { dlqFilterSchema, matchesFilter } from '../../src/dlq/dlq-filter.js';
import { REDRIVE_HEADERS, readFailure, redriveHeaders } from '../../src/dlq/dlq-message.js';
import { reviveJsonPayload } from '../../src/dlq/revive-payload.js';

const headers = {
  ce_id: 'e-1',
  ce_type: 'com.odx.events.OrderConfirmed',
  traceparent: '00-abc-def-01',
  [ERROR_HEADERS.originalTopic]: 'odx.orders.v1',
  [ERROR_HEADERS.originalPartition]: '2',
  [ERROR_HEADERS.originalOffset]: '17',
  [ERROR_HEADERS.errorClass]: 'wms.validation',
  [ERROR_HEADERS.kind]: 'permanent',
  [ERROR_HEADERS.attempt]: '4',
  [RETRY_HEADERS.attempt]: '4',
  [REDRIVE_HEADERS.id]: 'older-redrive',
};

test('failure context is read from the odx.errors headers; malformed numbers become null', () => {
  const f = readFailure(headers);
  assert.equal(f.originalTopic, 'odx.orders.v1');
  assert.equal(f.originalPartition, 2);
  assert.equal(f.originalOffset, '17');
  assert.equal(f.attempt, 4);
  assert.equal(f.consumerGroup, null);
  const bad = readFailure({ [ERROR_HEADERS.originalPartition]: '-1', [ERROR_HEADERS.originalOffset]: '1e9', [ERROR_HEADERS.attempt]: 'x' });
  assert.deepEqual([bad.originalPartition, bad.originalOffset, bad.attempt], [null, null, null]);
});

test('redriven copies keep ce_* and trace headers, drop failure/retry bookkeeping, and say where they came from', () => {
  const out = redriveHeaders(headers, { topic: 'odx.orders.v1.wms.dlq', partition: 1, offset: '99' }, 'r-1', 'alice');
  assert.equal(out['ce_id'], 'e-1');
  assert.equal(out['traceparent'], '00-abc-def-01');
  assert.ok(!Object.keys(out).some((k) => k.startsWith('odx.errors.') || k.startsWith('odx.retry.')));
  assert.deepEqual(
    [out[REDRIVE_HEADERS.source], out[REDRIVE_HEADERS.id], out[REDRIVE_HEADERS.by]],
    ['odx.orders.v1.wms.dlq/1/99', 'r-1', 'alice'],
  );
});

test('DLQ filters combine with AND; times accept ISO and epoch ms; unknown fields are refused', () => {
  const s = { key: 'K', timestamp: 1_000, failure: readFailure(headers), eventType: 'com.odx.events.OrderConfirmed' };
  const ok = (f: object) => matchesFilter(s, dlqFilterSchema.parse(f));
  assert.ok(ok({}));
  assert.ok(ok({ key: 'K', errorClass: 'wms.validation', originalTopic: 'odx.orders.v1', eventType: 'OrderConfirmed' }));
  assert.ok(ok({ eventType: 'com.odx.events.OrderConfirmed', since: 1_000, until: '1970-01-01T00:00:01.001Z' }));
  assert.ok(!ok({ key: 'k' }));
  assert.ok(!ok({ eventType: 'Confirmed' }));
  assert.ok(!ok({ since: 1_001 }));
  assert.ok(!ok({ until: 1_000 }));
  assert.ok(!ok({ key: 'K', errorClass: 'other' }));
  assert.equal(dlqFilterSchema.safeParse({ since: 'yesterday' }).success, false);
  assert.equal(dlqFilterSchema.safeParse({ nope: 1 }).success, false);
});

test('an edited payload in its JSON form is revived into Avro values (dates back to Date)', () => {
  const original = sampleEvent('OrderConfirmed');
  const json = JSON.parse(JSON.stringify(original));
  const revived = reviveJsonPayload('OrderConfirmed', json) as typeof original;
  assert.ok(revived.meta.occurredAt instanceof Date);
  assert.equal(revived.meta.occurredAt.getTime(), original.meta.occurredAt.getTime());
  assert.deepEqual(revived, original);
  // What does not fit is left for the schema check to name.
  const wrong = reviveJsonPayload('OrderConfirmed', { ...json, meta: { ...json.meta, occurredAt: 'not a date' } }) as {
    meta: { occurredAt: unknown };
  };
  assert.equal(wrong.meta.occurredAt, 'not a date');
  assert.throws(() => reviveJsonPayload('NoSuchEvent', {}), /unknown event type/);
});
