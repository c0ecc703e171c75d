import assert from 'node:assert/strict';
import { test } from 'node:test';
import Reader from 'edifact/reader.js';
import { X12Parser, type X12Interchange } from 'node-x12';
import { payloadOf, payloadsOf } from '@odx/runtime/testing';
import { NW_LINES, globex850, northwind850, northwindEnvelope, northwindOrders, po850, render } from '../support/x12-samples.js';
import { eventually, startGateway, type RunningGateway } from '../support/gateway-kit.js';

const parse = (text: string): X12Interchange => new X12Parser(true).parse(text) as X12Interchange;
const segs = (text: string): string[] => {
  const x = parse(text);
  return x.functionalGroups.flatMap((g) =>
    g.transactions.flatMap((t) => t.segments.map((s) => [s.tag, ...s.elements.map((e) => e.value)].join('*'))),
  );
};

async function settled(gw: RunningGateway, partner: string, expected: number): Promise<void> {
  await eventually(
    () =>
      gw.files(partner, 'archive').length + gw.files(partner, 'error').length >= expected &&
      gw.files(partner, 'inbound').length === 0 &&
      gw.files(partner, 'work').length === 0
        ? true
        : undefined,
    30_000,
    `${expected} files processed for ${partner}`,
  );
}

test('valid 850s by folder (004010 and 005010, several groups and sets) become OrderReceived, 997s go back, all is audited', async (t) => {
  const gw = await startGateway(t);
  const multi = render(
    northwindEnvelope('000000701', [
      {
        gs06: '701',
        sets: [
          { st02: '0001', segments: po850('NW-A', NW_LINES) },
          { st02: '0002', segments: po850('NW-B', NW_LINES) },
        ],
      },
      { gs06: '702', sets: [{ st02: '0001', segments: po850('NW-C', NW_LINES) }] },
    ]),
  );
  gw.drop('northwind', 'po-multi.edi', multi);
  gw.drop('globex', 'po-gx.edi', globex850('000000801', 'GX-PO-1'));
  await settled(gw, 'northwind', 1);
  await settled(gw, 'globex', 1);
  assert.equal(gw.files('northwind', 'archive').length, 1);
  assert.equal(gw.files('globex', 'archive').length, 1);
  assert.deepEqual(gw.files('northwind', 'error'), []);

  const orders = await gw.collect(gw.topics.orders, 4);
  assert.equal(orders.length, 4);
  const byPo = new Map(orders.map((o) => [payloadOf(o, 'OrderReceived').order.clientOrderRef, o]));
  assert.deepEqual([...byPo.keys()].sort(), ['GX-PO-1', 'NW-A', 'NW-B', 'NW-C']);
  const nwA = byPo.get('NW-A')!;
  assert.equal(nwA.eventType, 'OrderReceived');
  assert.equal(nwA.key, 'odx:edi:northwind:NW-A');
  const order = payloadOf(nwA, 'OrderReceived').order;
  assert.equal(order.customer.ref, 'C00001');
  assert.deepEqual(
    order.lines.map((l) => [l.sku, l.uom]),
    [
      ['SKU-00001', 'EA'],
      ['SKU-00004', 'CS'],
    ],
  );
  assert.equal(nwA.headers['ce_type'], 'com.odx.events.OrderReceived');

  // One 997 per interchange, one AK2 loop per set, each group accepted.
  const nwOut = gw.files('northwind', 'outbound');
  assert.equal(nwOut.length, 1);
  const ack = gw.read('northwind', 'outbound', nwOut[0]!);
  const x = parse(ack);
  assert.equal(x.functionalGroups[0]!.header.valueOf(1), 'FA');
  assert.equal(x.header.valueOf(8)!.trim(), 'NORTHWIND');
  const ackSegs = segs(ack);
  assert.deepEqual(
    ackSegs.filter((s) => s.startsWith('AK1') || s.startsWith('AK9')),
    ['AK1*PO*701', 'AK9*A*2*2*2', 'AK1*PO*702', 'AK9*A*1*1*1'],
  );
  const gxAck = gw.read('globex', 'outbound', gw.files('globex', 'outbound')[0]!);
  assert.ok(gxAck.startsWith('ISA|') && gxAck.includes('\nAK1|PO|801|005010\n'), 'globex gets | and newlines, 005010 AK1');

  // Audit: every set stored raw with its status and the offsets of what it produced.
  const docs = await gw.gateway.documents.list({ partner: 'northwind', direction: 'in', type: '850', limit: 10 });
  assert.equal(docs.length, 3);
  const full = await gw.gateway.documents.get(docs.find((d) => d.businessRef === 'NW-A')!._id);
  assert.ok(full && full.raw.startsWith('ST*850*0001') && full.status === 'accepted');
  const orderLink = full.links.find((l) => l.eventType === 'OrderReceived')!;
  assert.equal(orderLink.topic, gw.topics.orders);
  assert.equal(String(orderLink.partition), String(nwA.partition));
  assert.equal(orderLink.offset, nwA.offset, 'the stored offset is where the event really is');
  const received = await gw.collect(gw.topics.documents, 6);
  const statuses = payloadsOf(received, 'EdiDocumentReceived').map((p) => p.status);
  assert.deepEqual(statuses.sort(), ['accepted', 'accepted', 'accepted', 'accepted']);
  const sent = payloadsOf(received, 'EdiDocumentSent');
  assert.equal(sent.length, 2, 'one EdiDocumentSent per 997');
  assert.equal(sent[0]!.document.transactionSet, '997');
});

test('malformed files: the right TA1 or 997 rejection, the file in error, nothing downstream, still serving', async (t) => {
  const gw = await startGateway(t);
  const good = (isa13: string, po: string) => northwind850(isa13, po);
  const cases: Record<string, string | Buffer> = {
    'empty.edi': '',
    'binary.edi': Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0xff, 0xfe, 0x00, 0x00]),
    'truncated-isa.edi': good('000000901', 'X').slice(0, 80),
    'wrong-qualifier.edi': good('000000902', 'X').replace('*ZZ*NORTHWIND', '*01*NORTHWIND'),
    'unknown-partner.edi': good('000000903', 'X').replace('NORTHWIND      ', 'STRANGER       '),
    'iea-count.edi': render({
      ...northwindEnvelope('000000904', [{ gs06: '904', sets: [{ st02: '0001', segments: po850('X', NW_LINES) }] }]),
      iea01: '3',
    }),
    'iea-control.edi': render({
      ...northwindEnvelope('000000905', [{ gs06: '905', sets: [{ st02: '0001', segments: po850('X', NW_LINES) }] }]),
      iea02: '000000999',
    }),
    'ge-count.edi': render(
      northwindEnvelope('000000906', [{ gs06: '906', ge01: '2', sets: [{ st02: '0001', segments: po850('GE-COUNT', NW_LINES) }] }]),
    ),
    'ge-control.edi': render(
      northwindEnvelope('000000907', [{ gs06: '907', ge02: '1', sets: [{ st02: '0001', segments: po850('GE-CTL', NW_LINES) }] }]),
    ),
    'se-count.edi': render(
      northwindEnvelope('000000908', [{ gs06: '908', sets: [{ st02: '0001', se01: '99', segments: po850('SE-COUNT', NW_LINES) }] }]),
    ),
    'se-control.edi': render(
      northwindEnvelope('000000909', [{ gs06: '909', sets: [{ st02: '0001', se02: '0002', segments: po850('SE-CTL', NW_LINES) }] }]),
    ),
    'missing-element.edi': render(
      northwindEnvelope('000000910', [
        { gs06: '910', sets: [{ st02: '0001', segments: po850('MISSING', [{ ...NW_LINES[0]!, qty: '' }]) }] },
      ]),
    ),
    'large.edi': good('000000911', 'BIG').padEnd(300_000, ' '),
  };
  for (const [name, content] of Object.entries(cases)) gw.drop('northwind', name, content);
  await settled(gw, 'northwind', Object.keys(cases).length);
  const errors = gw
    .files('northwind', 'error')
    .map((f) => f.replace(/^\d+-/, ''))
    .sort();
  assert.deepEqual(errors, Object.keys(cases).sort(), 'every bad file is in the error folder');
  assert.equal(await gw.messageCount(gw.topics.orders), 0, 'nothing published downstream');

  const out = gw.files('northwind', 'outbound').map((f) => gw.read('northwind', 'outbound', f));
  const ta1Codes = out
    .filter((o) => o.includes('TA1*'))
    .map((o) => /TA1\*([^*]+)\*\d+\*\d+\*R\*(\d{3})/.exec(o)?.slice(1, 3).join(':'))
    .sort();
  assert.deepEqual(
    ta1Codes,
    [
      '000000000:023',
      '000000000:023',
      '000000000:024',
      '000000902:006',
      '000000903:006',
      '000000904:021',
      '000000905:001',
      '000000911:024',
    ],
    'TA1s name the interchange (when readable) and the reason',
  );
  const ak = out
    .filter((o) => o.includes('AK1*'))
    .map((o) =>
      segs(o)
        .filter((s) => /^AK[2-5,9]/.test(s))
        .join(' '),
    )
    .sort();
  assert.deepEqual(
    ak,
    [
      'AK2*850*0001 AK3*PO1*5*PO1*8 AK4*2**1 AK5*R*5 AK9*R*1*1*0',
      'AK2*850*0001 AK5*R*3 AK9*R*1*1*0',
      'AK2*850*0001 AK5*R*4 AK9*R*1*1*0',
      'AK2*850*0001 AK5*R AK9*R*1*1*0*4',
      'AK2*850*0001 AK5*R AK9*R*1*1*0*5',
    ].sort(),
  );
  const audit = await gw.collect(gw.topics.documents, 13);
  const rejected = payloadsOf(audit, 'EdiDocumentReceived').filter((p) => p.status === 'rejected');
  assert.equal(rejected.length, Object.keys(cases).length, 'one rejected EdiDocumentReceived per file');
  assert.ok(rejected.every((p) => p.errors.length > 0));

  // Still serving: health, and a good file right after is accepted.
  assert.equal((await fetch(`${gw.url}/healthz`)).status, 200);
  gw.drop('northwind', 'good.edi', good('000000920', 'GOOD-1'));
  await eventually(() => (gw.files('northwind', 'archive').length === 1 ? true : undefined), 20_000, 'the good file archived');
  assert.equal((await gw.collect(gw.topics.orders, 1)).length, 1);
});

test('a repeated ISA13 from the same partner is rejected with TA1 025 and publishes no second order', async (t) => {
  const gw = await startGateway(t);
  gw.drop('globex', 'a.edi', globex850('000000555', 'GX-DUP'));
  await settled(gw, 'globex', 1);
  gw.drop('globex', 'b.edi', globex850('000000555', 'GX-DUP-OTHER'));
  gw.drop('globex', 'c.edi', globex850('000000555', 'GX-DUP'));
  await settled(gw, 'globex', 3);
  assert.equal(gw.files('globex', 'archive').length, 1);
  assert.equal(gw.files('globex', 'error').length, 2);
  assert.equal(await gw.messageCount(gw.topics.orders), 1);
  const ta1s = gw
    .files('globex', 'outbound')
    .map((f) => gw.read('globex', 'outbound', f))
    .filter((o) => o.includes('\nTA1|'));
  assert.equal(ta1s.length, 2);
  assert.ok(ta1s.every((o) => o.includes('\nTA1|000000555|261120|1015|R|025\n')));
});

test('EDIFACT ORDERS by folder: accepted ones become OrderReceived, bad and repeated interchanges go to error with nothing downstream', async (t) => {
  const gw = await startGateway(t);
  gw.drop('northwind', 'orders-1.edi', northwindOrders('EF0001', 'EF-PO-1'));
  await settled(gw, 'northwind', 1);
  gw.drop('northwind', 'orders-dup.edi', northwindOrders('EF0001', 'EF-PO-2'));
  gw.drop('northwind', 'orders-bad-count.edi', northwindOrders('EF0002', 'EF-PO-3', { unt01: '4' }));
  gw.drop('northwind', 'orders-bad-qty.edi', northwindOrders('EF0003', 'EF-PO-4', { qty: 'lots' }));
  await settled(gw, 'northwind', 4);
  assert.equal(gw.files('northwind', 'archive').length, 1);
  assert.equal(gw.files('northwind', 'error').length, 3);
  const orders = await gw.collect(gw.topics.orders, 1);
  assert.deepEqual(
    orders.map((o) => payloadOf(o, 'OrderReceived').order.clientOrderRef),
    ['EF-PO-1'],
  );
  const audit = await gw.collect(gw.topics.documents, 4);
  const docs = payloadsOf(audit, 'EdiDocumentReceived').map((p) => [p.document.transactionSet, p.status]);
  assert.deepEqual(
    docs.filter(([, status]) => status === 'accepted'),
    [['ORDERS', 'accepted']],
  );
  assert.equal(docs.filter(([, status]) => status === 'rejected').length, 3);
  const documents = [...payloadsOf(audit, 'EdiDocumentReceived'), ...payloadsOf(audit, 'EdiDocumentSent')].map((p) => p.document);
  assert.equal(documents.length, audit.length, 'only EDI document events on the audit topic');
  assert.ok(documents.every((d) => d.standard === 'EDIFACT'));
  // A CONTRL answers each interchange, read back with the edifact library.
  const contrls = gw
    .files('northwind', 'outbound')
    .filter((f) => f.startsWith('CONTRL-'))
    .map((f) => new Reader().parse(gw.read('northwind', 'outbound', f)));
  const uci = contrls
    .map((segs) => segs.find((x) => x.name === 'UCI')!.elements)
    .map((e) => `${e[0]![0]}:${e[3]![0]}`)
    .sort();
  assert.deepEqual(
    uci,
    ['EF0001:4', 'EF0001:7', 'EF0002:4', 'EF0003:4'],
    'UCI 7 for the accepted interchange, 4 for its duplicate and the two bad ones',
  );
  const ucms = contrls.flatMap((segs) => segs.filter((x) => x.name === 'UCM').map((x) => `${x.elements[0]![0]}:${x.elements[2]![0]}`));
  assert.deepEqual(ucms.sort(), ['1:4', '1:4', '1:7'], 'message-level verdicts: the accepted ORDERS and the two bad ones');
});
