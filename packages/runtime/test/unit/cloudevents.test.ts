import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromCloudEventHeaders, toCloudEventHeaders } from '../../src/serde/index.js';

test('CloudEvents binary-mode headers round trip', () => {
  const headers = toCloudEventHeaders({
    specversion: '1.0',
    id: 'abc',
    type: 'com.odx.events.OrderConfirmed',
    source: '/odx/odoo-outbox-poller',
    time: '2026-11-26T10:00:00.000Z',
    datacontenttype: 'application/avro',
    subject: 'SO042',
    correlationid: 'c1',
    company: 'acme',
  });
  assert.equal(headers['ce_specversion'], '1.0');
  assert.equal(headers['content-type'], 'application/avro');
  assert.equal(headers['ce_causationid'], undefined);
  const back = fromCloudEventHeaders(headers);
  assert.equal(back?.id, 'abc');
  assert.equal(back?.type, 'com.odx.events.OrderConfirmed');
  assert.equal(back?.subject, 'SO042');
  assert.equal(back?.datacontenttype, 'application/avro');
  assert.equal(fromCloudEventHeaders({ foo: 'bar' }), undefined);
});
