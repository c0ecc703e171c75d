import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { X12Parser, type X12Interchange, type X12Segment } from 'node-x12';
import type { Invoice, InvoiceLine, Shipment, ShipmentLine, ShipmentPackage } from '@odx/schemas';
import { sampleEvent, sampleInvoice, samplePackage, sampleShipment, sampleShipmentLine } from '@odx/schemas/fixtures';
import { PartnerDirectory, type PartnerProfile } from '../../src/partners/partner-profile.js';
import { build810 } from '../../src/outbound/build-810.js';
import type { PartnerOrder } from '../../src/model/purchase-order.js';
import { build855 } from '../../src/outbound/build-855.js';
import { AsnDataError, build856 } from '../../src/outbound/build-856.js';
import { isValidSscc, ssccFor } from '../../src/outbound/sscc.js';
import { buildInterchange, buildTa1Interchange } from '../../src/x12/build-interchange.js';
import { build997 } from '../../src/x12/build-997.js';
import { readInterchange } from '../../src/x12/read-interchange.js';
import { loadSampleProfile } from '../support/x12-samples.js';
import { mirrorProfile } from '../support/mirror-profile.js';

const profiles = { northwind: loadSampleProfile('northwind'), globex: loadSampleProfile('globex') };
const at = new Date('2026-11-21T08:30:00Z');
const order: PartnerOrder = {
  poNumber: 'PO-77',
  poDate: new Date('2026-11-20T00:00:00Z'),
  lines: [
    {
      lineNumber: 1,
      buyerLineId: '1',
      sku: 'SKU-00001',
      quantity: '10.0000',
      partnerUom: 'EA',
      unitPrice: '12.500000',
      productIds: { UP: '012345000011', BP: 'NW-1' },
    },
  ],
};

/** Reads what we sent as the partner would: our own envelope checks with the roles swapped, plus node-x12 in strict mode. */
function readAsPartner(text: string, profile: PartnerProfile) {
  const strict = new X12Parser(true).parse(text) as X12Interchange;
  const r = readInterchange(Buffer.from(text), new PartnerDirectory([mirrorProfile(profile)]), { maxBytes: 10_000_000 });
  assert.ok(r.ok, `our envelope checks accept it: ${JSON.stringify(!r.ok && r.problems)}`);
  for (const g of r.groups) {
    assert.deepEqual(g.problems, []);
    for (const s of g.sets) assert.deepEqual(s.problems, []);
  }
  return { strict, reading: r };
}

const el = (s: X12Segment, n: number): string => s.elements[n - 1]?.value ?? '';

test('an 855 for a confirmed order reports each line status and parses back', () => {
  const e = sampleEvent('OrderConfirmed');
  e.order.lines = [{ ...e.order.lines[0]!, lineNumber: 1, sku: 'SKU-00001', quantity: '8.0000', unitPrice: '12.500000', uom: 'EA' }];
  const partnerOrder: PartnerOrder = {
    ...order,
    lines: [
      ...order.lines,
      {
        lineNumber: 2,
        buyerLineId: '2',
        sku: 'SKU-00004',
        quantity: '2.0000',
        partnerUom: 'CA',
        unitPrice: '99.990000',
        productIds: { BP: 'NW-4' },
      },
    ],
  };
  const text = buildInterchange(
    profiles.northwind,
    { interchange: 7, group: 7, sets: [7] },
    [build855(e, partnerOrder, profiles.northwind)],
    at,
  );
  const { strict } = readAsPartner(text, profiles.northwind);
  const segs = strict.functionalGroups[0]!.transactions[0]!.segments;
  assert.equal(el(segs[0]!, 3), 'PO-77');
  const acks = segs.filter((s) => s.tag === 'ACK').map((s) => [el(s, 1), el(s, 2)]);
  assert.deepEqual(
    acks,
    [
      ['IQ', '8'],
      ['IR', '0'],
    ],
    'line 1 quantity changed, line 2 not confirmed',
  );
  assert.equal(
    el(
      segs.find((s) => s.tag === 'CTT')!,
      1,
    ),
    '2',
  );
  assert.ok(text.includes('~\n'), 'northwind gets a newline after each terminator');
});

test('SSCC-18: a printed valid one is kept, otherwise one is made with a valid check digit', () => {
  assert.equal(ssccFor('P1', '006141410000000012', null), '006141410000000012');
  assert.ok(isValidSscc('006141410000000012') && !isValidSscc('006141410000000018'));
  assert.equal(ssccFor('P1', '006141410000000018', null), '006141410000000018', 'the label wins, even with a bad check digit');
  const made = ssccFor('P1', '123', '0614141');
  assert.ok(made && isValidSscc(made) && made.startsWith('00614141'));
  assert.equal(ssccFor('P1', '123', '0614141'), made, 'stable for a package');
  assert.equal(ssccFor('P1', null, null), null);
});

test('an ASN without packages, or with packages of unknown content, is refused', () => {
  assert.throws(() => build856(sampleShipment({ packages: [] }), at, order, profiles.northwind), AsnDataError);
  const two = sampleShipment({
    packages: [
      { ...samplePackage(), contents: [] },
      { ...samplePackage(), packageId: 'P2', contents: [] },
    ],
  });
  assert.throws(() => build856(two, at, order, profiles.northwind), AsnDataError);
});

test('a TA1 and a 997 parse back with node-x12', () => {
  const ta1 = buildTa1Interchange(profiles.globex, 12, { controlNumber: '000000101', date: '261120', time: '1015' }, false, '025', at);
  assert.match(ta1, /\nTA1\|000000101\|261120\|1015\|R\|025\n/);
  const p = new X12Parser(false).parse(ta1) as X12Interchange;
  assert.equal(p.trailer.valueOf(1), '0');
  const ack = build997(
    { functionalId: 'PO', controlNumber: '41', version: '005010', problems: [] },
    [
      { code: '850', controlNumber: '0001', setCodes: [], segmentErrors: [] },
      {
        code: '850',
        controlNumber: '0002',
        setCodes: [],
        segmentErrors: [
          { segmentId: 'PO1', position: 5, loopId: 'PO1', code: '8', elements: [{ position: 2, code: '6', value: '1*O' }], message: 'x' },
        ],
      },
    ],
    '005010',
  );
  const text = buildInterchange(profiles.globex, { interchange: 13, group: 13, sets: [13] }, [ack], at);
  const { strict } = readAsPartner(text, profiles.globex);
  const segs = strict.functionalGroups[0]!.transactions[0]!.segments.map((s) => [s.tag, ...s.elements.map((e) => e.value)].join('|'));
  assert.deepEqual(segs, [
    'AK1|PO|41|005010',
    'AK2|850|0001',
    'AK5|A',
    'AK2|850|0002',
    'AK3|PO1|5|PO1|8',
    'AK4|2||6|1O',
    'AK5|R|5',
    'AK9|P|2|2|1',
  ]);
});

// ---- property tests: every 856 and 810 we write parses back with consistent counts and control numbers ----

const text = fc.string({ minLength: 1, maxLength: 20, unit: fc.constantFrom(...'ABCxyz019 -*~|^>{}\n'.split('')) });
const qty = fc.integer({ min: 1, max: 99_999 }).map((n) => `${Math.floor(n / 10)}.${String(n % 10)}000`);
const money = fc.integer({ min: 0, max: 9_999_999 }).map((n) => `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}00`);
const control = fc.record({
  interchange: fc.integer({ min: 1, max: 999_999_999 }),
  group: fc.integer({ min: 1, max: 999_999_999 }),
  st: fc.integer({ min: 1, max: 999_999_999 }),
});
const profileArb = fc.constantFrom(profiles.northwind, profiles.globex);

const lineArb: fc.Arbitrary<ShipmentLine> = fc
  .record({ sku: text, qty, lot: fc.option(text, { nil: null }), lineNumber: fc.option(fc.integer({ min: 1, max: 999 }), { nil: null }) })
  .map((l) => sampleShipmentLine({ sku: l.sku, quantity: l.qty, lotNumber: l.lot, lineNumber: l.lineNumber }));
const packageArb: fc.Arbitrary<ShipmentPackage> = fc
  .record({
    id: text,
    contents: fc.array(lineArb, { minLength: 1, maxLength: 5 }),
    tracking: fc.option(text, { nil: null }),
    printed: fc.boolean(),
  })
  .map((p) => ({
    ...samplePackage(),
    packageId: p.id,
    sscc: p.printed ? '006141410000000012' : null,
    trackingNumber: p.tracking,
    contents: p.contents,
  }));
const shipmentArb: fc.Arbitrary<Shipment> = fc
  .record({
    packages: fc.array(packageArb, { minLength: 1, maxLength: 8 }),
    carrier: fc.option(text, { nil: null }),
    tracking: fc.option(text, { nil: null }),
    name: text,
  })
  .map((s) => sampleShipment({ name: s.name, packages: s.packages, carrierCode: s.carrier, trackingNumber: s.tracking }));

function checkEnvelope(strict: X12Interchange, c: { interchange: number; group: number; st: number }): X12Segment[] {
  assert.equal(Number(strict.header.valueOf(13)), c.interchange);
  assert.equal(Number(strict.trailer.valueOf(2)), c.interchange);
  assert.equal(strict.trailer.valueOf(1), '1');
  const g = strict.functionalGroups[0]!;
  assert.equal(g.header.valueOf(6), String(c.group));
  assert.equal(g.trailer.valueOf(2), String(c.group));
  assert.equal(g.trailer.valueOf(1), '1');
  const t = g.transactions[0]!;
  assert.equal(Number(t.header.valueOf(2)), c.st);
  assert.equal(t.trailer.valueOf(2), t.header.valueOf(2));
  assert.equal(Number(t.trailer.valueOf(1)), t.segments.length + 2);
  return t.segments;
}

test('property: every 856 parses back with consistent HL tree, counts, SSCCs and control numbers', () => {
  fc.assert(
    fc.property(shipmentArb, control, profileArb, (generated, c, profile) => {
      // Without a GS1 prefix in the profile only printed SSCCs can be sent.
      const s = profile.outbound.gs1CompanyPrefix
        ? generated
        : { ...generated, packages: generated.packages.map((p) => ({ ...p, sscc: p.sscc ?? '006141410000000012' })) };
      const body = build856(s, at, order, profile, null);
      const edi = buildInterchange(profile, { interchange: c.interchange, group: c.group, sets: [c.st] }, [body], at);
      const { strict } = readAsPartner(edi, profile);
      const segs = checkEnvelope(strict, c);
      const hls = segs.filter((x) => x.tag === 'HL');
      assert.equal(
        el(
          segs.find((x) => x.tag === 'CTT')!,
          1,
        ),
        String(hls.length),
      );
      const ids = new Set<string>();
      hls.forEach((h, i) => {
        assert.equal(el(h, 1), String(i + 1));
        if (i > 0) assert.ok(ids.has(el(h, 2)), 'parent HL precedes');
        ids.add(el(h, 1));
      });
      assert.deepEqual([...new Set(hls.map((h) => el(h, 3)))], ['S', 'O', 'P', 'I']);
      assert.equal(hls.filter((h) => el(h, 3) === 'P').length, s.packages.length);
      assert.equal(
        hls.filter((h) => el(h, 3) === 'I').length,
        s.packages.reduce((n, p) => n + p.contents.length, 0),
      );
      const ssccs = segs.filter((x) => x.tag === 'MAN' && el(x, 1) === 'GM').map((x) => el(x, 2));
      assert.equal(ssccs.length, s.packages.length);
      assert.ok(ssccs.every(isValidSscc));
    }),
    { numRuns: 150 },
  );
});

const invoiceLineArb: fc.Arbitrary<InvoiceLine> = fc
  .record({ sku: fc.option(text, { nil: null }), qty, price: money, description: text })
  .map((l) => ({
    ...sampleInvoice().lines[0]!,
    sku: l.sku,
    quantity: l.qty,
    unitPrice: `${l.price}00`,
    description: l.description,
    lineNumber: null,
  }));
const invoiceArb: fc.Arbitrary<Invoice> = fc
  .record({ lines: fc.array(invoiceLineArb, { minLength: 1, maxLength: 30 }), total: money, name: text, refund: fc.boolean() })
  .map((i) => ({
    ...sampleInvoice(),
    lines: i.lines,
    amountTotal: i.total,
    name: i.name,
    moveType: i.refund ? 'out_refund' : 'out_invoice',
  }));

test('property: every 810 parses back with consistent line count, total and control numbers', () => {
  fc.assert(
    fc.property(invoiceArb, control, profileArb, (inv, c, profile) => {
      const edi = buildInterchange(
        profile,
        { interchange: c.interchange, group: c.group, sets: [c.st] },
        [build810(inv, order, profile)],
        at,
      );
      const { strict } = readAsPartner(edi, profile);
      const segs = checkEnvelope(strict, c);
      assert.equal(segs.filter((x) => x.tag === 'IT1').length, inv.lines.length);
      assert.equal(
        el(
          segs.find((x) => x.tag === 'CTT')!,
          1,
        ),
        String(inv.lines.length),
      );
      const [int, frac] = inv.amountTotal.split('.') as [string, string];
      assert.equal(
        BigInt(
          el(
            segs.find((x) => x.tag === 'TDS')!,
            1,
          ),
        ),
        BigInt(`${int}${frac.slice(0, 2)}`),
      );
      assert.equal(el(segs[0]!, 7), inv.moveType === 'out_refund' ? 'CR' : 'DI');
    }),
    { numRuns: 150 },
  );
});
