import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha256Hex, type ReceivedFile } from '../../src/inbound/audit-records.js';
import { planAcceptedCommit, planRejectedCommit, type PlanContext } from '../../src/inbound/commit-plan.js';
import type { InboundReading, ParsedInterchange } from '../../src/inbound/parsed-interchange.js';
import { parseEdifactInterchange } from '../../src/inbound/parse-edifact-interchange.js';
import { parseX12Interchange } from '../../src/inbound/parse-x12-interchange.js';
import { PartnerDirectory } from '../../src/partners/partner-profile.js';
import { loadSampleProfile, northwind850, northwindOrders } from '../support/x12-samples.js';

const partners = new PartnerDirectory([loadSampleProfile('northwind'), loadSampleProfile('globex')]);
const options = { partners, expectedPartnerId: 'northwind', maxBytes: 1_000_000 };
const context = (text: string): PlanContext => {
  const bytes = Buffer.from(text);
  const file: ReceivedFile = {
    bytes,
    sha256: sha256Hex(bytes),
    source: { transport: 'folder', fileName: 'po.edi', expectedPartnerId: 'northwind' },
    receivedAt: new Date('2026-11-20T10:15:00Z'),
  };
  return { file, company: 'acme', topics: { orders: 'orders', edi: 'edi', purchasing: 'purchasing' } };
};
const parsed = (reading: InboundReading): ParsedInterchange => {
  assert.ok(reading.ok, JSON.stringify(!reading.ok && reading.rejected.problems));
  return reading.interchange;
};

test('an 850 and an EDIFACT ORDERS of the same order plan the same commit: records, events, order facts, reply, claim', () => {
  const x12Text = northwind850('000000123', 'PO-SAME');
  const edifactText = northwindOrders('EF123', 'PO-SAME');
  const x12 = planAcceptedCommit({ ...context(x12Text), interchange: parsed(parseX12Interchange(Buffer.from(x12Text), options)) });
  const edifact = planAcceptedCommit({
    ...context(edifactText),
    interchange: parsed(parseEdifactInterchange(Buffer.from(edifactText), options)),
  });

  for (const [plan, text, standard, [interchange, envelope], [doc, type], reply, claim] of [
    [
      x12,
      x12Text,
      'X12',
      ['in:northwind:000000123', 'ISA'],
      ['in:northwind:000000123:123:0001', '850'],
      'out:northwind:997:000000123',
      '000000123',
    ],
    [
      edifact,
      edifactText,
      'EDIFACT',
      ['in:northwind:UNB:EF123', 'UNB'],
      ['in:northwind:UNB:EF123:1', 'ORDERS'],
      'out:northwind:CONTRL:EF123',
      'UNB:EF123',
    ],
  ] as const) {
    assert.deepEqual(
      plan.records.map((r) => [r.record._id, r.record.type, r.record.standard, r.record.status, r.events.map((e) => e.eventType)]),
      [
        [interchange, envelope, standard, 'accepted', []],
        [doc, type, standard, 'accepted', ['OrderReceived', 'EdiDocumentReceived']],
      ],
    );
    assert.equal(plan.records[1]!.record.businessObjectId, 'odx:edi:northwind:PO-SAME');
    assert.ok(
      plan.records.every((r) => r.record.ackDocumentId === reply),
      'every record names the reply',
    );
    assert.equal(plan.reply?.documentId, reply);
    assert.deepEqual(plan.claim, {
      partnerId: 'northwind',
      key: claim,
      attempt: 1,
      sha256: context(text).file.sha256,
      outcome: 'accepted',
    });
    assert.deepEqual(
      plan.result.documents.map((d) => d.status),
      ['accepted'],
    );
    assert.equal(plan.result.status, 'accepted');
  }
  // The same business content, whichever standard carried it.
  const lines = (p: typeof x12) =>
    p.orderFacts.map((f) => [f._id, f.poNumber, f.lines.map((l) => [l.buyerLineId, l.sku, l.quantity, l.unitPrice])]);
  assert.deepEqual(lines(edifact), lines(x12));
  const ordered = (p: typeof x12) =>
    p.records[1]!.events.flatMap((e) =>
      e.eventType === 'OrderReceived' ? [e.payload.order.lines.map((l) => [l.sku, l.quantity, l.uom, l.unitPrice])] : [],
    );
  assert.deepEqual(ordered(edifact), ordered(x12));
});

test('a refused interchange plans one rejected record with its event and the reply, and no claim to finish', () => {
  const text = northwind850('000000124', 'PO-X').replace('*ZZ*NORTHWIND', '*01*NORTHWIND');
  const reading = parseX12Interchange(Buffer.from(text), options);
  assert.ok(!reading.ok);
  const plan = planRejectedCommit({ ...context(text), rejected: reading.rejected, idKey: 'abc' });
  assert.deepEqual(
    plan.records.map((r) => [r.record._id, r.record.type, r.record.status, r.events.map((e) => e.eventType)]),
    [['in:northwind:rejected:abc', 'ISA', 'rejected', ['EdiDocumentReceived']]],
  );
  assert.equal(plan.reply?.documentId, 'out:northwind:TA1:abc');
  assert.equal(plan.reply?.reply.type, 'TA1');
  assert.equal(plan.claim, null);
  assert.deepEqual(
    [plan.orderFacts, plan.acknowledgments, plan.supplierFacts.shipNotices, plan.supplierFacts.vendorBills],
    [[], [], [], []],
  );
  assert.match(plan.result.errors[0]!, /no partner profile sends as ISA 01\/NORTHWIND/);
});
