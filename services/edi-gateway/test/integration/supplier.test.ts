import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { X12Parser, type X12Interchange } from 'node-x12';
import { outgoingEvent } from '@odx/runtime';
import { payloadsOf } from '@odx/runtime/testing';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import { ack855, SUPPLIER, supplierDoc, supplierPo } from '../support/supplier-samples.js';
import { eventually, startGateway, type RunningGateway } from '../support/gateway-kit.js';

const parse = (text: string): X12Interchange => new X12Parser(true).parse(text) as X12Interchange;
const segments = (text: string): string[] =>
  parse(text).functionalGroups.flatMap((g) =>
    g.transactions.flatMap((t) => t.segments.map((s) => [s.tag, ...s.elements.map((e) => e.value)].join('*'))),
  );

/** Publishes PurchaseOrderConfirmed for `po` (with `eventId`) on the gateway's purchasing topic. */
async function confirm(gw: RunningGateway, po: ReturnType<typeof supplierPo>, eventId = randomUUID()): Promise<void> {
  const payload = sampleEvent('PurchaseOrderConfirmed', { meta: sampleMeta({ eventId, source: 'odoo' }), purchaseOrder: po });
  await gw.publish([outgoingEvent('PurchaseOrderConfirmed', po.purchaseOrderId, payload, { topic: gw.topics.purchasing })]);
}

const outbound = (gw: RunningGateway, type: string): string[] =>
  gw
    .files(SUPPLIER, 'outbound')
    .filter((f) => f.startsWith(`${type}-`))
    .map((f) => gw.read(SUPPLIER, 'outbound', f));

test("a confirmed PO to an EDI supplier becomes one 850 in its folder (redelivered or not), the supplier's 997 settles it; other vendors' POs send nothing", async (t) => {
  const gw = await startGateway(t);
  const name = `P${randomUUID().slice(0, 6)}`;
  const po = supplierPo(name, `po-${name}`);
  const eventId = randomUUID();
  await confirm(gw, po, eventId);
  await confirm(gw, po, eventId); // redelivered
  await confirm(gw, { ...supplierPo(`Q${name}`, `po-q-${name}`), vendor: { ...po.vendor, partyId: '4242', ref: 'V00002' } });

  const [x850] = await eventually(() => (outbound(gw, '850').length > 0 ? outbound(gw, '850') : undefined), 30_000, '850 written');
  const body = segments(x850!);
  assert.equal(body[0], `BEG*00*SA*${name}**${po.orderDate.toISOString().slice(0, 10).replace(/-/g, '')}`);
  assert.ok(body.includes('PO1*1*200*BX*6.125*PE*VP*FS-933-0850*BP*BOLT-M8-50'), body.join(' '));
  assert.equal(parse(x850!).header.valueOf(8)?.trim(), 'MIDWESTFAST');

  // The supplier acknowledges our group with a 997.
  const group = parse(x850!).functionalGroups[0]!;
  const gs06 = group.header.valueOf(6)!;
  const st02 = group.transactions[0]!.header.valueOf(2)!;
  gw.drop(
    SUPPLIER,
    '997.edi',
    supplierDoc('000000901', '997', [
      ['AK1', 'PO', gs06],
      ['AK2', '850', st02],
      ['AK5', 'A'],
      ['AK9', 'A', '1', '1', '1'],
    ]),
  );
  const docId = `out:${SUPPLIER}:850:purchase_order:${po.purchaseOrderId}`;
  const rec = await eventually(
    async () => {
      const r = await gw.gateway.documents.get(docId);
      return r?.status === 'acknowledged' ? r : undefined;
    },
    30_000,
    '850 acknowledged',
  );
  assert.equal(rec.businessRef, name);
  assert.ok(rec.ackDueAt, 'a 997 was expected within the window');

  const sent = payloadsOf(await gw.collect(gw.topics.documents, 2), 'EdiDocumentSent').filter((p) => p.document.transactionSet === '850');
  assert.equal(sent.length, 1, 'one 850 announced');
  assert.equal(outbound(gw, '850').length, 1, 'one 850 despite the redelivery; none for the other vendor');
  assert.deepEqual(gw.files('northwind', 'outbound'), []);
});

test('an 855 rejecting a line publishes PurchaseOrderAcknowledged with that line rejected, once for the same interchange twice; a malformed 855 publishes nothing', async (t) => {
  const gw = await startGateway(t);
  const name = `P${randomUUID().slice(0, 6)}`;
  const po = supplierPo(name, `po-${name}`);
  await confirm(gw, po);
  await eventually(() => (outbound(gw, '850').length === 1 ? true : undefined), 30_000, '850 sent (the PO is known)');

  const isa13 = String(Math.floor(Math.random() * 1e8) + 1e8).padStart(9, '0');
  const ack = supplierDoc(
    isa13,
    '855',
    ack855(name, [
      { line: '1', qty: '200', uom: 'BX', price: '6.125', ack: ['IA', '200', 'BX'] },
      { line: '2', qty: '10', uom: 'BG', price: '3.4', ack: ['IR', '0', 'BG'] },
    ]),
  );
  gw.drop(SUPPLIER, '855-a.edi', ack);
  await eventually(() => (gw.files(SUPPLIER, 'archive').length === 1 ? true : undefined), 30_000, 'first 855 processed');
  gw.drop(SUPPLIER, '855-b.edi', ack); // the same interchange again
  const bad = supplierDoc(
    String(Number(isa13) + 1).padStart(9, '0'),
    '855',
    ack855('P-NEVER-SENT', [{ line: '1', qty: '1', uom: 'BX', price: '1', ack: ['IA', '1', 'BX'] }]),
  );
  gw.drop(SUPPLIER, '855-c.edi', bad);
  await eventually(
    () =>
      gw.files(SUPPLIER, 'archive').length + gw.files(SUPPLIER, 'error').length === 3 && gw.files(SUPPLIER, 'inbound').length === 0
        ? true
        : undefined,
    30_000,
    'three files processed',
  );
  assert.deepEqual(gw.files(SUPPLIER, 'error').length, 2, 'the repeat and the malformed one go to error');

  // Exact counts: the purchasing topic holds our PurchaseOrderConfirmed and one acknowledgment.
  await eventually(async () => ((await gw.messageCount(gw.topics.purchasing)) >= 2 ? true : undefined), 20_000, 'acknowledgment published');
  const onTopic = await gw.collect(gw.topics.purchasing, 2);
  const acks = payloadsOf(onTopic, 'PurchaseOrderAcknowledged');
  assert.equal(acks.length, 1, `one PurchaseOrderAcknowledged: ${JSON.stringify(onTopic.map((e) => e.eventType))}`);
  assert.equal(new Set(acks.map((a) => a.meta.eventId)).size, 1);
  assert.equal(await gw.messageCount(gw.topics.purchasing), 2, 'nothing else on the topic');
  const [a] = acks;
  assert.equal(a!.purchaseOrderId, po.purchaseOrderId);
  assert.equal(a!.status, 'changed');
  assert.deepEqual(
    a!.lines.map((l) => [l.lineNumber, l.lineId, l.status, l.quantity]),
    [
      [1, '1501', 'accepted', '200.0000'],
      [2, '1502', 'rejected', '0.0000'],
    ],
  );
  assert.equal(onTopic.find((e) => e.eventType === 'PurchaseOrderAcknowledged')?.key, po.purchaseOrderId);

  // What the supplier got back: a 997 accepting the 855, a TA1 025 for the repeat, a 997 rejecting the malformed one.
  const acks997 = outbound(gw, '997').map(segments);
  assert.equal(acks997.length, 2);
  assert.ok(acks997.some((s) => s.includes('AK9*A*1*1*1')));
  const rejecting = acks997.find((s) => s.includes('AK9*R*1*1*0'));
  assert.ok(rejecting?.includes('AK4*3**7*P-NEVER-SENT'), rejecting?.join(' '));
  const ta1 = outbound(gw, 'TA1');
  assert.equal(ta1.length, 1);
  assert.match(ta1[0]!, new RegExp(`TA1\\*${isa13}\\*\\d{6}\\*\\d{4}\\*R\\*025`));
  const received = payloadsOf(await gw.collect(gw.topics.documents, 6), 'EdiDocumentReceived').filter(
    (p) => p.document.transactionSet === '855',
  );
  assert.deepEqual(received.map((p) => p.status).sort(), ['accepted', 'rejected']);
});
