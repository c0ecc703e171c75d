import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ERROR_HEADERS, buildDlqHeaders, canonicalEventOf, orderIdOf, type CanonicalEvent, type RawMessage } from '@odx/runtime';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import { UNATTRIBUTED_ORDER, readDlqEntry, stepOfGroup } from '../../src/cases/dlq-entry.js';

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f]/;

const catalogName = (t: string): string | null => t;

function dlqMessage(over: Partial<RawMessage> = {}, headers?: Record<string, string>): RawMessage {
  return {
    topic: 'odx.orders.v1.wms-bridge.dlq',
    partition: 2,
    offset: '41',
    key: Buffer.from('O-42'),
    value: Buffer.from([0, 0, 0, 0, 1, 2, 3]),
    headers:
      headers ??
      buildDlqHeaders(
        { ce_id: 'evt-1' },
        {
          originalTopic: 'odx.orders.v1',
          receivedTopic: 'odx.orders.v1.wms-bridge.retry.2',
          partition: 2,
          offset: '1007',
          attempt: 3,
          failure: {
            kind: 'permanent',
            errorClass: 'wms.validation',
            message: 'WMS refused the order: unknown SKU X-1',
            circuitOpen: false,
            retryAfterMs: undefined,
          },
          group: 'wms-bridge',
        },
        Date.parse('2026-12-07T08:00:00Z'),
      ),
    timestamp: Date.parse('2026-12-07T08:00:01Z'),
    ...over,
  };
}

function event<T extends CanonicalEvent['eventType']>(eventType: T, over: Record<string, unknown> = {}): CanonicalEvent {
  const decoded = canonicalEventOf({ eventType, payload: { ...sampleEvent(eventType), meta: sampleMeta({ eventId: 'evt-1' }), ...over } });
  assert.ok(decoded);
  return decoded;
}

test('an order-topic dead letter opens a case for its order, naming the step, the error and both records', () => {
  const r = readDlqEntry(dlqMessage(), event('OrderConfirmed', { orderId: 'O-42' }), catalogName);
  assert.equal(r.kind, 'opening');
  if (r.kind !== 'opening') return;
  const o = r.opening;
  assert.equal(o.orderId, 'O-42');
  assert.equal(o.step, 'release');
  assert.deepEqual(r.stepFailure, { step: 'release', group: 'wms-bridge' }, "wms-bridge's release failed for good");
  assert.equal(o.reasonClass, 'dlq.wms.validation');
  assert.equal(o.lastError, 'WMS refused the order: unknown SKU X-1');
  assert.equal(o.severity, 'high');
  assert.equal(o.dedupeKey, 'dlq|odx.orders.v1.wms-bridge.dlq|2|41');
  assert.deepEqual(o.evidence[0], {
    kind: 'dlq-entry',
    topic: 'odx.orders.v1.wms-bridge.dlq',
    partition: 2,
    offset: '41',
    eventId: 'evt-1',
    note: 'wms.validation after 3 attempt(s) in wms-bridge (OrderConfirmed)',
  });
  assert.deepEqual(o.evidence[1], {
    kind: 'record',
    topic: 'odx.orders.v1',
    partition: 2,
    offset: '1007',
    eventId: 'evt-1',
    note: 'the original record',
  });
});

test('the step is the one the group that gave up serves (GROUP_STEPS); a group that serves none files under dlq:<topic>', () => {
  const on = (topic: string, decoded: CanonicalEvent | null): [string, string | null] => {
    const r = readDlqEntry(dlqMessage({ topic }), decoded, catalogName);
    assert.equal(r.kind, 'opening');
    return r.kind === 'opening' ? [r.opening.step, r.stepFailure?.step ?? null] : ['', null];
  };
  const dispatched = event('ShipmentDispatched');
  assert.equal(orderIdOf(dispatched.payload) !== null, true);
  // The poller's write-back: a dispatch validates the Odoo picking, a booking writes the carrier onto it.
  assert.deepEqual(on('odx.shipments.v1.odoo-writeback.dlq', dispatched), ['dispatch', 'dispatch']);
  assert.deepEqual(on('odx.shipments.v1.sys-1a2b-odoo-writeback.dlq', event('ShipmentBooked', { orderId: 'O-1' })), [
    'carrier-booking',
    'carrier-booking',
  ]);
  assert.deepEqual(on('odx.shipments.v1.tms-bridge.dlq', event('ShipmentPacked', { orderId: 'O-1' })), [
    'carrier-booking',
    'carrier-booking',
  ]);
  assert.deepEqual(on('odx.orders.v1.wms-bridge.dlq', event('OrderConfirmed', { orderId: 'O-1' })), ['release', 'release']);
  // Groups that do no step of the process: a case of their own, not a step failure.
  assert.deepEqual(on('odx.shipments.v1.analytics-sink.dlq', event('ShipmentDelivered', { orderId: 'O-1' })), [
    'dlq:odx.shipments.v1',
    null,
  ]);
  assert.deepEqual(on('odx.orders.v1.odoo-writeback.dlq', event('OrderConfirmed', { orderId: 'O-1' })), ['dlq:odx.orders.v1', null]);
  assert.deepEqual(on('odx.invoices.v1.edi-gateway.dlq', event('InvoicePosted')), ['dlq:odx.invoices.v1', null]);
  // A payment names invoices, not an order: its dead letter joins the topic's unattributed case.
  assert.deepEqual(on('odx.payments.v1.analytics-sink.dlq', event('PaymentReceived')), ['dlq:odx.payments.v1', null]);
  // The demo's poison (not Avro, keyed like an order): whoever dead-letters it, no step is named for it.
  for (const group of ['wms-bridge', 'odoo-writeback', 'analytics-sink'])
    assert.deepEqual(on(`odx.orders.v1.${group}.dlq`, null), ['dlq:odx.orders.v1', null]);
  assert.equal(
    stepOfGroup('odx.shipments.v1', 'my-wms-bridge-2', 'FulfillmentRequested'),
    null,
    'a group is matched by its name or a prefix',
  );
});

test('an undecodable entry still names its order where the topic is keyed by order; elsewhere it joins the topic’s unattributed case', () => {
  const keyed = readDlqEntry(dlqMessage(), null, catalogName);
  assert.ok(keyed.kind === 'opening');
  assert.equal(keyed.opening.orderId, 'O-42');
  assert.equal(keyed.opening.step, 'dlq:odx.orders.v1');
  assert.equal(keyed.stepFailure, null, 'an unreadable record is no step failure of its order');
  assert.match(keyed.opening.evidence[0]!.note ?? '', /in wms-bridge$/);
  const shipment = readDlqEntry(dlqMessage({ topic: 'odx.shipments.v1.tms-bridge.dlq', key: Buffer.from('SH-9') }), null, catalogName);
  assert.ok(shipment.kind === 'opening');
  assert.equal(shipment.opening.orderId, UNATTRIBUTED_ORDER, 'a shipment key is not an order id');
  assert.equal(shipment.opening.step, 'dlq:odx.shipments.v1');
});

test('dead letters of other topics, and topics that are no DLQ, open nothing', () => {
  for (const topic of ['odx.inventory.v1.wms-bridge.dlq', 'odx.orders.v1', 'odx.orders.v1.wms-bridge.retry.1', 'other.orders.v1.x.dlq']) {
    assert.equal(readDlqEntry(dlqMessage({ topic }), null, catalogName).kind, 'skip', topic);
  }
  // A deployment prefix is removed before the rules apply; topics of another prefix are not ours.
  const prefixed = (t: string): string | null => (t.startsWith('stage.') ? t.slice('stage.'.length) : null);
  assert.equal(readDlqEntry(dlqMessage({ topic: 'stage.odx.orders.v1.wms-bridge.dlq' }), null, prefixed).kind, 'opening');
  assert.equal(readDlqEntry(dlqMessage({ topic: 'odx.orders.v1.wms-bridge.dlq' }), null, prefixed).kind, 'skip');
});

test('hostile headers and keys: control characters go, lengths are capped, malformed values are not believed', () => {
  const hostile = dlqMessage(
    { key: Buffer.from('O-1\r\nX-Injected: yes') },
    {
      [ERROR_HEADERS.errorClass]: 'x'.repeat(500),
      [ERROR_HEADERS.message]: `boom\u0000\u001b[31m${'A'.repeat(50_000)}`,
      [ERROR_HEADERS.attempt]: '-1',
      [ERROR_HEADERS.originalPartition]: '0',
      [ERROR_HEADERS.originalOffset]: '12; DROP TABLE',
      ce_id: '<script>',
    },
  );
  const r = readDlqEntry(hostile, null, catalogName);
  assert.ok(r.kind === 'opening');
  assert.equal(r.opening.orderId, UNATTRIBUTED_ORDER, 'a key with control characters is no order id');
  assert.equal(r.opening.reasonClass, 'dlq.unknown');
  assert.ok(r.opening.lastError.length <= 1_000);
  assert.doesNotMatch(r.opening.lastError, CONTROL);
  assert.equal(r.opening.evidence.length, 1, 'no original-record link from a malformed offset');
  // Visible ASCII is kept as data (the API returns it as JSON, never as markup).
  assert.equal(r.opening.evidence[0]!.eventId, '<script>');
  assert.doesNotMatch(r.opening.evidence[0]!.note ?? '', /attempt/);
});

test('a decoded payload naming a hostile order id is not believed either', () => {
  const r = readDlqEntry(dlqMessage(), event('OrderConfirmed', { orderId: 'O 1\n'.repeat(100) }), catalogName);
  assert.ok(r.kind === 'opening');
  assert.equal(r.opening.orderId, 'O-42', 'falls back to the key');
});

test('property: any record on any topic is read without throwing, and what it opens is bounded', () => {
  const text = fc.string({ unit: 'binary', maxLength: 3_000 });
  fc.assert(
    fc.property(
      fc.constantFrom(
        'odx.orders.v1.g.dlq',
        'odx.shipments.v1.tms-bridge.dlq',
        'odx.orchestrator.inbox.v1.o.dlq',
        'x.dlq',
        'odx.orders.v1',
      ),
      fc.option(
        fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
        { nil: null },
      ),
      fc.dictionary(fc.constantFrom(...Object.values(ERROR_HEADERS), 'ce_id'), text),
      (topic, key, headers) => {
        const r = readDlqEntry(dlqMessage({ topic, key }, headers), null, catalogName);
        if (r.kind === 'skip') return;
        const o = r.opening;
        assert.ok(o.orderId.length <= 200 && !/\s/.test(o.orderId) && !CONTROL.test(o.orderId));
        assert.ok(o.lastError.length <= 1_000);
        assert.ok(o.reasonClass.length <= 104);
        assert.ok(o.evidence.length >= 1 && o.evidence.length <= 2);
        for (const e of o.evidence) assert.ok((e.note ?? '').length <= 300 && (e.eventId ?? '').length <= 200);
      },
    ),
    { numRuns: 300 },
  );
});
