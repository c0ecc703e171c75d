import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DecodedEvent } from '../../src/serde/index.js';
import { ERROR_HEADERS, RETRY_HEADERS, retryTopicName } from '../../src/kafka/index.js';
import { retryTopicsOf } from '../../src/kafka/consumer/failure-topics.js';
import type { ConsumerMessage } from '../../src/kafka/consumer/group-client.js';
import { eventIdOf, identifyEvent, prepareMessage, triageMessage, type PrepareContext } from '../../src/kafka/consumer/prepare-message.js';

const TOPIC = 'odx.orders.v1';
const RETRY_1 = retryTopicName(TOPIC, 'wms-bridge', 1);
const NOW = 1_700_000_000_000;

function message(headers: Record<string, string> = {}, offset = '7'): ConsumerMessage {
  return { offset, key: Buffer.from('SO001'), value: Buffer.from([0, 0, 0, 0, 1]), headers };
}

function ctx(eventTypes: PrepareContext['eventTypes'] = 'all'): PrepareContext {
  return { retryTopics: retryTopicsOf([TOPIC], 'wms-bridge', 2), eventTypes, now: NOW, startedNs: 0n };
}

const confirmed: DecodedEvent = {
  schemaId: 3,
  fullName: 'com.odx.events.OrderConfirmed',
  eventType: 'OrderConfirmed',
  payload: { meta: { eventId: 'meta-id' } },
};

test('a first delivery is attempt 1 on its own topic; a retry topic delivery carries its original topic and attempt', () => {
  const first = triageMessage(message(), TOPIC, 2, ctx());
  assert.equal(first.kind, 'decode');
  assert.deepEqual(
    { ...first.delivery, message: undefined },
    { message: undefined, receivedTopic: TOPIC, originalTopic: TOPIC, partition: 2, attempt: 1, startedNs: 0n },
  );

  const retried = triageMessage(message({ [RETRY_HEADERS.attempt]: '2', [RETRY_HEADERS.notBefore]: String(NOW - 1) }), RETRY_1, 0, ctx());
  assert.equal(retried.kind, 'decode');
  assert.equal(retried.delivery.originalTopic, TOPIC);
  assert.equal(retried.delivery.attempt, 2);
});

test('a retry whose delay has not passed is not due, with the time to wait for; on an original topic the header means nothing', () => {
  const early = triageMessage(message({ [RETRY_HEADERS.attempt]: '2', [RETRY_HEADERS.notBefore]: String(NOW + 5_000) }), RETRY_1, 0, ctx());
  assert.equal(early.kind, 'not-due');
  assert.equal(early.kind === 'not-due' && early.untilMs, NOW + 5_000);

  const copied = triageMessage(message({ [RETRY_HEADERS.attempt]: '3', [RETRY_HEADERS.notBefore]: String(NOW + 5_000) }), TOPIC, 0, ctx());
  assert.equal(copied.kind, 'decode');
  assert.equal(copied.delivery.attempt, 1);
});

test('an event type outside eventTypes is skipped by its ce_type header, before decoding', () => {
  const wanted = new Set(['OrderCancelled']);
  assert.equal(triageMessage(message({ ce_type: 'com.odx.events.OrderConfirmed' }), TOPIC, 0, ctx(wanted)).kind, 'skip');
  assert.equal(triageMessage(message({ ce_type: 'com.odx.events.OrderCancelled' }), TOPIC, 0, ctx(wanted)).kind, 'decode');
  assert.equal(triageMessage(message(), TOPIC, 0, ctx(wanted)).kind, 'decode', 'no header: decided after decoding');
  assert.equal(triageMessage(message({ ce_type: 'com.odx.events.OrderConfirmed' }), TOPIC, 0, ctx('all')).kind, 'decode');
});

test('a decoded record is skipped by its type, kept as poison when it is not an ODX event, or identified', () => {
  const d = triageMessage(message(), TOPIC, 0, ctx()).delivery;
  assert.equal(identifyEvent(d, confirmed, new Set(['OrderCancelled'])).kind, 'skip');

  const foreign = identifyEvent(d, { ...confirmed, fullName: 'com.acme.Thing', eventType: 'Thing' }, 'all');
  assert.equal(foreign.kind, 'undecodable');
  assert.match(String(foreign.kind === 'undecodable' && foreign.error), /com\.acme\.Thing \(schema id 3\) is not an ODX event type/);

  const event = identifyEvent(d, confirmed, 'all');
  assert.equal(event.kind, 'event');
  assert.equal(event.kind === 'event' && event.eventType, 'OrderConfirmed');
});

test('the event id is the ce_id header, else meta.eventId, else the first coordinates (kept across retries)', () => {
  const plain = triageMessage(message({ ce_id: 'ce-1' }), TOPIC, 4, ctx()).delivery;
  assert.equal(eventIdOf(plain, { meta: { eventId: 'meta-id' } }), 'ce-1');
  const noHeader = triageMessage(message(), TOPIC, 4, ctx()).delivery;
  assert.equal(eventIdOf(noHeader, { meta: { eventId: 'meta-id' } }), 'meta-id');
  assert.equal(eventIdOf(noHeader, { meta: { eventId: 42 } }), `${TOPIC}-4-7`);
  assert.equal(eventIdOf(noHeader, null), `${TOPIC}-4-7`);
  const retried = triageMessage(
    message({ [ERROR_HEADERS.originalPartition]: '1', [ERROR_HEADERS.originalOffset]: '99' }, '3'),
    RETRY_1,
    0,
    ctx(),
  ).delivery;
  assert.equal(eventIdOf(retried, {}), `${TOPIC}-1-99`);
});

test('prepareMessage decodes only what triage lets through, and a decode failure makes the message undecodable', async () => {
  let decodes = 0;
  const decoder = {
    decode: async () => {
      decodes++;
      return confirmed;
    },
  };
  const skipped = await prepareMessage(message({ ce_type: 'OrderConfirmed' }), TOPIC, 0, ctx(new Set(['OrderCancelled'])), decoder);
  assert.equal(skipped.kind, 'skip');
  assert.equal(decodes, 0);
  const event = await prepareMessage(message(), TOPIC, 0, ctx(), decoder);
  assert.equal(event.kind === 'event' && event.eventId, 'meta-id');
  const poison = new Error('not avro');
  const failed = await prepareMessage(message(), TOPIC, 0, ctx(), { decode: () => Promise.reject(poison) });
  assert.equal(failed.kind === 'undecodable' && failed.error, poison);
});
