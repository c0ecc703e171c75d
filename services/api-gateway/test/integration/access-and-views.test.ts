import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { outgoingEvent } from '@odx/runtime';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import { validate } from '@readme/openapi-parser';
import { ENDPOINTS } from '../../src/http/routes.js';
import { orderBody, startGateway, waitFor } from '../support/gateway-kit.js';

test('credentials: 401 without or with a bad key, 403 without the scope, admin routes need an admin token; every route is in the table', async (t) => {
  const g = await startGateway(t);
  interface Layer {
    route?: { path: string; methods: Record<string, boolean> };
  }
  const mounted = (g.rt.http.api.stack as Layer[]).flatMap((l) =>
    l.route ? Object.keys(l.route.methods).map((m) => `${m.toUpperCase()} ${l.route!.path}`) : [],
  );
  assert.deepEqual(mounted.sort(), ENDPOINTS.map((e) => `${e.method} ${e.path}`).sort());
  const readOnly = await g.key('scoped-shop', ['orders:read']);
  const good = await g.key('scoped-shop');
  const revoked = await g.key('scoped-shop');
  await g.gw.keys.revoke(revoked.split('_')[1]!, 'test');
  const forged = good.slice(0, -4) + 'AAAA';
  const viewer = await g.adminToken('viewer');
  const admin = await g.adminToken('admin');
  const path = (p: string) => p.replace(':ref', 'X-1').replace(':keyId', '0123456789abcdef');
  for (const e of ENDPOINTS) {
    const body = e.method === 'POST' ? {} : undefined;
    for (const [name, headers] of [
      ['none', {}],
      ['garbage key', { 'x-api-key': 'hello' }],
      ['forged key', { 'x-api-key': forged }],
      ['revoked key', { 'x-api-key': revoked }],
      ['basic auth', { authorization: 'Basic YWRtaW46YWRtaW4=' }],
      ['bearer garbage', { authorization: 'Bearer a.b.c' }],
    ] as Array<[string, Record<string, string>]>) {
      const res = await g.call(e.method, path(e.path), headers, body);
      assert.equal(res.status, 401, `${e.method} ${e.path} with ${name} -> ${res.status}`);
      assert.ok(res.headers.get('www-authenticate'), `${e.method} ${e.path}: a challenge`);
    }
    const asPartner = await g.call(e.method, path(e.path), { 'x-api-key': readOnly }, body);
    const asViewer = await g.call(e.method, path(e.path), { authorization: `Bearer ${viewer}` }, body);
    const asAdmin = await g.call(e.method, path(e.path), { authorization: `Bearer ${admin}` }, body);
    if (e.needs === 'any') assert.deepEqual([asPartner.status, asViewer.status, asAdmin.status], [200, 200, 200]);
    else if (e.needs === 'admin') assert.deepEqual([asPartner.status, asViewer.status], [403, 403], `${e.method} ${e.path}`);
    else {
      assert.equal(asViewer.status, 403, `${e.method} ${e.path} as a person`);
      assert.equal(asAdmin.status, 403, `${e.method} ${e.path} as an admin (not a partner)`);
      if (e.needs !== 'orders:read') assert.equal(asPartner.status, 403, `${e.method} ${e.path} without ${e.needs}`);
    }
  }
  // Unknown paths give nothing away either; health and metrics stay open.
  assert.equal((await g.call('GET', '/v1/secret', {})).status, 401);
  assert.equal((await g.call('GET', '/healthz', {})).status, 200);
  assert.equal((await g.call('GET', '/metrics', {})).status, 200);
});

test('admin: create a key (shown once, stored hashed), list without secrets, revoke; hostile bodies 400', async (t) => {
  const g = await startGateway(t);
  const admin = { authorization: `Bearer ${await g.adminToken('admin')}` };
  const created = await g.call('POST', '/admin/keys', admin, {
    partnerId: 'market-1',
    kind: 'marketplace',
    customer: { partyId: '42', ref: 'C-42', name: 'Market One' },
    scopes: ['orders:write', 'orders:read'],
  });
  assert.equal(created.status, 201, created.text);
  const token: string = created.body.key;
  const parts = /^odxk_[0-9a-f]{16}_([A-Za-z0-9_-]{43})$/.exec(token);
  assert.ok(parts, token);
  // The secret is everything after the id: base64url has "_" in its alphabet, so it is not split on "_".
  const secret = parts[1]!;
  const stored = await g.gw.keys.collection.findOne({ _id: created.body.record.keyId });
  assert.ok(stored && !JSON.stringify(stored).includes(secret), 'the secret is not stored');
  const listed = await g.call('GET', '/admin/keys?partnerId=market-1', admin);
  assert.equal(listed.body.keys.length, 1);
  assert.ok(!('hash' in listed.body.keys[0]) && !listed.text.includes(token));
  const before = await g.call('POST', '/v1/orders', { 'x-api-key': token, 'idempotency-key': randomUUID() }, orderBody('M-1'));
  assert.equal(before.status, 201);
  for (const bad of [
    {},
    { partnerId: 'Market:1', kind: 'shop', customer: { partyId: '1', name: 'x' }, scopes: ['orders:write'] },
    { partnerId: 'm', kind: 'shop', customer: { partyId: '1', name: 'x' }, scopes: ['admin'] },
    { partnerId: 'm', kind: 'shop', customer: { partyId: '1', name: 'x' }, scopes: [] },
    { partnerId: 'm', kind: 'shop', customer: { partyId: '1', name: 'x' }, scopes: ['orders:read'], hash: 'mine' },
  ]) {
    assert.equal((await g.call('POST', '/admin/keys', admin, bad)).status, 400, JSON.stringify(bad));
  }
  const revoked = await g.call('POST', `/admin/keys/${created.body.record.keyId}/revoke`, admin);
  assert.equal(revoked.status, 200);
  assert.ok(revoked.body.revokedAt);
  assert.equal((await g.call('POST', '/admin/keys/ffffffffffffffff/revoke', admin)).status, 404);
  assert.equal((await g.call('POST', '/admin/keys/..%2f..%2f/revoke', admin)).status, 400);
  const after = await g.call('GET', '/v1/orders/M-1', { 'x-api-key': token });
  assert.equal(after.status, 401, 'a revoked key stops working on this instance at once');
});

test('partner scoping: another partner sees 404 for my order (not 403); my key sees status and the timeline from events', async (t) => {
  const g = await startGateway(t);
  const mine = await g.key('shop-a');
  const theirs = await g.key('shop-b');
  const posted = await g.call('POST', '/v1/orders', { 'x-api-key': mine, 'idempotency-key': randomUUID() }, orderBody('SAME-1'));
  assert.equal(posted.status, 201);
  const own = await g.call('GET', '/v1/orders/SAME-1', { 'x-api-key': mine });
  assert.equal(own.status, 200);
  assert.equal(own.body.status, 'received');
  const other = await g.call('GET', '/v1/orders/SAME-1', { 'x-api-key': theirs });
  assert.equal(other.status, 404);
  assert.equal((await g.call('GET', '/v1/orders/NOPE', { 'x-api-key': mine })).status, 404);
  assert.equal((await g.call('GET', '/v1/orders/..%2F..%2Fadmin', { 'x-api-key': mine })).status, 400);
  // The same ref under the other partner is that partner's own, separate order.
  const b = await g.call('POST', '/v1/orders', { 'x-api-key': theirs, 'idempotency-key': randomUUID() }, orderBody('SAME-1'));
  assert.equal(b.status, 201);
  assert.notEqual(b.body.orderId, posted.body.orderId);

  // Later events about the order (from Odoo, the WMS) move its status.
  const orderId: string = posted.body.orderId;
  const confirmed = sampleEvent('OrderConfirmed');
  confirmed.meta = sampleMeta({ eventId: randomUUID(), occurredAt: new Date() });
  confirmed.order = { ...confirmed.order, orderId, name: 'S00042' };
  confirmed.confirmedAt = new Date(Date.now() + 1_000);
  const dispatched = sampleEvent('ShipmentDispatched');
  dispatched.meta = sampleMeta({ eventId: randomUUID(), occurredAt: new Date() });
  dispatched.shipment = { ...dispatched.shipment, orderId };
  dispatched.dispatchedAt = new Date(Date.now() + 2_000);
  await g.rt.producer.publish([
    outgoingEvent('OrderConfirmed', orderId, confirmed, { topic: g.config.topics.orders }),
    outgoingEvent('ShipmentDispatched', dispatched.shipment.shipmentId, dispatched, { topic: g.config.topics.shipments }),
  ]);
  const shipped = await waitFor('the order shipped', async () => {
    const r = await g.call('GET', '/v1/orders/SAME-1', { 'x-api-key': mine });
    return r.body.status === 'shipped' ? r.body : undefined;
  });
  assert.deepEqual(
    shipped.timeline.map((e: { eventType: string }) => e.eventType),
    ['OrderReceived', 'OrderConfirmed', 'ShipmentDispatched'],
  );
  assert.equal(shipped.timeline[1].detail, 'S00042');
});

test('availability from published InventoryLevelChanged events; rate limit 429 with Retry-After', async (t) => {
  const g = await startGateway(t);
  const key = await g.key('stock-shop', ['availability:read'], 5);
  const level = (warehouseCode: string, available: string, asOfMs: number, locationCode: string | null = null) => {
    const e = sampleEvent('InventoryLevelChanged');
    e.meta = sampleMeta({ eventId: randomUUID(), occurredAt: new Date() });
    e.level = { ...e.level, sku: 'ATP-1', warehouseCode, locationCode, lotNumber: null, available, asOf: new Date(asOfMs) };
    return outgoingEvent('InventoryLevelChanged', 'ATP-1', e, { topic: g.config.topics.inventory });
  };
  const now = Date.now();
  await g.rt.producer.publish([
    level('WH1', '10.0000', now - 2_000),
    level('WH1', '7.0000', now - 1_000), // newer: wins
    level('WH1', '99.0000', now - 5_000), // older: ignored
    level('WH2', '-3.0000', now), // over-reserved: promises 0
    level('WH3', '2.0000', now, 'WH3/A'),
    level('WH3', '1.5000', now, 'WH3/B'),
  ]);
  const atp = await waitFor('availability', async () => {
    const r = await g.call('GET', '/v1/availability?sku=ATP-1', { 'x-api-key': key });
    return r.status === 200 && r.body.warehouses.length === 3 ? r.body : undefined;
  });
  assert.deepEqual(
    atp.warehouses.map((w: { warehouse: string; available: string }) => [w.warehouse, w.available]),
    [
      ['WH1', '7.0000'],
      ['WH2', '0.0000'],
      ['WH3', '3.5000'],
    ],
  );
  assert.equal(atp.available, '10.5000');
  // The key allows 5 requests per window (the waits above used some): within 5 more, 429.
  const statuses: number[] = [];
  let limited = await g.call('GET', '/v1/availability?sku=ATP-1&warehouse=WH1', { 'x-api-key': key });
  for (let i = 0; i < 5 && limited.status === 200; i++) {
    statuses.push(limited.status);
    limited = await g.call('GET', '/v1/availability?sku=ATP-1&warehouse=WH1', { 'x-api-key': key });
  }
  assert.equal(limited.status, 429, `after ${statuses.length} more answers`);
  assert.match(limited.headers.get('content-type') ?? '', /application\/problem\+json/);
  assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  const fresh = await g.key('stock-shop', ['availability:read']);
  const one = await g.call('GET', '/v1/availability?sku=ATP-1&warehouse=WH1', { 'x-api-key': fresh });
  assert.equal(one.body.available, '7.0000');
  assert.equal((await g.call('GET', '/v1/availability?sku=NOPE', { 'x-api-key': fresh })).status, 404);
  assert.equal((await g.call('GET', '/v1/availability', { 'x-api-key': fresh })).status, 400);
  assert.equal((await g.call('GET', '/v1/availability?sku=a&sku=b', { 'x-api-key': fresh })).status, 400);
  assert.equal((await g.call('GET', '/v1/availability?sku=%00', { 'x-api-key': fresh })).status, 400);
});

test('/openapi.json is a valid OpenAPI 3.1 document describing every partner and admin route', async (t) => {
  const g = await startGateway(t);
  const key = await g.key('doc-shop', ['orders:read']);
  const res = await g.call('GET', '/openapi.json', { 'x-api-key': key });
  assert.equal(res.status, 200);
  assert.equal(res.body.openapi, '3.1.0');
  const result = await validate(structuredClone(res.body));
  assert.ok(result.valid, JSON.stringify(result));
  for (const e of ENDPOINTS.filter((x) => x.path !== '/openapi.json')) {
    const path = e.path.replace(/:(\w+)/g, '{$1}');
    assert.ok(res.body.paths[path]?.[e.method.toLowerCase()], `${e.method} ${path} documented`);
  }
  const post = res.body.paths['/v1/orders'].post;
  assert.ok(
    post.parameters.some(
      (p: { in: string; name: string; required: boolean }) => p.in === 'header' && p.name === 'idempotency-key' && p.required,
    ),
  );
  assert.ok(res.body.components.schemas.OrderRequest);
});
