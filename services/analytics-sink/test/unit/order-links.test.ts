import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalEventOf, type CanonicalEvent } from '@odx/runtime';
import { EVENT_TYPES, type EventType } from '@odx/schemas';
import { sampleEdiDocument, sampleEvent } from '@odx/schemas/fixtures';
import { assignOrders } from '../../src/analytics/order-graph.js';
import { fromStored, toStored } from '../../src/ingest/event-index.js';
import { failureEntryOf, traceIdOf } from '../../src/ingest/event-record.js';
import { orderLinks, parseLink } from '../../src/ingest/order-links.js';

test('each event type links to the objects its schema names', () => {
  const oc = sampleEvent('OrderConfirmed');
  oc.order = { ...oc.order, orderId: 'O1', name: 'S1', clientOrderRef: 'PO-1' };
  assert.deepEqual(orderLinks({ eventType: 'OrderConfirmed', payload: oc }).sort(), ['name:S1', 'order:O1', 'po:PO-1']);
  oc.order = { ...oc.order, name: null, clientOrderRef: '' };
  assert.deepEqual(orderLinks({ eventType: 'OrderConfirmed', payload: oc }), ['order:O1']);
  const fr = sampleEvent('FulfillmentRequested');
  assert.deepEqual(
    orderLinks({ eventType: 'FulfillmentRequested', payload: fr })
      .filter((t) => t.startsWith('shipment:') || t.startsWith('order:'))
      .sort(),
    [`order:${fr.shipment.orderId}`, `shipment:${fr.shipment.shipmentId}`].sort(),
  );
  const picked = sampleEvent('ShipmentPicked', { orderId: null });
  assert.deepEqual(orderLinks({ eventType: 'ShipmentPicked', payload: picked }), ['shipment:1310']);
  const inv = sampleEvent('InvoicePosted');
  const invLinks = orderLinks({ eventType: 'InvoicePosted', payload: inv });
  assert.ok(invLinks.includes(`invoice:${inv.invoice.invoiceId}`));
  for (const s of inv.invoice.shipmentIds) assert.ok(invLinks.includes(`shipment:${s}`));
  const pay = sampleEvent('PaymentReceived');
  assert.deepEqual(
    orderLinks({ eventType: 'PaymentReceived', payload: pay }),
    pay.payment.allocations.map((a) => `invoice:${a.invoiceId}`),
  );
  const sent = sampleEvent('EdiDocumentSent', {
    document: sampleEdiDocument({ documentId: 'D1', businessObjectType: 'shipment', businessObjectId: 'S9', businessRef: 'BOL-1' }),
    inResponseTo: 'D0',
  });
  assert.deepEqual(orderLinks({ eventType: 'EdiDocumentSent', payload: sent }).sort(), ['edidoc:D0', 'edidoc:D1', 'shipment:S9']);
  const ack = sampleEvent('EdiDocumentReceived', {
    document: sampleEdiDocument({
      documentId: 'A1',
      transactionSet: '997',
      businessObjectType: 'ack',
      businessObjectId: 'D1',
      businessRef: null,
    }),
    ackDocumentId: null,
  });
  assert.deepEqual(orderLinks({ eventType: 'EdiDocumentReceived', payload: ack }).sort(), ['edidoc:A1', 'edidoc:D1']);
  const po850 = sampleEvent('EdiDocumentReceived', {
    document: sampleEdiDocument({ documentId: 'E1', businessObjectType: 'order', businessObjectId: 'O1', businessRef: 'PO-1' }),
    ackDocumentId: null,
  });
  assert.deepEqual(orderLinks({ eventType: 'EdiDocumentReceived', payload: po850 }).sort(), ['edidoc:E1', 'order:O1', 'po:PO-1']);
});

/** The sample event of a type (the fixtures are valid against the schemas, as decoded payloads are). */
function sample(eventType: EventType): CanonicalEvent {
  const event = canonicalEventOf({ eventType, payload: sampleEvent(eventType) });
  assert.ok(event, eventType);
  return event;
}

test('every event type maps without throwing; master data links to no order; unknown types are no canonical event', () => {
  for (const t of EVENT_TYPES) {
    const links = orderLinks(sample(t));
    for (const l of links) assert.ok(parseLink(l), `${t}: ${l}`);
  }
  for (const t of ['ProductUpserted', 'CustomerUpserted', 'PriceChanged', 'InventoryLevelChanged'] as const)
    assert.deepEqual(orderLinks(sample(t)), []);
  assert.equal(canonicalEventOf({ eventType: 'SomethingNew', payload: { meta: {} } }), undefined);
  assert.equal(parseLink('evil'), undefined);
  assert.equal(parseLink('other:1'), undefined);
  assert.deepEqual(parseLink('order:a:b'), { kind: 'order', id: 'a:b' });
});

test('order resolution: shipments, invoices, EDI chains and payments reach their order; a PO on a shipment does not merge orders', () => {
  const e = (id: string, type: string, links: string[]) => ({ _id: id, type, links });
  const m = assignOrders([
    e('1', 'OrderConfirmed', ['order:O1', 'po:P']),
    e('2', 'OrderConfirmed', ['order:O2', 'po:Q']),
    e('3', 'ShipmentPicked', ['shipment:S1']), // before the event that ties S1 to O1
    e('4', 'FulfillmentRequested', ['shipment:S1', 'order:O1']),
    e('5', 'EdiDocumentReceived', ['edidoc:A1', 'edidoc:D1']), // 997 for the 856
    e('6', 'EdiDocumentSent', ['edidoc:D1', 'shipment:S1']),
    e('7', 'InvoicePosted', ['invoice:I2', 'order:O2']),
    e('8', 'PaymentReceived', ['invoice:I2', 'invoice:I9']),
    e('9', 'ShipmentPicked', ['shipment:S7']), // never tied to an order
  ]);
  assert.deepEqual(
    m
      .get('O1')
      ?.map((x) => x._id)
      .sort(),
    ['1', '3', '4', '5', '6'],
  );
  assert.deepEqual(
    m
      .get('O2')
      ?.map((x) => x._id)
      .sort(),
    ['2', '7', '8'],
  );
  assert.equal(m.size, 2);
});

test('trace ids come only from well-formed traceparents', () => {
  assert.equal(traceIdOf('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'), '0af7651916cd43dd8448eb211c80319c');
  for (const bad of [
    undefined,
    '',
    'garbage',
    '00-xyz-b7ad6b7169203331-01',
    `00-${'0'.repeat(32)}-b7ad6b7169203331-01`,
    '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331',
  ]) {
    assert.equal(traceIdOf(bad), null, String(bad));
  }
});

test('an undecodable DLQ message is indexed from its headers and linked by its topic key', () => {
  const entry = failureEntryOf({
    entry: 'dlq',
    topic: 'odx.orders.v1.g.dlq',
    partition: 2,
    offset: '17',
    key: 'O-5',
    timestamp: Date.UTC(2026, 0, 1),
    headers: {
      'odx.errors.class': 'serde.not-confluent-wire',
      'odx.errors.kind': 'poison',
      'odx.errors.attempt': '1',
      'odx.errors.original.offset': '4',
      'odx.errors.original.partition': 'x',
      'odx.errors.consumer.group': 'g',
    },
    originalTopic: 'odx.orders.v1',
    catalogKey: 'orderId',
    decoded: undefined,
  });
  assert.equal(entry._id, 'dlq:odx.orders.v1.g.dlq:2:17');
  assert.equal(entry.type, 'unknown');
  assert.deepEqual(entry.links, ['order:O-5']);
  assert.equal(entry.error?.errorClass, 'serde.not-confluent-wire');
  assert.equal(entry.error?.originalOffset, 4);
  assert.equal(entry.error?.originalPartition, null); // not a number: not trusted
  assert.equal(entry.time.getTime(), Date.UTC(2026, 0, 1));
  const noKey = failureEntryOf({
    entry: 'retry',
    topic: 't.g.retry.1',
    partition: 0,
    offset: '0',
    key: null,
    timestamp: 0,
    headers: {},
    originalTopic: 't',
    catalogKey: 'partnerId',
    decoded: undefined,
  });
  assert.deepEqual(noKey.links, []);
});

test('a DLQ message of an event type this build does not know keeps its type name and is linked by its topic key', () => {
  const entry = failureEntryOf({
    entry: 'dlq',
    topic: 'odx.orders.v1.g.dlq',
    partition: 0,
    offset: '3',
    key: 'O-7',
    timestamp: Date.UTC(2026, 0, 1),
    headers: {},
    originalTopic: 'odx.orders.v1',
    catalogKey: 'orderId',
    decoded: { eventType: 'OrderSplit', payload: { meta: {} } },
  });
  assert.equal(entry.type, 'OrderSplit');
  assert.deepEqual(entry.links, ['order:O-7']);
  assert.deepEqual(entry.facts, {});
  assert.equal(entry.eventId, null);
});

test('stored entries read back exactly, dates included', () => {
  const entry = failureEntryOf({
    entry: 'retry',
    topic: 't.g.retry.1',
    partition: 1,
    offset: '9',
    key: 'k"\n',
    timestamp: Date.UTC(2026, 0, 1),
    headers: {
      'odx.errors.first.failure.time': '2026-01-01T00:00:00.000Z',
      'odx.errors.attempt': '2',
      traceparent: `00-${'12'.repeat(16)}-${'34'.repeat(8)}-01`,
    },
    originalTopic: 't',
    catalogKey: 'orderId',
    decoded: { eventType: 'ShipmentException', payload: sampleEvent('ShipmentException') },
  });
  const back = fromStored(toStored(entry));
  assert.deepEqual(back, entry);
  assert.ok(back.error?.firstFailureTime instanceof Date);
  assert.deepEqual(Object.keys(toStored(entry)).sort(), ['_id', 'e', 'entry', 'links', 'time']);
});
