import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cloudEventBody } from '../../src/delivery/cloudevent.js';

test('the body is CloudEvents 1.0 JSON with the event id, type, subject and JSON data', () => {
  const occurred = new Date('2026-01-02T03:04:05.000Z');
  const body = JSON.parse(
    cloudEventBody({
      eventId: 'e-1',
      eventType: 'OrderConfirmed',
      fullName: 'com.odx.events.OrderConfirmed',
      topic: 'odx.orders.v1',
      key: 'SO-1',
      headers: { ce_source: 'odx/poller' },
      payload: { meta: { eventId: 'e-1', occurredAt: occurred }, amount: '12.50', blob: Buffer.from('hi'), big: 2n ** 70n },
    }),
  );
  assert.equal(body.specversion, '1.0');
  assert.equal(body.id, 'e-1');
  assert.equal(body.type, 'com.odx.events.OrderConfirmed');
  assert.equal(body.source, 'odx/poller');
  assert.equal(body.subject, 'SO-1');
  assert.equal(body.time, occurred.toISOString());
  assert.equal(body.datacontenttype, 'application/json');
  assert.deepEqual(body.data, {
    meta: { eventId: 'e-1', occurredAt: occurred.toISOString() },
    amount: '12.50',
    blob: 'aGk=',
    big: (2n ** 70n).toString(),
  });
});

test('events without a key have no subject', () => {
  const body = JSON.parse(
    cloudEventBody({ eventId: 'e', eventType: 'X', fullName: 'a.X', topic: 't', key: null, headers: {}, payload: {} }),
  );
  assert.equal('subject' in body, false);
  assert.equal(body.source, 'odx/t');
});
