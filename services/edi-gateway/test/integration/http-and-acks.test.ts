import assert from 'node:assert/strict';
import { test } from 'node:test';
import { payloadsOf, testAuthHeader } from '@odx/runtime/testing';
import { globex850, globexEnvelope, northwind850, render } from '../support/x12-samples.js';
import { TOKENS, startGateway } from '../support/gateway-kit.js';

const post = (url: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/edi-x12', ...headers }, body });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

test('POST /v1/edi/:partnerId: credentials checked, documents processed, hostile input refused', async (t) => {
  const gw = await startGateway(t, { EDI_FOLDER_TRANSPORT: 'false', ODX_EDI_OUTBOUND: 'false' });
  const url = `${gw.url}/v1/edi/globex`;
  const doc = globex850('000000301', 'GX-HTTP-1');

  assert.equal((await post(url, doc)).status, 401, 'no token');
  assert.equal((await post(url, doc, bearer('wrong-token-wrong-token'))).status, 401, 'wrong token');
  assert.equal((await post(url, doc, bearer(TOKENS.northwind))).status, 401, "another partner's token");
  assert.equal((await post(`${gw.url}/v1/edi/nobody`, doc, bearer(TOKENS.globex))).status, 401, 'unknown partner');
  assert.equal(
    (await post(url, JSON.stringify({ x: 1 }), { ...bearer(TOKENS.globex), 'content-type': 'application/json' })).status,
    415,
    'JSON is not X12',
  );
  assert.equal((await post(url, Buffer.alloc(300_000, 0x41), bearer(TOKENS.globex))).status, 413, 'too large');
  assert.equal(await gw.messageCount(gw.topics.orders), 0, 'nothing published by refused requests');

  const ok = await post(url, doc, bearer(TOKENS.globex));
  assert.equal(ok.status, 200);
  const body = (await ok.json()) as {
    status: string;
    partnerId: string;
    documents: Array<{ type: string; status: string }>;
    acknowledgments: Array<{ type: string }>;
  };
  assert.equal(body.status, 'accepted');
  assert.deepEqual(
    body.documents.map((d) => [d.type, d.status]),
    [['850', 'accepted']],
  );
  assert.deepEqual(
    body.acknowledgments.map((a) => a.type),
    ['997'],
  );

  const dup = await post(url, doc, bearer(TOKENS.globex));
  assert.equal(dup.status, 409);
  const foreign = await post(url, northwind850('000000302', 'NW-1'), bearer(TOKENS.globex));
  assert.equal(foreign.status, 422, "a northwind interchange posted on globex's channel");
  const garbage = await post(url, 'hello', bearer(TOKENS.globex));
  assert.equal(garbage.status, 422);
  assert.equal(await gw.messageCount(gw.topics.orders), 1, 'only the accepted 850 reached the orders topic');
  assert.equal((await fetch(`${gw.url}/readyz`)).status, 200);
  const metrics = await (await fetch(`${gw.url}/metrics`)).text();
  const line = (status: string, type: string) =>
    metrics
      .split('\n')
      .find(
        (l) =>
          l.startsWith('odx_edi_documents_total{') &&
          l.includes('partner="globex"') &&
          l.includes('direction="in"') &&
          l.includes(`type="${type}"`) &&
          l.includes(`status="${status}"`),
      );
  assert.match(line('accepted', '850') ?? '', / 1$/, 'the accepted 850 is counted');
  assert.match(line('rejected', 'ISA') ?? '', / 3$/, 'the duplicate, foreign and garbage documents are counted');
});

test('GET /v1/edi/documents filters by partner, status and type and is authenticated', async (t) => {
  const gw = await startGateway(t, { EDI_FOLDER_TRANSPORT: 'false', ODX_EDI_OUTBOUND: 'false' });
  await post(`${gw.url}/v1/edi/globex`, globex850('000000401', 'GX-L-1'), bearer(TOKENS.globex));
  await post(`${gw.url}/v1/edi/globex`, 'not x12 at all', bearer(TOKENS.globex));
  await post(`${gw.url}/v1/edi/northwind`, northwind850('000000402', 'NW-L-1'), bearer(TOKENS.northwind));
  // Default: a person's viewer JWT (the runtime's access control); else a partner token, or none.
  const list = async (query: string, token: string | null | 'viewer' = 'viewer') => {
    const headers = token === 'viewer' ? await testAuthHeader('viewer') : token ? bearer(token) : {};
    const res = await fetch(`${gw.url}/v1/edi/documents${query}`, { headers });
    return {
      status: res.status,
      docs: res.ok
        ? (
            (await res.json()) as {
              documents: Array<{ documentId: string; partnerId: string; status: string; type: string; raw?: string }>;
            }
          ).documents
        : [],
    };
  };
  assert.equal((await list('')).status, 200);
  assert.equal((await list('', null)).status, 401);
  assert.equal((await list('', 'nope-nope-nope-nope')).status, 401);
  assert.equal((await list('?status=bogus')).status, 400);
  const globex850s = await list('?partner=globex&type=850');
  assert.deepEqual(
    globex850s.docs.map((d) => [d.partnerId, d.type, d.status]),
    [['globex', '850', 'accepted']],
  );
  assert.equal(globex850s.docs[0]!.raw, undefined, 'the listing leaves the raw text out');
  const rejected = await list('?status=rejected');
  assert.deepEqual(
    rejected.docs.map((d) => [d.partnerId, d.type]),
    [['globex', 'ISA']],
  );
  const sent997 = await list('?type=997&status=sent');
  assert.deepEqual(sent997.docs.map((d) => d.partnerId).sort(), ['globex', 'northwind']);
  const own = await list('', TOKENS.northwind);
  assert.ok(own.docs.length > 0 && own.docs.every((d) => d.partnerId === 'northwind'), 'a partner token sees its own documents only');
  assert.equal((await list('?partner=globex', TOKENS.northwind)).status, 403);
});

test('a partner 997 marks our documents acknowledged; unacknowledged ones past the window raise an event', async (t) => {
  const gw = await startGateway(t, { EDI_FOLDER_TRANSPORT: 'false', ODX_EDI_OUTBOUND: 'false' });
  const profile = gw.gateway.partners.get('globex')!;
  const send = (id: string) =>
    gw.gateway.sender.sendSets(
      {
        profile,
        documentId: id,
        businessObjectType: 'order',
        businessObjectId: id,
        businessRef: id,
        inResponseTo: null,
        source: null,
        correlationId: id,
        causationId: null,
        expectAck: true,
      },
      [
        {
          code: '855',
          segments: [
            ['BAK', '00', 'AC', 'PO-1', '20261120'],
            ['CTT', '0'],
          ],
        },
      ],
    );
  const a = await send('doc-a');
  const b = await send('doc-b');
  assert.equal(a.status, 'sent');
  assert.notEqual(a.groupControlNumber, b.groupControlNumber);
  // The partner acknowledges a's group (its 997, as they would send it) and says nothing about b.
  const ack997 = render(
    globexEnvelope('000000601', [
      {
        gs06: '601',
        functionalId: 'FA',
        sets: [
          {
            code: '997',
            st02: '0001',
            segments: [
              ['AK1', 'PR', a.groupControlNumber!, '005010'],
              ['AK2', '855', a.transactionControlNumber!],
              ['AK5', 'A'],
              ['AK9', 'A', '1', '1', '1'],
            ],
          },
        ],
      },
    ]),
  );
  const res = await post(`${gw.url}/v1/edi/globex`, ack997, bearer(TOKENS.globex));
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal((await gw.gateway.documents.get('doc-a'))?.status, 'acknowledged');
  assert.equal((await gw.gateway.documents.get('doc-b'))?.status, 'sent');
  assert.equal(await gw.messageCount(gw.topics.orders), 0, 'a 997 publishes no order');

  const raised = await gw.gateway.watchdog.sweep(new Date(Date.now() + profile.acknowledgments.windowMinutes * 60_000 + 1_000));
  assert.deepEqual(raised, ['doc-b']);
  assert.equal((await gw.gateway.documents.get('doc-b'))?.status, 'ack_overdue');
  assert.deepEqual(await gw.gateway.watchdog.sweep(new Date(Date.now() + 10 * 86_400_000)), [], 'raised once');
  const events = await gw.collect(gw.topics.documents, 4); // 2 sent, the 997 received, the overdue alert
  const overdue = payloadsOf(events, 'EdiDocumentReceived').filter((p) => p.status === 'ack_overdue');
  assert.equal(overdue.length, 1);
  assert.equal(overdue[0]!.document.documentId, 'doc-b');
  assert.match(overdue[0]!.errors[0]!, /no 997 from globex for 855 doc-b/);
});

test('a document built but not sent before a crash is resent with the same bytes and control numbers; a sent one is not sent again', async (t) => {
  const gw = await startGateway(t, { EDI_FOLDER_TRANSPORT: 'false', ODX_EDI_OUTBOUND: 'false' });
  const profile = gw.gateway.partners.get('northwind')!;
  const req = (id: string) => ({
    profile,
    documentId: id,
    businessObjectType: 'order',
    businessObjectId: id,
    businessRef: id,
    inResponseTo: null,
    source: null,
    correlationId: id,
    causationId: null,
    expectAck: true,
  });
  const body = [
    { code: '855', segments: [['BAK', '00', 'AD', 'PO-9', '20261120'] as [string, ...string[]], ['CTT', '0'] as [string, ...string[]]] },
  ];
  // The crash: the record was stored as built, nothing was delivered.
  const built = {
    ...(await gw.gateway.sender.sendSets(req('warm'), body)),
    _id: 'crashed',
    status: 'built' as const,
    links: [],
    fileName: '855-northwind-000000777.x12',
    raw: 'ISA*crashed-before-delivery',
  };
  await gw.gateway.documents.insert(built);
  const before = gw.files('northwind', 'outbound').length;
  const resent = await gw.gateway.sender.sendSets(req('crashed'), body);
  assert.equal(resent.status, 'sent');
  assert.equal(
    gw.read('northwind', 'outbound', '855-northwind-000000777.x12'),
    'ISA*crashed-before-delivery',
    'the stored bytes went out, not a new interchange',
  );
  assert.equal(gw.files('northwind', 'outbound').length, before + 1);
  const again = await gw.gateway.sender.sendSets(req('crashed'), body);
  assert.equal(again.status, 'sent');
  assert.equal(gw.files('northwind', 'outbound').length, before + 1, 'nothing sent twice');
  assert.equal((await gw.gateway.documents.get('crashed'))?.status, 'sent');
});
