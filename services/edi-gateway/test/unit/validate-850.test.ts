import assert from 'node:assert/strict';
import { test } from 'node:test';
import { X12Parser, type X12Interchange } from 'node-x12';
import { validate850 } from '../../src/x12/validate-850.js';
import { mapPurchaseOrder } from '../../src/mapping/map-purchase-order.js';
import { NW_LINES, loadSampleProfile, northwindEnvelope, po850, render, type PoLine } from '../support/x12-samples.js';

const nw = loadSampleProfile('northwind');
const tx = (segments: string[][]) => {
  const text = render(northwindEnvelope('000000001', [{ gs06: '1', sets: [{ st02: '0001', segments }] }]));
  return (new X12Parser(false).parse(text) as X12Interchange).functionalGroups[0]!.transactions[0]!;
};

test('a valid 850 maps to OrderReceived through the profile (items, units, ship-to, totals)', () => {
  const v = validate850(tx(po850('PO-77', NW_LINES)), nw);
  assert.deepEqual(v.errors, []);
  const e = mapPurchaseOrder(v.po!, { profile: nw, documentId: 'doc-1', company: 'acme', receivedAt: new Date('2026-11-20T10:00:00Z') });
  assert.equal(e.order.orderId, 'odx:edi:northwind:PO-77');
  assert.equal(e.order.clientOrderRef, 'PO-77');
  assert.equal(e.order.channel, 'edi');
  assert.equal(e.order.customer.ref, 'C00001');
  assert.equal(e.order.customer.ediPartnerId, 'northwind');
  assert.equal(e.order.shipTo.city, 'Reno');
  assert.equal(e.order.shipTo.locationCode, '0007');
  assert.deepEqual(
    e.order.lines.map((l) => [l.lineNumber, l.sku, l.quantity, l.uom, l.unitPrice, l.subtotal, l.customerItemCode, l.gtin]),
    [
      [1, 'SKU-00001', '10.0000', 'EA', '12.500000', '125.0000', 'NW-1', '012345000011'],
      [2, 'SKU-00004', '2.0000', 'CS', '99.990000', '199.9800', 'NW-4', null],
    ],
  );
  assert.equal(e.order.amountTotal, '324.9800');
  assert.equal(e.order.requestedDeliveryDate?.toISOString(), '2026-12-01T00:00:00.000Z');
  assert.equal(e.sourceDocumentId, 'doc-1');
  const again = mapPurchaseOrder(v.po!, { profile: nw, documentId: 'doc-1', company: 'acme', receivedAt: new Date() });
  assert.equal(again.meta.eventId, e.meta.eventId, 'the same document gives the same event id');
});

const line = (over: Partial<PoLine>): PoLine => ({ ...NW_LINES[0]!, ...over });
const cases: Array<[string, string[][], { segment: string; ak304: string; element?: number; ak403?: string }]> = [
  ['BEG missing', po850('P', NW_LINES).slice(1), { segment: 'BEG', ak304: '3' }],
  ['BEG03 (PO number) missing', po850('', NW_LINES), { segment: 'BEG', ak304: '8', element: 3, ak403: '1' }],
  [
    'BEG01 invalid code',
    [['BEG', '99', 'SA', 'P', '', '20261120'], ...po850('P', NW_LINES).slice(1)],
    { segment: 'BEG', ak304: '8', element: 1, ak403: '7' },
  ],
  ['BEG05 impossible date', po850('P', NW_LINES, { date: '20260231' }), { segment: 'BEG', ak304: '8', element: 5, ak403: '8' }],
  ['no PO1 line', po850('P', [], { cttCount: 0 }), { segment: 'PO1', ak304: '3' }],
  ['PO102 quantity missing', po850('P', [line({ qty: '' })]), { segment: 'PO1', ak304: '8', element: 2, ak403: '1' }],
  ['PO102 not a number', po850('P', [line({ qty: '1O' })]), { segment: 'PO1', ak304: '8', element: 2, ak403: '6' }],
  ['PO102 zero', po850('P', [line({ qty: '0' })]), { segment: 'PO1', ak304: '8', element: 2, ak403: '7' }],
  ['PO103 unit missing', po850('P', [line({ uom: '' })]), { segment: 'PO1', ak304: '8', element: 3, ak403: '1' }],
  ['PO104 price not a number', po850('P', [line({ price: '12,50' })]), { segment: 'PO1', ak304: '8', element: 4, ak403: '6' }],
  [
    'wrong product id qualifier',
    po850('P', [line({ ids: [['XX', '012345000011']] })]),
    { segment: 'PO1', ak304: '8', element: 6, ak403: '7' },
  ],
  ['qualifier without an id', po850('P', [line({ ids: [['UP', '']] })]), { segment: 'PO1', ak304: '8', element: 7, ak403: '2' }],
  [
    'item not in the profile',
    po850('P', [line({ ids: [['UP', '999999999999']] })]),
    { segment: 'PO1', ak304: '8', element: 7, ak403: '7' },
  ],
  ['CTT count wrong', po850('P', NW_LINES, { cttCount: 5 }), { segment: 'CTT', ak304: '8', element: 1, ak403: '7' }],
  [
    'segment not in an 850',
    [...po850('P', NW_LINES).slice(0, 2), ['BSN', '00', 'X'], ...po850('P', NW_LINES).slice(2)],
    { segment: 'BSN', ak304: '2' },
  ],
  [
    'N4 country not a code',
    [...po850('P', NW_LINES).slice(0, 3), ['N4', 'Reno', 'NV', '89502', 'usa!'], ...po850('P', NW_LINES).slice(3)],
    { segment: 'N4', ak304: '8', element: 4, ak403: '7' },
  ],
];

for (const [name, segments, expected] of cases) {
  test(`850 segment rule: ${name}`, () => {
    const v = validate850(tx(segments), nw);
    assert.equal(v.po, null);
    const e = v.errors.find((x) => x.segmentId === expected.segment);
    assert.ok(e, `an error on ${expected.segment}: ${JSON.stringify(v.errors)}`);
    assert.equal(e.code, expected.ak304);
    assert.ok(e.position >= 2);
    if (expected.element !== undefined)
      assert.ok(
        e.elements.some((x) => x.position === expected.element && x.code === expected.ak403),
        JSON.stringify(e.elements),
      );
  });
}

test('a partner that does not require item mappings passes its own id on as the SKU', () => {
  const gx = loadSampleProfile('globex');
  const v = validate850(tx(po850('P', [line({ ids: [['BP', 'UNMAPPED-1']] })])), gx);
  assert.deepEqual(v.errors, []);
  assert.equal(v.po?.lines[0]?.sku, 'UNMAPPED-1');
});

test('item, unit and ship-to codes named like Object.prototype members are not found on it', () => {
  for (const code of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    const lines: PoLine[] = [{ qty: '1', uom: code, price: '1', ids: [['BP', code]] }];
    const v = validate850(tx(po850(`PO-${code}`, lines, { shipTo: code })), nw);
    assert.equal(v.po, null, code);
    assert.match(v.errors.map((e) => JSON.stringify(e)).join(' '), /not in the partner profile|mapping|unit|item/i, code);
  }
});
