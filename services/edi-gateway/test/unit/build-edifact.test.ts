import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import Reader, { type EdifactSegment } from 'edifact/reader.js';
import type { Invoice, Shipment } from '@odx/schemas';
import { sampleInvoice, samplePackage, sampleShipment, sampleShipmentLine } from '@odx/schemas/fixtures';
import { buildContrl } from '../../src/edifact/build-contrl.js';
import { buildEdifactInterchange } from '../../src/edifact/build-interchange.js';
import { buildDesadv } from '../../src/outbound/build-desadv.js';
import { buildInvoic } from '../../src/outbound/build-invoic.js';
import { parsePartnerProfile, PartnerProfileError, type PartnerProfile } from '../../src/partners/partner-profile.js';
import { isValidSscc } from '../../src/outbound/sscc.js';
import { loadSampleProfile } from '../support/x12-samples.js';

const base = loadSampleProfile('northwind');
const profile: PartnerProfile = { ...base, outbound: { ...base.outbound, standard: 'EDIFACT' } };
const order = { poNumber: 'PO-E1', poDate: new Date('2026-11-20T00:00:00Z'), lines: [] };
const at = new Date('2026-11-21T08:30:00Z');
const el = (s: EdifactSegment | undefined, i: number, k = 0): string => s?.elements[i]?.[k] ?? '';

function checkEnvelope(segs: EdifactSegment[], ref: number): EdifactSegment[] {
  assert.equal(segs[0]!.name, 'UNB');
  assert.equal(el(segs[0], 1), profile.edifact!.ourId);
  assert.equal(el(segs[0], 2), profile.edifact!.partnerId);
  assert.equal(el(segs[0], 4), String(ref));
  const unz = segs[segs.length - 1]!;
  assert.deepEqual([unz.name, el(unz, 0), el(unz, 1)], ['UNZ', '1', String(ref)]);
  const unt = segs[segs.length - 2]!;
  assert.equal(unt.name, 'UNT');
  assert.equal(el(unt, 0), String(segs.length - 2), 'UNT01 counts UNH to UNT');
  assert.equal(el(unt, 1), el(segs[1], 0), 'UNT02 = UNH01');
  return segs.slice(2, -2);
}

const text = fc.string({ minLength: 1, maxLength: 15, unit: fc.constantFrom(..."ABCxyz019 -?'+:*~|".split('')) });
const qty = fc.integer({ min: 1, max: 99_999 }).map((n) => `${Math.floor(n / 10)}.${String(n % 10)}000`);

test('property: every DESADV parses back with the edifact library: counts, references, SSCCs and escaped values', () => {
  const shipment: fc.Arbitrary<Shipment> = fc
    .array(fc.array(fc.record({ sku: text, qty }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 })
    .chain((packs) =>
      fc.record({ name: text, carrier: fc.option(text, { nil: null }) }).map((o) =>
        sampleShipment({
          name: o.name,
          carrierCode: o.carrier,
          packages: packs.map((contents, i) => ({
            ...samplePackage(),
            packageId: `P${i}`,
            sscc: null,
            contents: contents.map((c) => sampleShipmentLine({ sku: c.sku, quantity: c.qty, lineNumber: null })),
          })),
        }),
      ),
    );
  fc.assert(
    fc.property(shipment, fc.integer({ min: 1, max: 99_999_999 }), (s, ref) => {
      const segs = new Reader().parse(buildEdifactInterchange(profile, ref, buildDesadv(s, at, order, profile), at));
      const body = checkEnvelope(segs, ref);
      assert.equal(el(body[0], 1), s.name!.slice(0, 35), 'BGM keeps the shipment name, escaped and read back');
      const gins = body.filter((x) => x.name === 'GIN').map((x) => el(x, 1));
      assert.equal(gins.length, s.packages.length);
      assert.ok(gins.every(isValidSscc));
      const lins = body.filter((x) => x.name === 'LIN').map((x) => el(x, 2));
      assert.deepEqual(
        lins,
        s.packages.flatMap((p) => p.contents.map((c) => c.sku.slice(0, 35))),
      );
      assert.equal(
        el(
          body.find((x) => x.name === 'CNT'),
          0,
          1,
        ),
        String(lins.length),
      );
    }),
    { numRuns: 100 },
  );
});

test('property: every INVOIC parses back with consistent lines and totals', () => {
  const invoice: fc.Arbitrary<Invoice> = fc
    .record({
      lines: fc.array(fc.record({ sku: text, qty, description: text }), { minLength: 1, maxLength: 20 }),
      refund: fc.boolean(),
      name: text,
    })
    .map((i) => ({
      ...sampleInvoice(),
      name: i.name,
      moveType: i.refund ? 'out_refund' : 'out_invoice',
      lines: i.lines.map((l) => ({ ...sampleInvoice().lines[0]!, sku: l.sku, quantity: l.qty, description: l.description })),
    }));
  fc.assert(
    fc.property(invoice, fc.integer({ min: 1, max: 99_999_999 }), (inv, ref) => {
      const body = checkEnvelope(new Reader().parse(buildEdifactInterchange(profile, ref, buildInvoic(inv, order), at)), ref);
      assert.equal(el(body[0], 0), inv.moveType === 'out_refund' ? '381' : '380');
      assert.equal(body.filter((x) => x.name === 'LIN').length, inv.lines.length);
      assert.deepEqual(
        body.filter((x) => x.name === 'IMD').map((x) => el(x, 2, 3)),
        inv.lines.map((l) => l.description.slice(0, 35)),
      );
      assert.equal(
        el(
          body.find((x) => x.name === 'CNT'),
          0,
          1,
        ),
        String(inv.lines.length),
      );
    }),
    { numRuns: 100 },
  );
});

test('a CONTRL parses back and reports the interchange and each message', () => {
  const segs = new Reader().parse(
    buildContrl(
      profile,
      {
        ourRef: 7,
        theirRef: "R'1",
        theirSender: '4000000000001',
        theirRecipient: '4000000000002',
        accepted: false,
        messages: [{ reference: '1', type: 'ORDERS:D:96A:UN', accepted: false }],
      },
      at,
    ),
  );
  const body = checkEnvelope(segs, 7);
  assert.deepEqual(
    body.map((s) => s.name),
    ['UCI', 'UCM'],
  );
  assert.equal(el(body[0], 0), "R'1", 'an escaped reference reads back');
  assert.equal(el(body[0], 3), '4');
});

test('a profile sending EDIFACT must have EDIFACT ids', () => {
  const yaml = `id: acme\nname: A\nisa: { partnerQualifier: ZZ, partnerId: ACME, ourQualifier: ZZ, ourId: ODX }\ngs: { partnerId: ACME, ourId: ODX }\nversion: "004010"\nseparators: { element: "*", segment: "~", component: ">" }\ncustomer: { partyId: "7", name: A }\noutbound: { standard: EDIFACT }\n`;
  assert.throws(
    () => parsePartnerProfile(yaml, '/x/acme.yaml'),
    (err: unknown) => err instanceof PartnerProfileError && /edifact: required when outbound.standard is EDIFACT/.test(err.message),
  );
});
