import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PartnerDirectory } from '../../src/partners/partner-profile.js';
import { validate850 } from '../../src/x12/validate-850.js';
import { readInterchange } from '../../src/x12/read-interchange.js';
import {
  GLOBEX_STYLE,
  NW_LINES,
  globex850,
  globexEnvelope,
  loadSampleProfile,
  northwind850,
  northwindEnvelope,
  po850,
  render,
} from '../support/x12-samples.js';

const partners = new PartnerDirectory([loadSampleProfile('northwind'), loadSampleProfile('globex')]);
const read = (text: string | Buffer, expectedPartnerId: string | null = null, maxBytes = 1_000_000) =>
  readInterchange(Buffer.isBuffer(text) ? text : Buffer.from(text), partners, { expectedPartnerId, maxBytes });

test('a 004010 interchange with * ~ > and newlines after terminators reads, with the declared separators', () => {
  const r = read(northwind850('000000101', 'PO-1'));
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  assert.equal(r.partner.id, 'northwind');
  assert.deepEqual(r.isa.separators, { element: '*', segment: '~', component: '>', repetition: null });
  assert.equal(r.isa.controlNumber, '000000101');
  assert.equal(r.groups.length, 1);
  assert.equal(r.groups[0]!.sets[0]!.code, '850');
  assert.deepEqual(r.groups[0]!.sets[0]!.problems, []);
});

test('a 005010 interchange with | newline ^ reads, and its 850 validates', () => {
  const r = read(globex850('000000202', 'GX-PO-9'));
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  assert.equal(r.partner.id, 'globex');
  assert.deepEqual(r.isa.separators, { element: '|', segment: '\n', component: '^', repetition: '{' });
  const v = validate850(r.groups[0]!.sets[0]!.transaction, r.partner);
  assert.deepEqual(v.errors, []);
  assert.equal(v.po?.poNumber, 'GX-PO-9');
  assert.deepEqual(
    v.po?.lines.map((l) => [l.sku, l.quantity, l.uom, l.unitPrice]),
    [
      ['SKU-00006', '5.0000', 'EA', '3.250000'],
      ['SKU-00007', '1.0000', 'BOX', '40.000000'],
    ],
  );
});

test('several groups with several sets each are all read', () => {
  const text = render(
    northwindEnvelope('000000303', [
      {
        gs06: '31',
        sets: [
          { st02: '0001', segments: po850('A1', NW_LINES) },
          { st02: '0002', segments: po850('A2', NW_LINES) },
        ],
      },
      {
        gs06: '32',
        sets: [
          { st02: '0001', segments: po850('B1', NW_LINES) },
          { st02: '0002', segments: po850('B2', NW_LINES) },
          { st02: '0003', segments: po850('B3', NW_LINES) },
        ],
      },
    ]),
  );
  const r = read(text);
  assert.ok(r.ok);
  assert.deepEqual(
    r.groups.map((g) => [g.controlNumber, g.sets.map((s) => s.controlNumber)]),
    [
      ['31', ['0001', '0002']],
      ['32', ['0001', '0002', '0003']],
    ],
  );
  assert.ok(r.groups.every((g) => g.problems.length === 0 && g.sets.every((s) => s.problems.length === 0)));
});

test('a newline-terminated file without a final newline still reads', () => {
  const r = read(globex850('000000204', 'GX-1').replace(/\n$/, ''));
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
});

const envelopeCases: Array<[string, () => string | Buffer, string | null, string | null]> = [
  ['empty file', () => '', null, null],
  ['non-X12 bytes', () => Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x01, 0xff, 0xfe]), null, null],
  ['plain text', () => 'Dear supplier, please ship 10 widgets. '.repeat(5), null, '022'],
  ['truncated ISA', () => northwind850('000000101', 'PO-1').slice(0, 60), null, '023'],
  ['shifted ISA (short sender id field)', () => northwind850('000000101', 'PO-1').replace('NORTHWIND      ', 'NORTHWIND'), null, '022'],
  ['unknown sender', () => northwind850('000000101', 'PO-1').replace('NORTHWIND      ', 'SOMEONEELSE    '), null, '006'],
  ['wrong sender qualifier', () => northwind850('000000101', 'PO-1').replace('*ZZ*NORTHWIND', '*01*NORTHWIND'), null, '006'],
  ['wrong receiver', () => northwind850('000000101', 'PO-1').replace('ODXDIST        ', 'ACME           '), null, '008'],
  ['wrong receiver qualifier', () => northwind850('000000101', 'PO-1').replace('*ZZ*ODXDIST  ', '*12*ODXDIST  '), null, '007'],
  [
    'IEA02 does not match ISA13',
    () =>
      render({
        ...northwindEnvelope('000000101', [{ gs06: '1', sets: [{ st02: '0001', segments: po850('P', NW_LINES) }] }]),
        iea02: '000000999',
      }),
    null,
    '001',
  ],
  [
    'IEA01 wrong group count',
    () =>
      render({ ...northwindEnvelope('000000101', [{ gs06: '1', sets: [{ st02: '0001', segments: po850('P', NW_LINES) }] }]), iea01: '2' }),
    null,
    '021',
  ],
  [
    'IEA missing',
    () =>
      render({
        ...northwindEnvelope('000000101', [{ gs06: '1', sets: [{ st02: '0001', segments: po850('P', NW_LINES) }] }]),
        omitIea: true,
      }),
    null,
    '023',
  ],
  [
    'test indicator on a production partner',
    () =>
      render({ ...northwindEnvelope('000000101', [{ gs06: '1', sets: [{ st02: '0001', segments: po850('P', NW_LINES) }] }]), usage: 'T' }),
    null,
    '020',
  ],
  ['ISA13 not numeric', () => northwind850('00000010A', 'PO-1'), null, '018'],
  [
    'wrong GS sender',
    () => render(northwindEnvelope('000000101', [{ gs06: '1', gs02: 'OTHER', sets: [{ st02: '0001', segments: po850('P', NW_LINES) }] }])),
    null,
    '024',
  ],
  ['ends inside a segment', () => northwind850('000000101', 'PO-1').replace(/IEA\*1\*000000101~\n$/, 'IEA*1*0000'), null, '023'],
  ['two interchanges in one file', () => northwind850('000000101', 'PO-1') + northwind850('000000102', 'PO-2'), null, '022'],
  [
    '005010 version from a 004010 partner',
    () =>
      render({
        ...northwindEnvelope('000000101', [{ gs06: '1', sets: [{ st02: '0001', segments: po850('P', NW_LINES) }] }]),
        style: { ...GLOBEX_STYLE, element: '*', segment: '~', component: '>' },
      }),
    null,
    '017',
  ],
];

for (const [name, make, , ta1] of envelopeCases) {
  test(`envelope rejected: ${name}`, () => {
    const r = read(make(), 'northwind');
    assert.equal(r.ok, false, 'rejected');
    if (r.ok) return;
    assert.ok(r.problems.length > 0 && r.problems.every((p) => p.message.length > 0));
    if (ta1) assert.equal(r.ta1Code, ta1);
  });
}

test("an interchange from one partner on another partner's channel is rejected", () => {
  const r = read(globex850('000000205', 'GX-2'), 'northwind');
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.ta1Code, '006');
});

test('with no channel hint an unknown sender gets no TA1 (nobody to address it to)', () => {
  const r = read(northwind850('000000101', 'PO-1').replace('NORTHWIND      ', 'SOMEONEELSE    '));
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.ta1Code, null);
});

test('a document over the size limit is refused unread', () => {
  const r = read(
    northwind850(
      '000000101',
      'PO-1',
      Array.from({ length: 2_000 }, () => NW_LINES[0]!),
    ),
    'northwind',
    50_000,
  );
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.problems[0]!.message : '', /more than the 50000/);
});

test('group and set envelope problems are reported per group and set, not as a TA1', () => {
  const text = render(
    northwindEnvelope('000000404', [
      { gs06: '41', ge01: '3', sets: [{ st02: '0001', segments: po850('A', NW_LINES) }] },
      {
        gs06: '42',
        ge02: '99',
        sets: [
          { st02: '0001', segments: po850('B', NW_LINES), se01: '4' },
          { st02: '0002', segments: po850('C', NW_LINES), se02: '0009' },
          { st02: '0002', segments: po850('D', NW_LINES) },
        ],
      },
      { gs06: '43', functionalId: 'IN', sets: [{ code: '810', st02: '0001', segments: [['BIG', '20261120', 'INV1']] }] },
    ]),
  );
  const r = read(text);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  const [g1, g2, g3] = r.groups;
  assert.deepEqual(
    g1!.problems.map((p) => p.code),
    ['5'],
  );
  assert.deepEqual(
    g2!.problems.map((p) => p.code),
    ['4'],
  );
  assert.deepEqual(
    g2!.sets.map((s) => s.problems.map((p) => p.code)),
    [['4'], ['3'], ['23']],
  );
  assert.deepEqual(
    g3!.problems.map((p) => p.code),
    ['1'],
  );
  assert.deepEqual(
    g3!.sets[0]!.problems.map((p) => p.code),
    ['1'],
  );
});

test('a set without SE and a group without GE are reported', () => {
  const r = read(
    render(
      globexEnvelope('000000505', [{ gs06: '51', omitGe: true, sets: [{ st02: '0001', segments: po850('A', NW_LINES), omitSe: true }] }]),
    ),
  );
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  assert.ok(r.groups[0]!.problems.some((p) => p.code === '3'));
  assert.ok(r.groups[0]!.sets[0]!.problems.some((p) => p.code === '2'));
});
