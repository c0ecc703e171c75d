// A partner resends a corrected interchange under the control number we rejected: accepted, and the audit shows both attempts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testAuthHeader } from '@odx/runtime/testing';
import { GX_LINES, globexEnvelope, northwindOrders, po850, render } from '../support/x12-samples.js';
import { TOKENS, startGateway } from '../support/gateway-kit.js';

interface Listed {
  documentId: string;
  type: string;
  direction: string;
  status: string;
  interchangeControlNumber: string;
  errors: string[];
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

test('a rejected interchange may come again under the same ISA13 or UNB05; only an accepted one is a duplicate', async (t) => {
  const gw = await startGateway(t, { EDI_FOLDER_TRANSPORT: 'false', ODX_EDI_OUTBOUND: 'false' });
  const post = async (partner: 'globex' | 'northwind', body: string) => {
    const res = await fetch(`${gw.url}/v1/edi/${partner}`, {
      method: 'POST',
      headers: { 'content-type': 'application/edi-x12', ...bearer(partner === 'globex' ? TOKENS.globex : TOKENS.northwind) },
      body,
    });
    const json = (await res.json()) as { status: string; acknowledgments: Array<{ documentId: string; type: string }>; errors: string[] };
    return { ...json, http: res.status };
  };
  const list = async (): Promise<Listed[]> => {
    const res = await fetch(`${gw.url}/v1/edi/documents?limit=200`, { headers: await testAuthHeader('viewer') });
    return ((await res.json()) as { documents: Listed[] }).documents;
  };
  const interchange = (ge01?: string) =>
    render(
      globexEnvelope('000000901', [
        { gs06: '901', ...(ge01 ? { ge01 } : {}), sets: [{ st02: '0001', segments: po850('GX-RESEND-1', GX_LINES) }] },
      ]),
    );

  // 1. GE01 says 5 sets, the group has 1: the group is rejected (997 AK9 R), nothing is published.
  const first = await post('globex', interchange('5'));
  assert.equal(first.http, 422);
  assert.equal(first.acknowledgments[0]?.type, '997');
  assert.match(first.errors.join('; '), /GE01 says 5 sets/);
  assert.equal(await gw.messageCount(gw.topics.orders), 0);

  // 2. The corrected file under the same ISA13: accepted, OrderReceived published, its own 997.
  const second = await post('globex', interchange());
  assert.equal(second.http, 200, JSON.stringify(second.errors));
  assert.equal(second.acknowledgments[0]?.type, '997');
  assert.notEqual(second.acknowledgments[0]?.documentId, first.acknowledgments[0]?.documentId);
  assert.equal(await gw.messageCount(gw.topics.orders), 1);

  // 3. Once accepted, the control number is received: the same file again is a duplicate (409, TA1 025).
  const third = await post('globex', interchange());
  assert.equal(third.http, 409);
  assert.equal(third.acknowledgments[0]?.type, 'TA1');

  // 4. EDIFACT: a UNB05 whose only message was rejected may come again too.
  const badOrders = await post('northwind', northwindOrders('RSND1', 'EF-RESEND', { qty: 'ten' }));
  assert.equal(badOrders.http, 422);
  const goodOrders = await post('northwind', northwindOrders('RSND1', 'EF-RESEND'));
  assert.equal(goodOrders.http, 200, JSON.stringify(goodOrders.errors));
  assert.equal(await gw.messageCount(gw.topics.orders), 2);

  // The audit keeps both attempts and both answers.
  const docs = (await list()).filter((d) => d.interchangeControlNumber === '000000901');
  const inbound = docs.filter((d) => d.direction === 'in' && d.type === 'ISA').map((d) => [d.documentId, d.status]);
  assert.deepEqual(
    inbound.sort(),
    [
      ['in:globex:000000901', 'rejected'],
      ['in:globex:000000901~2', 'accepted'],
      [inbound.find(([id]) => id!.includes(':rejected:'))?.[0], 'rejected'],
    ].sort(),
  );
  const sets = docs.filter((d) => d.direction === 'in' && d.type === '850').map((d) => [d.documentId, d.status]);
  assert.deepEqual(sets.sort(), [
    ['in:globex:000000901:901:0001', 'rejected'],
    ['in:globex:000000901~2:901:0001', 'accepted'],
  ]);
  const out = (await list()).filter((d) => d.direction === 'out');
  assert.deepEqual(
    out
      .filter((d) => d.type === '997' && d.documentId.includes('000000901'))
      .map((d) => d.documentId)
      .sort(),
    ['out:globex:997:000000901', 'out:globex:997:000000901~2'],
    'a 997 for each attempt',
  );
  assert.ok(
    out.some((d) => d.type === 'TA1' && d.documentId === third.acknowledgments[0]?.documentId),
    'and the TA1 of the repeat',
  );
});
