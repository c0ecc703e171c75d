// The supplier side: its profile, the 850 we send, and its 855, 856 and 810 read against the PO sent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PurchaseOrderAcknowledged } from '@odx/schemas';
import { sha256Hex, type ReceivedFile } from '../../src/inbound/audit-records.js';
import { planAcceptedCommit, planRejectedCommit, type InterchangeCommit } from '../../src/inbound/commit-plan.js';
import type { InboundReading } from '../../src/inbound/parsed-interchange.js';
import { parseX12Interchange } from '../../src/inbound/parse-x12-interchange.js';
import { build850, purchaseOrderFactsOf } from '../../src/outbound/build-850.js';
import { PartnerDirectory, PartnerProfileError, parsePartnerProfile } from '../../src/partners/partner-profile.js';
import { ack855, asn856, invoice810, SUPPLIER, supplierDoc, supplierEnvelope, supplierPo } from '../support/supplier-samples.js';
import { PARTNERS_DIR, po850, NW_LINES, render } from '../support/x12-samples.js';

const partners = PartnerDirectory.fromDirectory(PARTNERS_DIR);
const midwest = partners.get(SUPPLIER)!;
const PO = supplierPo();
const facts = purchaseOrderFactsOf(PO, midwest);
const options = {
  partners,
  expectedPartnerId: SUPPLIER,
  maxBytes: 1_000_000,
  purchaseOrders: (partnerId: string, name: string) => (partnerId === SUPPLIER && name === PO.name ? facts : undefined),
};
const TOPICS = { orders: 'orders', edi: 'edi', purchasing: 'purchasing' };

function plan(text: string): { reading: InboundReading; plan: InterchangeCommit } {
  const bytes = Buffer.from(text);
  const file: ReceivedFile = {
    bytes,
    sha256: sha256Hex(bytes),
    source: { transport: 'folder', fileName: 'in.edi', expectedPartnerId: SUPPLIER },
    receivedAt: new Date('2026-11-21T08:00:00Z'),
  };
  const reading = parseX12Interchange(bytes, options);
  const context = { file, company: 'acme', topics: TOPICS };
  return {
    reading,
    plan: reading.ok
      ? planAcceptedCommit({ ...context, interchange: reading.interchange })
      : planRejectedCommit({ ...context, rejected: reading.rejected, idKey: 'k' }),
  };
}

/** The PurchaseOrderAcknowledged a plan publishes (narrowed on its type, never cast). */
function acknowledgment(p: InterchangeCommit): PurchaseOrderAcknowledged {
  const e = p.records[1]?.events[0];
  if (e?.eventType !== 'PurchaseOrderAcknowledged') throw new Error(`no PurchaseOrderAcknowledged: ${JSON.stringify(p.result.errors)}`);
  return e.payload;
}
const events = (p: InterchangeCommit): string[] => p.records.flatMap((r) => r.events.map((e) => e.eventType));
/** The 997 we answer with, one string per segment (elements joined by *). */
const reply997 = (p: InterchangeCommit): string[] => {
  const r = p.reply?.reply;
  assert.equal(r?.type, '997', `a 997 answers: ${JSON.stringify(p.result.errors)}`);
  return r.type === '997' ? r.sets.flatMap((s) => s.segments.map((seg) => seg.join('*'))) : [];
};

// ---- profiles ----

test('the supplier sample loads as a supplier: vendor, role sets, and it is found by the PO vendor', () => {
  assert.equal(midwest.role, 'supplier');
  assert.deepEqual(midwest.transactionSets, { inbound: ['855', '856', '810', '997'], outbound: ['997', '850'] });
  assert.equal(midwest.customer, null);
  assert.equal(partners.get('northwind')?.role, 'customer');
  assert.equal(partners.supplierFor({ partyId: '999', ref: 'V00001', ediPartnerId: null })?.id, SUPPLIER);
  assert.equal(partners.supplierFor({ partyId: 'V00001', ref: null, ediPartnerId: null })?.id, SUPPLIER);
  assert.equal(partners.supplierFor({ partyId: '1', ref: 'V00002', ediPartnerId: null }), undefined);
  assert.equal(partners.supplierFor({ partyId: '1', ref: null, ediPartnerId: 'northwind' }), undefined, 'a customer is no supplier');
});

const supplierYaml = `
id: acme
name: Acme
role: supplier
isa: { partnerQualifier: ZZ, partnerId: ACME, ourQualifier: ZZ, ourId: ODX }
gs: { partnerId: ACME, ourId: ODX }
version: "004010"
separators: { element: "*", segment: "~", component: ">" }
vendor: { partyId: "7", ref: V7, name: Acme }
`;

test('a minimal supplier profile gets the supplier sets by default', () => {
  const p = parsePartnerProfile(supplierYaml, '/x/acme.yaml');
  assert.deepEqual(p.transactionSets, { inbound: ['855', '856', '810', '997'], outbound: ['997', '850'] });
});

for (const [what, text, expected] of [
  ['a supplier without a vendor', supplierYaml.replace(/vendor:.*\n/, ''), /vendor: required for a supplier/],
  [
    'a supplier that would send us 850s',
    `${supplierYaml}transactionSets: { inbound: ["850", "997"] }\n`,
    /transactionSets\.inbound\.0: a supplier does not send us 850s .*850 inbound is for a customer/,
  ],
  [
    'a supplier sent 855s',
    `${supplierYaml}transactionSets: { outbound: ["850", "855"] }\n`,
    /transactionSets\.outbound\.1: a supplier is not sent 855s/,
  ],
  ['a supplier with a customer', `${supplierYaml}customer: { partyId: "1", name: X }\n`, /customer: a supplier has no customer/],
  [
    'a supplier sent EDIFACT',
    `${supplierYaml}outbound: { standard: EDIFACT }\nedifact: { partnerId: A, ourId: B }\n`,
    /outbound\.standard: suppliers trade X12 only/,
  ],
  [
    'a customer sent 850s',
    supplierYaml.replace('role: supplier', 'role: customer').replace(/vendor:.*\n/, 'customer: { partyId: "1", name: X }\n') +
      'transactionSets: { outbound: ["850"] }\n',
    /transactionSets\.outbound\.0: a customer is not sent 850s/,
  ],
  [
    'a customer with a vendor',
    supplierYaml.replace('role: supplier', 'role: customer'),
    /customer: required for a customer.*\n.*vendor: a customer has no vendor/,
  ],
  ['an unknown role', supplierYaml.replace('role: supplier', 'role: carrier'), /role: /],
] as const) {
  test(`a profile of ${what} is refused, naming the field`, () => {
    assert.throws(
      () => parsePartnerProfile(text, '/x/acme.yaml'),
      (err: unknown) => err instanceof PartnerProfileError && expected.test(err.message),
    );
  });
}

// ---- 850 out ----

test('a confirmed PO becomes an 850 in the supplier terms: BEG, ship-to, PO1 with its part number and our SKU, CTT', () => {
  const body = build850(PO, midwest).segments.map((s) => s.join('*'));
  assert.equal(body[0], `BEG*00*SA*P00077**${PO.orderDate.toISOString().slice(0, 10).replace(/-/g, '')}`);
  assert.ok(body.includes('CUR*BY*USD'));
  assert.ok(body.includes('REF*VR*SO-99120'));
  assert.ok(
    body.some((s) => s.startsWith('N1*ST*ACME Distribution*92*WH1')),
    body.join(' '),
  );
  assert.ok(body.includes('PO1*1*200*BX*6.125*PE*VP*FS-933-0850*BP*BOLT-M8-50'), body.join(' '));
  assert.ok(body.includes('PO1*2*10*BG*3.4*PE*BP*WASH-M8'), 'no supplier part number known: our SKU only');
  assert.equal(body.at(-1), 'CTT*2');
  assert.deepEqual(
    facts.lines.map((l) => [l.lineNumber, l.lineId, l.quantity]),
    [
      [1, '1501', '200.0000'],
      [2, '1502', '10.0000'],
    ],
  );
});

// ---- 855, 856, 810 accepted ----

test('an 855 rejecting a line becomes PurchaseOrderAcknowledged (changed) with that line rejected, answered by an accepting 997', () => {
  const text = supplierDoc(
    '000000501',
    '855',
    ack855(
      'P00077',
      [
        { line: '1', qty: '200', uom: 'BX', price: '6.125', ack: ['IA', '200', 'BX'] },
        { line: '2', qty: '10', uom: 'BG', price: '3.40', ack: ['IR', '0', 'BG'] },
      ],
      { shipDate: '20261127' },
    ),
  );
  const { plan: p } = plan(text);
  assert.deepEqual(events(p), ['PurchaseOrderAcknowledged', 'EdiDocumentReceived']);
  const e = p.records[1]!.events[0]!;
  assert.equal(e.key, '77');
  assert.equal(e.topic, 'purchasing');
  const ack = acknowledgment(p);
  assert.equal(ack.status, 'changed');
  assert.equal(ack.purchaseOrderName, 'P00077');
  assert.equal(ack.vendorOrderRef, 'SO-5521');
  assert.equal(ack.acknowledgedAt.toISOString(), '2026-11-21T00:00:00.000Z', 'BAK09');
  assert.deepEqual(
    ack.lines.map((l) => [l.lineNumber, l.lineId, l.sku, l.status, l.statusCode, l.quantityOrdered, l.quantity, l.uom, l.unitPrice]),
    [
      [1, '1501', 'BOLT-M8-50', 'accepted', 'IA', '200.0000', '200.0000', 'BX', null],
      [2, '1502', 'WASH-M8', 'rejected', 'IR', '10.0000', '0.0000', 'BG', null],
    ],
  );
  assert.equal(ack.lines[0]!.deliveryDate?.toISOString(), '2026-11-27T00:00:00.000Z');
  assert.equal(p.records[1]!.record.businessObjectId, '77');
  assert.deepEqual(reply997(p), ['AK1*PR*501', 'AK2*855*0001', 'AK5*A', 'AK9*A*1*1*1']);
  const again = acknowledgment(plan(text).plan);
  assert.equal(again.meta.eventId, ack.meta.eventId, 'the same document, the same event id');
});

test('855 statuses: every line as ordered is accepted, a changed quantity or price is changed, RJ rejects the order', () => {
  const status = (segments: string[][]): PurchaseOrderAcknowledged => {
    return acknowledgment(plan(supplierDoc('000000502', '855', segments)).plan);
  };
  const all = status(
    ack855('P00077', [
      { line: '1', qty: '200', uom: 'BX', price: '6.125', ack: ['IA', '200', 'BX'] },
      { line: '2', qty: '10', uom: 'BG', price: '3.4', ack: ['IA', '10', 'BG'] },
    ]),
  );
  assert.equal(all.status, 'accepted');
  const changed = status(
    ack855('P00077', [
      { line: '1', qty: '200', uom: 'BX', price: '6.25', ack: ['IP', '200', 'BX'] },
      { line: '2', qty: '10', uom: 'BG', price: '3.4', ack: ['IQ', '8', 'BG'] },
    ]),
  );
  assert.equal(changed.status, 'changed');
  assert.deepEqual(
    changed.lines.map((l) => [l.status, l.quantity, l.unitPriceOrdered, l.unitPrice]),
    [
      ['changed', '200.0000', '6.125000', '6.250000'],
      ['changed', '8.0000', '3.400000', null],
    ],
  );
  const rejected = status([
    ['BAK', '00', 'RJ', 'P00077', '20261120'],
    ['CTT', '0'],
  ]);
  assert.deepEqual([rejected.status, rejected.ackTypeCode, rejected.lines], ['rejected', 'RJ', []]);
  const headerOnly = status([['BAK', '00', 'AK', 'P00077', '20261120']]);
  assert.equal(headerOnly.status, 'accepted');
});

test('an 856 publishes the expected receipt of each PO in it (ShipNoticeReceived, also kept) and its EdiDocumentReceived', () => {
  const { plan: p } = plan(
    supplierDoc('000000503', '856', asn856('ASN-1', [{ po: 'P00077', items: [{ line: '1', qty: '120', uom: 'BX', lot: 'L-7' }] }])),
  );
  assert.deepEqual(events(p), ['ShipNoticeReceived', 'EdiDocumentReceived']);
  const published = p.records.flatMap((r) => r.events).find((e) => e.eventType === 'ShipNoticeReceived');
  assert.deepEqual([published?.key, published?.topic], ['77', 'purchasing'], 'keyed by PO, on the purchasing topic');
  assert.equal(published?.payload, p.supplierFacts.shipNotices[0], 'the event is what is kept');
  assert.equal(p.result.status, 'accepted');
  const [n] = p.supplierFacts.shipNotices;
  assert.equal(p.supplierFacts.shipNotices.length, 1);
  assert.deepEqual(
    [n!.purchaseOrderId, n!.asnNumber, n!.carrierCode, n!.bookingRef, n!.trackingNumber, n!.expectedAt?.toISOString()],
    ['77', 'ASN-1', 'UPSN', 'BOL-8812', '1Z999AA10123456784', '2026-11-28T00:00:00.000Z'],
  );
  assert.deepEqual(
    n!.lines.map((l) => [l.lineNumber, l.purchaseLineId, l.sku, l.vendorProductCode, l.quantity, l.uom, l.lots.map((x) => x.lotNumber)]),
    [[1, '1501', 'BOLT-M8-50', 'FS-933-0850', '120.0000', 'BX', ['L-7']]],
  );
  assert.deepEqual([p.records[1]!.record.businessObjectType, p.records[1]!.record.businessRef], ['ship_notice', 'ASN-1']);
});

test('an 810 publishes a draft vendor bill (VendorBillReceived, also kept), lines matched to the PO, charges and taxes', () => {
  const body = invoice810('INV-9001', 'P00077', [{ line: '1', qty: '120', uom: 'BX', price: '6.125' }], {
    tax: '110.25',
    freightCents: '2500',
  });
  const { plan: p } = plan(supplierDoc('000000504', '810', body));
  assert.deepEqual(events(p), ['VendorBillReceived', 'EdiDocumentReceived']);
  const [b] = p.supplierFacts.vendorBills;
  assert.ok(b, JSON.stringify(p.result.errors));
  assert.deepEqual(
    [
      b.purchaseOrderId,
      b.bill.billId,
      b.bill.moveType,
      b.bill.state,
      b.bill.vendorRef,
      b.bill.amountUntaxed,
      b.bill.amountTax,
      b.bill.amountTotal,
      b.bill.paymentTerm,
    ],
    ['77', 'odx:edi:midwest-fastener:INV-9001', 'in_invoice', 'draft', 'INV-9001', '760.0000', '110.2500', '870.2500', 'Net 30'],
  );
  assert.deepEqual(
    b.bill.lines.map((l) => [l.purchaseLineId, l.lineNumber, l.sku, l.quantity, l.unitPrice, l.subtotal]),
    [
      ['1501', 1, 'BOLT-M8-50', '120.0000', '6.125000', '735.0000'],
      [null, null, null, '1.0000', '25.000000', '25.0000'],
    ],
  );
  const credit = plan(
    supplierDoc('000000505', '810', invoice810('CM-1', 'P00077', [{ line: '1', qty: '1', uom: 'BX', price: '6.125' }], { credit: true })),
  );
  assert.equal(credit.plan.supplierFacts.vendorBills[0]?.bill.moveType, 'in_refund');
});

// ---- malformed: each rejected with the right 997 or TA1, nothing downstream ----

const ok855 = (): string[][] => ack855('P00077', [{ line: '1', qty: '200', uom: 'BX', price: '6.125', ack: ['IA', '200', 'BX'] }]);
const ok856 = (): string[][] => asn856('ASN-2', [{ po: 'P00077', items: [{ line: '1', qty: '120', uom: 'BX' }] }]);
const ok810 = (): string[][] => invoice810('INV-1', 'P00077', [{ line: '1', qty: '120', uom: 'BX', price: '6.125' }]);
/** `body` with segment `tag` (n-th, 0-based) changed by `edit`, or removed when `edit` returns null. */
const edit = (body: string[][], tag: string, fn: (s: string[]) => string[] | null, n = 0): string[][] => {
  let seen = -1;
  return body.flatMap((s) => (s[0] === tag && ++seen === n ? (fn([...s]) ? [fn([...s])!] : []) : [s]));
};
const set = (s: string[], i: number, v: string): string[] => ((s[i] = v), s);

interface Expected997 {
  /** AK3: segment id and AK304. */
  ak3?: [string, string];
  /** AK4: element position and AK403. */
  ak4?: [number, string];
  /** AK5 codes after R (default 5). */
  ak5?: string[];
  /** AK9 codes after the counts (group errors). */
  ak9?: string[];
}
type Malformed = [name: string, text: () => string, expected: Expected997 | { ta1: string }];

const doc = (code: string, body: string[][]) => () => supplierDoc('000000600', code, body);
const malformed: Malformed[] = [
  ['855 without BAK', doc('855', ok855().slice(1)), { ak3: ['BAK', '3'] }],
  [
    '855 for a PO never sent',
    doc(
      '855',
      edit(ok855(), 'BAK', (s) => set(s, 3, 'P09999')),
    ),
    { ak3: ['BAK', '8'], ak4: [3, '7'] },
  ],
  [
    '855 BAK02 not an acknowledgment type',
    doc(
      '855',
      edit(ok855(), 'BAK', (s) => set(s, 2, 'ZZ')),
    ),
    { ak3: ['BAK', '8'], ak4: [2, '7'] },
  ],
  [
    '855 BAK04 impossible date',
    doc(
      '855',
      edit(ok855(), 'BAK', (s) => set(s, 4, '20261331')),
    ),
    { ak3: ['BAK', '8'], ak4: [4, '8'] },
  ],
  [
    '855 PO101 line number missing',
    doc(
      '855',
      edit(ok855(), 'PO1', (s) => set(s, 1, '')),
    ),
    { ak3: ['PO1', '8'], ak4: [1, '1'] },
  ],
  [
    '855 PO102 not a number',
    doc(
      '855',
      edit(ok855(), 'PO1', (s) => set(s, 2, '2OO')),
    ),
    { ak3: ['PO1', '8'], ak4: [2, '6'] },
  ],
  [
    '855 ACK01 unknown status',
    doc(
      '855',
      edit(ok855(), 'ACK', (s) => set(s, 1, 'XX')),
    ),
    { ak3: ['ACK', '8'], ak4: [1, '7'] },
  ],
  ['855 ACK before any PO1', doc('855', [ok855()[0]!, ['ACK', 'IA', '1', 'EA'], ...ok855().slice(1)]), { ak3: ['ACK', '7'] }],
  [
    '855 ACK04 date qualifier without the date',
    doc(
      '855',
      edit(ok855(), 'ACK', (s) => [...s, '068']),
    ),
    { ak3: ['ACK', '8'], ak4: [5, '2'] },
  ],
  [
    '855 CTT01 wrong line count',
    doc(
      '855',
      edit(ok855(), 'CTT', (s) => set(s, 1, '3')),
    ),
    { ak3: ['CTT', '8'], ak4: [1, '7'] },
  ],
  [
    '855 with an 856 segment in it',
    doc('855', [...ok855().slice(0, 1), ['BSN', '00', 'X', '20261120', '1200'], ...ok855().slice(1)]),
    { ak3: ['BSN', '2'] },
  ],
  [
    '855 with a line number twice',
    doc(
      '855',
      ack855(
        'P00077',
        [1, 2].map(() => ({ line: '1', qty: '1', uom: 'BX', price: '6.125', ack: ['IA', '1', 'BX'] as [string, string, string] })),
      ),
    ),
    { ak3: ['PO1', '8'], ak4: [1, '7'] },
  ],
  ['856 without BSN', doc('856', ok856().slice(1)), { ak3: ['BSN', '3'] }],
  [
    '856 BSN03 impossible date',
    doc(
      '856',
      edit(ok856(), 'BSN', (s) => set(s, 3, '20260230')),
    ),
    { ak3: ['BSN', '8'], ak4: [3, '8'] },
  ],
  [
    '856 BSN04 not a time',
    doc(
      '856',
      edit(ok856(), 'BSN', (s) => set(s, 4, '2561')),
    ),
    { ak3: ['BSN', '8'], ak4: [4, '9'] },
  ],
  [
    '856 for a PO never sent',
    doc(
      '856',
      edit(ok856(), 'PRF', (s) => set(s, 1, 'P09999')),
    ),
    { ak3: ['PRF', '8'], ak4: [1, '7'] },
  ],
  [
    '856 whose first level is not the shipment',
    doc(
      '856',
      edit(ok856(), 'HL', (s) => set(s, 3, 'O')),
    ),
    { ak3: ['HL', '8'], ak4: [3, '7'] },
  ],
  [
    '856 HL under an unknown parent',
    doc(
      '856',
      edit(ok856(), 'HL', (s) => set(s, 2, '9'), 2),
    ),
    { ak3: ['HL', '8'], ak4: [2, '7'] },
  ],
  [
    '856 item without SN1',
    doc(
      '856',
      edit(ok856(), 'SN1', () => null),
    ),
    { ak3: ['SN1', '3'] },
  ],
  [
    '856 SN102 zero',
    doc(
      '856',
      edit(ok856(), 'SN1', (s) => set(s, 2, '0')),
    ),
    { ak3: ['SN1', '8'], ak4: [2, '7'] },
  ],
  [
    '856 CTT01 not the HL count',
    doc(
      '856',
      edit(ok856(), 'CTT', (s) => set(s, 1, '7')),
    ),
    { ak3: ['CTT', '8'], ak4: [1, '7'] },
  ],
  [
    '856 LIN in the order level',
    doc(
      '856',
      edit(ok856(), 'HL', () => null, 2),
    ),
    { ak3: ['LIN', '7'] },
  ],
  [
    '810 for a PO never sent',
    doc(
      '810',
      edit(ok810(), 'BIG', (s) => set(s, 4, 'P09999')),
    ),
    { ak3: ['BIG', '8'], ak4: [4, '7'] },
  ],
  [
    '810 BIG01 invoice date missing',
    doc(
      '810',
      edit(ok810(), 'BIG', (s) => set(s, 1, '')),
    ),
    { ak3: ['BIG', '8'], ak4: [1, '1'] },
  ],
  [
    '810 IT104 unit price missing',
    doc(
      '810',
      edit(ok810(), 'IT1', (s) => set(s, 4, '')),
    ),
    { ak3: ['IT1', '8'], ak4: [4, '1'] },
  ],
  [
    '810 IT103 unit missing',
    doc(
      '810',
      edit(ok810(), 'IT1', (s) => set(s, 3, '')),
    ),
    { ak3: ['IT1', '8'], ak4: [3, '1'] },
  ],
  [
    '810 without TDS',
    doc(
      '810',
      edit(ok810(), 'TDS', () => null),
    ),
    { ak3: ['TDS', '3'] },
  ],
  [
    '810 TDS that does not add up',
    doc(
      '810',
      edit(ok810(), 'TDS', (s) => set(s, 1, '99999')),
    ),
    { ak3: ['TDS', '8'], ak4: [1, '7'] },
  ],
  [
    '810 without IT1 lines',
    doc(
      '810',
      edit(
        edit(ok810(), 'IT1', () => null),
        'CTT',
        (s) => set(s, 1, '0'),
      ),
    ),
    { ak3: ['IT1', '3'] },
  ],
  [
    '810 SAC01 neither charge nor allowance',
    doc('810', [...ok810().slice(0, -2), ['SAC', 'X', 'D240', '', '', '100'], ...ok810().slice(-2)]),
    { ak3: ['SAC', '8'], ak4: [1, '7'] },
  ],
  ['855 with SE01 miscounted', () => supplierDoc('000000600', '855', ok855(), { se01: '40' }), { ak5: ['4'] }],
  [
    '856 in a group with the wrong version',
    () => supplierDoc('000000600', '856', ok856()).replace('*X*004010~', '*X*005010~'),
    { ak5: [], ak9: ['2'] },
  ],
  [
    'an 850 from the supplier (suppliers do not send us orders)',
    () =>
      render(
        supplierEnvelope('000000600', [{ functionalId: 'PO', gs06: '600', sets: [{ st02: '0001', segments: po850('X', NW_LINES) }] }]),
      ),
    { ak5: ['1'], ak9: ['1'] },
  ],
  [
    '855 addressed to someone else (ISA08)',
    () => supplierDoc('000000600', '855', ok855()).replace('ZZ*ODXDIST        ', 'ZZ*OTHERCO        '),
    { ta1: '008' },
  ],
  [
    '856 whose IEA02 differs from ISA13',
    () => supplierDoc('000000600', '856', ok856()).replace('IEA*1*000000600', 'IEA*1*000000601'),
    { ta1: '001' },
  ],
  ['810 cut off before IEA', () => supplierDoc('000000600', '810', ok810()).replace(/IEA\*1\*000000600~\n$/, ''), { ta1: '023' }],
];

for (const [name, text, expected] of malformed) {
  test(`malformed supplier document: ${name} is rejected with its ${'ta1' in expected ? `TA1 ${expected.ta1}` : '997'} and publishes nothing downstream`, () => {
    const { reading, plan: p } = plan(text());
    assert.deepEqual(
      events(p).filter((t) => t !== 'EdiDocumentReceived'),
      [],
      'no business event',
    );
    assert.deepEqual([p.supplierFacts.shipNotices, p.supplierFacts.vendorBills, p.orderFacts], [[], [], []], 'nothing kept');
    assert.equal(p.result.status, 'rejected');
    if ('ta1' in expected) {
      assert.ok(!reading.ok);
      const r = p.reply?.reply;
      assert.equal(r?.type, 'TA1');
      assert.equal(r.type === 'TA1' && r.noteCode, expected.ta1, p.result.errors.join('; '));
      return;
    }
    const ack = reply997(p);
    const detail = `${ack.join(' ')} | ${p.result.errors.join('; ')}`;
    if (expected.ak3)
      assert.ok(
        ack.some((s) => s.startsWith(`AK3*${expected.ak3![0]}*`) && s.endsWith(`*${expected.ak3![1]}`)),
        `AK3 ${expected.ak3.join(' ')}: ${detail}`,
      );
    if (expected.ak4)
      assert.ok(
        ack.some((s) => new RegExp(`^AK4\\*${expected.ak4![0]}\\*\\*${expected.ak4![1]}(\\*|$)`).test(s)),
        `AK4 ${expected.ak4.join(' ')}: ${detail}`,
      );
    const ak5 = ack.find((s) => s.startsWith('AK5'));
    assert.equal(ak5, ['AK5', 'R', ...(expected.ak5 ?? ['5'])].join('*'), detail);
    const ak9 = ack.find((s) => s.startsWith('AK9'))!;
    assert.equal(ak9, ['AK9', 'R', '1', '1', '0', ...(expected.ak9 ?? [])].join('*'), detail);
  });
}

test('at least 20 malformed supplier 855/856/810 cases', () => {
  assert.ok(malformed.length >= 20, `${malformed.length}`);
});
