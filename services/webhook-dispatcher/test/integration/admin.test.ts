import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { ROLES, grants, mintToken } from '@odx/runtime';
import { ENDPOINTS } from '../../src/http/routes.js';
import { startService } from '../support/service-kit.js';

const concrete = (path: string): string =>
  path.replace(':id', path.startsWith('/deliveries') ? `${randomUUID()}:${randomUUID()}` : randomUUID()).replace(':secretId', 'abcdef12');

test('every endpoint: 401 without or with bad credentials, 403 with too weak a role; the table covers every mounted route', async (t) => {
  const s = await startService(t);
  interface Layer {
    route?: { path: string; methods: Record<string, boolean> };
  }
  const mounted = (s.rt.http.api.stack as Layer[]).flatMap((l) =>
    l.route ? Object.keys(l.route.methods).map((m) => `${m.toUpperCase()} ${l.route!.path}`) : [],
  );
  assert.deepEqual(mounted.sort(), ENDPOINTS.map((e) => `${e.method} ${e.path}`).sort());
  const forged = await mintToken({ ...s.config.auth, secret: 'x'.repeat(40) }, 'mallory', ['admin']);
  for (const e of ENDPOINTS) {
    const path = concrete(e.path);
    for (const auth of [undefined, 'Bearer nope', `Bearer ${forged}`, 'Basic YWRtaW46YWRtaW4=']) {
      const res = await fetch(`${s.url}${path}`, { method: e.method, headers: auth ? { authorization: auth } : {} });
      assert.equal(res.status, 401, `${e.method} ${path} with ${auth ?? 'nothing'}`);
    }
    for (const role of ROLES.filter((r) => !grants(r, e.role))) {
      const r = await s.call(e.method, path, role, e.method === 'GET' ? undefined : {});
      assert.equal(r.status, 403, `${e.method} ${path} as ${role}`);
    }
  }
  for (const open of ['/healthz', '/metrics']) assert.equal((await fetch(`${s.url}${open}`)).status, 200, open);
});

test('hostile subscription input: bad URLs, private targets (guard on), huge filters, unknown fields, bad ids', async (t) => {
  const s = await startService(t, { env: { ODX_WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'false' } });
  const base = { name: 'crm', eventTypes: ['OrderConfirmed'] };
  const refusedTargets = [
    'http://127.0.0.1:8080/h',
    'http://localhost/h',
    'http://10.1.2.3/h',
    'http://192.168.0.10/h',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/h',
    'http://[fd00::1]/h',
    'http://0x7f000001/h',
    'http://2130706433/h',
    'http://0/h',
    'http://[::ffff:127.0.0.1]/h',
    'http://nonexistent.invalid/h',
  ];
  for (const url of refusedTargets) {
    const r = await s.call('POST', '/subscriptions', 'operator', { ...base, url });
    assert.equal(r.status, 422, `${url}: ${JSON.stringify(r.body)}`);
  }
  for (const url of ['ftp://example.com/x', 'file:///etc/passwd', 'https://user:pw@example.com/', 'not a url', 'javascript:alert(1)']) {
    const r = await s.call('POST', '/subscriptions', 'operator', { ...base, url });
    assert.ok(r.status === 422 || r.status === 400, `${url}: ${r.status}`);
  }
  const huge = [
    { ...base, url: 'https://example.com/h', keys: Array.from({ length: 5_000 }, (_, i) => `key-${i}`) },
    { ...base, url: 'https://example.com/h', field: { path: 'a.b', in: Array.from({ length: 1_000 }, () => 'x') } },
    { ...base, url: 'https://example.com/h', eventTypes: Array.from({ length: 500 }, () => 'OrderConfirmed') },
    { ...base, url: `https://example.com/${'a'.repeat(5_000)}` },
    { ...base, url: 'https://example.com/h', role: 'admin' },
    { ...base, url: 'https://example.com/h', secret: 'whsec_dG9vc2hvcnQ=' },
  ];
  for (const body of huge) {
    const r = await s.call('POST', '/subscriptions', 'operator', body);
    assert.ok(r.status === 400 || r.status === 413, `${JSON.stringify(body).slice(0, 80)}: ${r.status}`);
  }
  for (const raw of ['{', '[]', 'null', '"x"', '{"name":'.repeat(100)]) {
    const r = await s.call('POST', '/subscriptions', 'operator', raw);
    assert.ok(r.status === 400, `${raw.slice(0, 20)}: ${r.status}`);
  }
  const big = await s.call(
    'POST',
    '/subscriptions',
    'operator',
    JSON.stringify({ ...base, url: 'https://example.com/h', junk: 'x'.repeat(5_000_000) }),
  );
  assert.ok(big.status === 413 || big.status === 400, `5 MB body: ${big.status}`);
  assert.equal((await s.call('GET', '/subscriptions/not-a-uuid', 'viewer')).status, 400);
  assert.equal((await s.call('GET', `/subscriptions/${randomUUID()}`, 'viewer')).status, 404);
  assert.equal((await s.call('GET', '/deliveries/..%2F..%2Fetc', 'viewer')).status, 400);
  assert.equal((await s.call('GET', `/deliveries/${randomUUID()}:x`, 'viewer')).status, 404);
  assert.equal((await s.call('GET', '/subscriptions', 'viewer')).body.subscriptions.length, 0, 'nothing was stored');
  const audit = await s.call('GET', '/audit', 'viewer');
  assert.equal(audit.body.entries.length, 0);
});

test('changes are audited, repeats are harmless, secrets never shown after creation', async (t) => {
  const s = await startService(t);
  const created = await s.call('POST', '/subscriptions', 'operator', { name: 'shop', url: 'http://127.0.0.1:9/h', eventTypes: ['*'] });
  assert.equal(created.status, 201);
  const id = created.body.subscription.id;
  assert.match(created.body.secret, /^whsec_/);
  const listed = await s.call('GET', '/subscriptions', 'viewer');
  assert.equal(JSON.stringify(listed.body).includes(created.body.secret), false);
  assert.equal((await s.call('POST', `/subscriptions/${id}/disable`, 'operator', { reason: 'maintenance' })).body.changed, true);
  assert.equal((await s.call('POST', `/subscriptions/${id}/disable`, 'operator', {})).body.changed, false);
  const patched = await s.call('PATCH', `/subscriptions/${id}`, 'operator', {
    keys: ['A'],
    field: { path: 'order.customer.ref', in: ['C-1'] },
  });
  assert.equal(patched.status, 200);
  assert.deepEqual(patched.body.keys, ['A']);
  assert.equal((await s.call('PATCH', `/subscriptions/${id}`, 'operator', { field: null })).body.field, undefined);
  assert.equal((await s.call('PATCH', `/subscriptions/${id}`, 'operator', { status: 'active' })).status, 400);
  assert.equal(
    (await s.call('POST', `/subscriptions/${id}/recover`, 'operator', { since: new Date(Date.now() + 60_000).toISOString() })).status,
    400,
  );
  assert.equal((await s.call('POST', `/subscriptions/${id}/recover`, 'operator', { since: 'yesterday' })).status, 400);
  const actions = (await s.call('GET', `/audit?target=${id}`, 'viewer')).body.entries.map(
    (e: { action: string; actor: string }) => `${e.action} by ${e.actor}`,
  );
  assert.deepEqual(actions.sort(), [
    'subscription.create by operator-user',
    'subscription.disable by operator-user',
    'subscription.disable by operator-user',
    'subscription.update by operator-user',
    'subscription.update by operator-user',
  ]);
});
