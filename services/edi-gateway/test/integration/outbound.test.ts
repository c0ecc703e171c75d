import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { X12Parser, type X12Interchange } from 'node-x12';
import { outgoingEvent, type OutgoingEvent } from '@odx/runtime';
import { payloadsOf } from '@odx/runtime/testing';
import type { EventPayloads, EventType } from '@odx/schemas';
import { sampleEvent, sampleMeta, samplePackage, sampleShipment } from '@odx/schemas/fixtures';
import { northwind850 } from '../support/x12-samples.js';
import { eventually, startGateway } from '../support/gateway-kit.js';

const parse = (text: string): X12Interchange => new X12Parser(true).parse(text) as X12Interchange;
const body = (text: string): string[] =>
  parse(text).functionalGroups[0]!.transactions[0]!.segments.map((s) => [s.tag, ...s.elements.map((e) => e.value)].join('*'));
const ev = <T extends EventType>(eventType: T, key: string, topic: string, payload: EventPayloads[T]): OutgoingEvent =>
  outgoingEvent(eventType, key, payload, { topic });

test("order, shipment and invoice events of a partner's order become 855, 856 and 810 in its outbound folder; others are ignored", async (t) => {
  const gw = await startGateway(t);
  gw.drop('northwind', 'po.edi', northwind850('000000111', 'PO-OUT-1'));
  await eventually(() => (gw.files('northwind', 'archive').length === 1 ? true : undefined), 20_000, '850 processed');
  const orderId = 'odx:edi:northwind:PO-OUT-1';

  const confirmed = sampleEvent('OrderConfirmed', { meta: sampleMeta({ eventId: randomUUID(), correlationId: orderId, source: 'odoo' }) });
  confirmed.order = {
    ...confirmed.order,
    orderId,
    name: 'S00777',
    clientOrderRef: 'PO-OUT-1',
    customer: { ...confirmed.order.customer, ref: 'C00001', ediPartnerId: null },
    lines: [
      { ...confirmed.order.lines[0]!, lineNumber: 1, sku: 'SKU-00001', quantity: '10.0000', unitPrice: '12.500000', uom: 'Units' },
      { ...confirmed.order.lines[0]!, lineNumber: 2, sku: 'SKU-00004', quantity: '2.0000', unitPrice: '95.000000', uom: 'CS' },
    ],
  };
  const stranger = sampleEvent('OrderConfirmed', { meta: sampleMeta({ eventId: randomUUID() }) });
  stranger.order = { ...stranger.order, orderId: '9999', customer: { ...stranger.order.customer, ref: 'C09999', ediPartnerId: null } };
  const shipmentId = `SHP-${randomUUID().slice(0, 6)}`;
  const booked = sampleEvent('ShipmentBooked', {
    meta: sampleMeta({ eventId: randomUUID() }),
    shipmentId,
    orderId,
    carrierCode: 'UPSN',
    trackingNumber: '1Z999AA10123456784',
    bookingRef: 'BOL-1',
    packageTrackingNumbers: { 'PK-1': '1Z999AA10123456791' },
  });
  const dispatched = sampleEvent('ShipmentDispatched', {
    meta: sampleMeta({ eventId: randomUUID() }),
    dispatchedAt: new Date('2026-11-22T09:00:00Z'),
  });
  dispatched.shipment = sampleShipment({
    shipmentId,
    orderId,
    carrierCode: null,
    trackingNumber: null,
    bookingRef: null,
    customer: null,
    packages: [
      {
        ...samplePackage(),
        packageId: 'PK-1',
        sscc: null,
        trackingNumber: null,
        contents: [{ ...samplePackage().contents[0]!, sku: 'SKU-00001', quantity: '10.0000', lineNumber: 1 }],
      },
      {
        ...samplePackage(),
        packageId: 'PK-2',
        sscc: '006141410000000012',
        contents: [{ ...samplePackage().contents[0]!, sku: 'SKU-00004', quantity: '2.0000', lineNumber: 2 }],
      },
    ],
  });
  const invoice = sampleEvent('InvoicePosted', { meta: sampleMeta({ eventId: randomUUID() }) });
  invoice.invoice = {
    ...invoice.invoice,
    orderId,
    clientOrderRef: 'PO-OUT-1',
    name: 'INV/2026/0042',
    amountTotal: '220.0000',
    customer: { ...invoice.invoice.customer, ref: 'C00001' },
  };
  const gxInvoice = sampleEvent('InvoicePosted', { meta: sampleMeta({ eventId: randomUUID() }) });
  gxInvoice.invoice = {
    ...gxInvoice.invoice,
    invoiceId: 'gx-inv',
    orderId: '5555',
    clientOrderRef: 'GX-PO-OLD',
    name: 'INV/2026/0043',
    customer: { ...gxInvoice.invoice.customer, ref: 'C00002', ediPartnerId: null },
  };

  await gw.publish([
    ev('OrderConfirmed', orderId, gw.topics.orders, confirmed),
    ev('OrderConfirmed', orderId, gw.topics.orders, confirmed), // redelivered: one 855 only
    // Odoo re-announces the order after a change (a new event id): still one 855.
    ev('OrderConfirmed', orderId, gw.topics.orders, { ...confirmed, meta: { ...confirmed.meta, eventId: randomUUID() } }),
    ev('OrderConfirmed', '9999', gw.topics.orders, stranger),
    ev('ShipmentBooked', shipmentId, gw.topics.shipments, booked),
    ev('ShipmentDispatched', shipmentId, gw.topics.shipments, dispatched),
    ev('InvoicePosted', invoice.invoice.invoiceId, gw.topics.invoices, invoice),
    ev('InvoicePosted', 'gx-inv', gw.topics.invoices, gxInvoice),
  ]);
  const files = await eventually(
    () => {
      const f = gw.files('northwind', 'outbound');
      return f.length >= 4 && gw.files('globex', 'outbound').length >= 1 ? f : undefined;
    },
    30_000,
    '855, 856 and 810 written',
  );
  const byType = (type: string) => files.filter((f) => f.startsWith(`${type}-`)).map((f) => gw.read('northwind', 'outbound', f));
  assert.equal(byType('997').length, 1);
  assert.equal(byType('855').length, 1, 'one 855 despite the redelivery and the re-announcement');

  const b855 = body(byType('855')[0]!);
  assert.ok(b855[0]!.startsWith('BAK*00*AD*PO-OUT-1*20261120'));
  assert.ok(b855.includes('PO1*2*2*CA*95**BP*NW-4*VP*SKU-00004'), 'the changed price is the one we confirm');
  assert.deepEqual(
    b855.filter((s) => s.startsWith('ACK')).map((s) => s.split('*').slice(0, 3).join('*')),
    ['ACK*IA*10', 'ACK*IP*2'],
    'line 2 price changed',
  );
  assert.ok(
    b855.includes('PO1*1*10*EA*12.5**BP*NW-1*UP*012345000011*VP*SKU-00001'),
    `the partner's own line ids and units come back: ${b855.join(' ')}`,
  ); //\'s own line ids and units come back');

  const b856 = body(byType('856')[0]!);
  assert.ok(b856.includes('TD5*B*2*UPSN*********SG'), `SCAC from the booking, ground service: ${b856.find((x) => x.startsWith('TD5'))}`);
  assert.ok(b856.includes('REF*CN*1Z999AA10123456784'));
  assert.ok(b856.includes('MAN*CP*1Z999AA10123456791'), 'parcel tracking per package');
  assert.ok(b856.includes('MAN*GM*006141410000000012'));
  assert.ok(
    b856.some((s) => /^MAN\*GM\*00614141\d{10}$/.test(s)),
    'an SSCC made from the GS1 prefix for the unlabelled package',
  );
  assert.ok(b856.includes('PRF*PO-OUT-1***20261120'));
  assert.deepEqual(
    b856.filter((s) => s.startsWith('HL')).map((s) => s.split('*')[3]),
    ['S', 'O', 'P', 'I', 'P', 'I'],
  );

  const b810 = body(byType('810')[0]!);
  assert.ok(b810[0]!.startsWith('BIG*') && b810[0]!.includes('*INV/2026/0042*20261120*PO-OUT-1'));
  assert.ok(b810.includes('TDS*22000'));
  const gx810 = gw.read('globex', 'outbound', gw.files('globex', 'outbound')[0]!);
  assert.ok(
    gx810.includes('\nBIG|') && gx810.includes('|GX-PO-OLD'),
    'a partner known by the customer ref gets its invoice, quoting the client order ref',
  );

  // Control numbers: unique and increasing in the order the documents were made.
  const isa13s = files.map((f) => gw.read('northwind', 'outbound', f)).map((x) => Number(parse(x).header.valueOf(13)));
  assert.equal(new Set(isa13s).size, isa13s.length);
  const sent = await gw.collect(gw.topics.documents, 6);
  const sentTypes = payloadsOf(sent, 'EdiDocumentSent')
    .map((p) => p.document.transactionSet)
    .sort();
  assert.deepEqual(sentTypes, ['810', '810', '855', '856', '997']);
  const rec855 = (await gw.gateway.documents.list({ partner: 'northwind', type: '855', limit: 5 }))[0]!;
  assert.equal(rec855.status, 'sent');
  assert.equal(rec855.businessObjectId, orderId);
  const source = rec855.links.find((l) => l.role === 'source')!;
  assert.equal(source.topic, gw.topics.orders);
  assert.equal(source.eventType, 'OrderConfirmed');
  assert.ok(rec855.ackDueAt && rec855.ackDueAt.getTime() > Date.now());
  assert.equal(gw.files('northwind', 'outbound').length, 4, "the stranger's order produced nothing");
});
