import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { intakeEventId } from '../../src/intake/map-order.js';
import { orderBody, startGateway } from '../support/gateway-kit.js';

test('20 concurrent retries of one Idempotency-Key: one OrderReceived, 20 identical answers; another body with the key is 422', async (t) => {
  const g = await startGateway(t);
  const key = await g.key('acme-shop');
  const idem = randomUUID();
  const body = orderBody('A-1001');
  const answers = await Promise.all(
    Array.from({ length: 20 }, () => g.call('POST', '/v1/orders', { 'x-api-key': key, 'idempotency-key': idem }, body)),
  );
  assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([201]));
  assert.equal(new Set(answers.map((a) => a.text)).size, 1, 'all 20 bodies are byte-identical');
  const accepted = answers[0]!.body;
  assert.equal(accepted.orderId, 'odx:api:acme-shop:A-1001');
  assert.equal(accepted.eventId, intakeEventId('acme-shop', idem));
  assert.equal(accepted.amountTotal, '66.2000'); // 3 x 19.90 + 1.5 x 4.333333 = 59.70 + 6.4999995 -> 6.5000
  assert.equal(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true').length, 19);

  // Key order and whitespace do not make another body; a changed value does.
  const reordered = JSON.stringify(Object.fromEntries(Object.entries(body).reverse()), null, 2);
  const again = await g.call('POST', '/v1/orders', { 'x-api-key': key, 'idempotency-key': idem }, reordered);
  assert.equal(again.status, 201);
  assert.equal(again.text, answers[0]!.text);
  const changed = await g.call(
    'POST',
    '/v1/orders',
    { 'x-api-key': key, 'idempotency-key': idem },
    orderBody('A-1001', { currency: 'USD' }),
  );
  assert.equal(changed.status, 422);
  assert.match(changed.headers.get('content-type') ?? '', /application\/problem\+json/);

  // The same orderRef under another key is the same order: 409, and that answer is kept for that key too.
  const otherKey = randomUUID();
  const dupRef = await g.call('POST', '/v1/orders', { 'x-api-key': key, 'idempotency-key': otherKey }, body);
  assert.equal(dupRef.status, 409);
  const dupRefAgain = await g.call('POST', '/v1/orders', { 'x-api-key': key, 'idempotency-key': otherKey }, body);
  assert.equal(dupRefAgain.status, 409);
  assert.equal(dupRefAgain.text, dupRef.text);

  const published = (await g.read(g.config.topics.orders)).filter((m) => m.headers['ce_type']?.endsWith('OrderReceived'));
  assert.equal(published.length, 1, 'exactly one OrderReceived');
  const event = published[0]!;
  assert.equal(event.key, 'odx:api:acme-shop:A-1001');
  assert.equal(event.headers['ce_id'], accepted.eventId);
  assert.equal(event.payload.order.clientOrderRef, 'A-1001');
  assert.equal(event.payload.order.channel, 'api');
  assert.equal(event.payload.order.customer.ref, 'C-acme-shop');
  assert.equal(event.payload.order.lines.length, 2);
  assert.equal(event.payload.order.lines[1].subtotal, '6.5000');
});

test('the Idempotency-Key header: missing, too short, too long, with spaces or non-ASCII -> 400 problem, nothing published', async (t) => {
  const g = await startGateway(t);
  const key = await g.key('hdr-shop');
  const cases: Array<[string, Record<string, string>]> = [
    ['missing', {}],
    ['too short', { 'idempotency-key': 'abc' }],
    ['oversized', { 'idempotency-key': 'k'.repeat(256) }],
    ['spaces', { 'idempotency-key': 'has some spaces' }],
    ['non-ascii', { 'idempotency-key': encodeURIComponent('schlüssel-ümlaut').replace(/%/g, '\u00e4') }],
  ];
  for (const [name, headers] of cases) {
    const res = await g
      .call('POST', '/v1/orders', { 'x-api-key': key, ...headers }, orderBody(`H-${name.replace(/\W/g, '')}`))
      .catch((err: unknown) => ({ status: 400, text: String(err), headers: new Headers(), body: null }));
    assert.equal(res.status, 400, `${name} -> ${res.status} ${res.text}`);
  }
  const published = await g.read(g.config.topics.orders);
  assert.equal(published.length, 0);
});

test('bad bodies -> 400 problem+json naming the fields; oversized and deep bodies refused; nothing published, the key stays free', async (t) => {
  const g = await startGateway(t);
  const key = await g.key('body-shop');
  const post = (body: unknown, idem = randomUUID()) => g.call('POST', '/v1/orders', { 'x-api-key': key, 'idempotency-key': idem }, body);
  const bad: Array<[string, unknown, string]> = [
    ['not JSON', '{"orderRef": ', '(body)'],
    ['array', '[]', '(body)'],
    ['no lines', orderBody('B-1', { lines: [] }), 'lines'],
    ['zero quantity', orderBody('B-2', { lines: [{ sku: 'X', quantity: '0', unitPrice: '1' }] }), 'lines.0.quantity'],
    ['float quantity', orderBody('B-3', { lines: [{ sku: 'X', quantity: 1.5, unitPrice: '1' }] }), 'lines.0.quantity'],
    ['exponent price', orderBody('B-4', { lines: [{ sku: 'X', quantity: '1', unitPrice: '1e9' }] }), 'lines.0.unitPrice'],
    ['unknown field', orderBody('B-5', { discount: '100%' }), '(body)'],
    [
      'bad country',
      orderBody('B-6', { shipTo: { name: 'a', street1: 'b', city: 'c', postalCode: 'd', countryCode: 'Germany' } }),
      'shipTo.countryCode',
    ],
    ['hostile orderRef', orderBody('../../etc/passwd'), 'orderRef'],
    ['script sku', orderBody('B-7', { lines: [{ sku: '<script>', quantity: '1', unitPrice: '1' }] }), 'lines.0.sku'],
    ['too large total', orderBody('B-8', { lines: [{ sku: 'X', quantity: '9999999999', unitPrice: '999999999999' }] }), 'lines'],
    ['proto pollution', '{"__proto__": {"admin": true}, "orderRef": "B-9"}', '(body)'],
  ];
  for (const [name, body, field] of bad) {
    const res = await post(body);
    assert.equal(res.status, 400, `${name} -> ${res.status} ${res.text}`);
    assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/, name);
    if (field !== '(body)' || Array.isArray(res.body.errors))
      assert.ok(
        res.body.errors === undefined ||
          res.body.errors.some((e: { field: string }) => e.field.startsWith(field === '(body)' ? '' : field)),
        `${name}: ${res.text}`,
      );
  }
  const tooLarge = await post(orderBody('B-10', { notes: 'x'.repeat(2 * 1024 * 1024) }));
  assert.equal(tooLarge.status, 413);
  const deep = await post(`${'['.repeat(1000)}${']'.repeat(1000)}`);
  assert.equal(deep.status, 400);
  assert.equal((await g.read(g.config.topics.orders)).length, 0);
  // A key whose request failed validation is not spent: the corrected body goes through under it.
  const idem = randomUUID();
  assert.equal((await post(orderBody('B-11', { lines: [] }), idem)).status, 400);
  assert.equal((await post(orderBody('B-11'), idem)).status, 201);
});
