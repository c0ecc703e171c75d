// The runtime's access control on a real MongoDB: service-account keys (scopes, rotation with overlap, revocation,
// per-key rate limit), people's JWTs, the per-principal rate limit (429 + Retry-After) and the audit of
// state-changing calls, written before the answer leaves.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { test, type TestContext } from 'node:test';
import { MongoClient, type Db } from 'mongodb';
import { AuditLog, auditCalls } from '../../src/audit/index.js';
import { ServiceKeyStore, accessControl, mintToken, requireRole } from '../../src/auth/index.js';
import { SingleFlightCache } from '../../src/concurrency/index.js';
import { createHttpApp } from '../../src/http/index.js';
import { createLogger } from '../../src/logging/index.js';
import { createRuntimeMetrics } from '../../src/telemetry/index.js';

const quiet = createLogger({ service: 'test', level: 'error', stream: new Writable({ write: (_c, _e, cb) => cb() }) });
const TOKENS = { secret: 'access-test-secret-access-test-secret-0123', issuer: 'odx', audience: ['odx-svc', 'odx'] };

async function database(t: TestContext): Promise<Db> {
  const mongo = await new MongoClient(process.env['ODX_MONGO_URL'] ?? 'mongodb://127.0.0.1:27017/').connect();
  const db = mongo.db(`access_test_${randomUUID().slice(0, 8)}`);
  t.after(async () => {
    await db.dropDatabase().catch(() => undefined);
    await mongo.close();
  });
  return db;
}

async function service(t: TestContext, db: Db, rateLimit = { limit: 1_000, windowMs: 60_000 }) {
  const keys = new ServiceKeyStore(db, 0);
  const audit = new AuditLog(db);
  const access = accessControl({ service: 'svc', tokens: TOKENS, keys, rateLimit });
  const http = createHttpApp({
    logger: quiet,
    metrics: createRuntimeMetrics('test', { defaultMetrics: false }),
    readiness: [],
    authenticate: [access.authenticate, access.rateLimit, auditCalls(audit, 'svc', quiet)],
  });
  let effects = 0;
  http.api.get('/things', requireRole('viewer'), (_req, res) => void res.json({ ok: true }));
  http.api.post('/things', requireRole('operator'), async (_req, res) => {
    effects++;
    // The entry is on record (pending) while the effect runs.
    const pending = await audit.list({ limit: 10 });
    res.status(201).json({ pendingSeen: pending.some((e) => e.outcome === 'pending') });
  });
  const server = await http.listen(0, '127.0.0.1');
  t.after(() => http.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async (method: string, authorization?: string) => {
    const res = await fetch(`${url}/things`, {
      method,
      headers: { ...(authorization ? { authorization } : {}), ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
      ...(method === 'POST' ? { body: '{}' } : {}),
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, unknown> };
  };
  return { keys, audit, call, effects: () => effects };
}

test('keys: scopes per service, rotation keeps the old key until its expiry, revocation stops it, a third key is refused', async (t) => {
  const db = await database(t);
  const s = await service(t, db);
  const viewer = await s.keys.create({ account: 'crm-sync', scopes: ['svc:viewer', 'other:admin'], createdBy: 'test' });
  assert.match(viewer.key, /^odx_sk_[a-f0-9]{16}_[A-Za-z0-9_-]{43}$/);
  const stored = await db.collection('odx_service_keys').findOne({ _id: viewer.record._id as never });
  assert.ok(stored && !JSON.stringify(stored).includes(viewer.key.slice(24)), 'only the hash is stored');
  assert.equal((await s.call('GET', `Bearer ${viewer.key}`)).status, 200);
  assert.equal((await s.call('POST', `Bearer ${viewer.key}`)).status, 403, 'svc:viewer is not operator here');
  assert.equal((await s.call('GET', `Bearer ${viewer.key.slice(0, -2)}xx`)).status, 401, 'a wrong secret');
  await assert.rejects(s.keys.create({ account: 'crm-sync', scopes: ['viewer'], createdBy: 'test' }), /already has a key; rotate it/);
  await assert.rejects(s.keys.create({ account: 'x', scopes: ['superuser'], createdBy: 'test' }), /scope "superuser"/);

  const rotated = await s.keys.rotate('crm-sync', 'test', 60_000);
  assert.deepEqual(rotated.expiring, [viewer.record._id]);
  assert.equal((await s.call('GET', `Bearer ${viewer.key}`)).status, 200, 'the old key works during the overlap');
  assert.equal((await s.call('GET', `Bearer ${rotated.key}`)).status, 200, 'and so does the new one');
  await assert.rejects(s.keys.rotate('crm-sync', 'test'), /already has 2 keys in use/);
  const listed = await s.keys.list('crm-sync');
  assert.deepEqual(listed.map((k) => k.status).sort(), ['active', 'expiring']);
  assert.ok(listed.every((k) => !('hash' in k)));

  await s.keys.revoke({ keyId: viewer.record._id }, 'test');
  assert.equal((await s.call('GET', `Bearer ${viewer.key}`)).status, 401, 'revoked');
  assert.equal((await s.call('GET', `Bearer ${rotated.key}`)).status, 200);
  const expired = await s.keys.rotate('crm-sync', 'test', 1);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal((await s.call('GET', `Bearer ${rotated.key}`)).status, 401, 'expired after a 1 ms overlap');
  assert.equal((await s.call('GET', `Bearer ${expired.key}`)).status, 200);
});

test('JWTs for people: roles, 401 on a bad token, 403 on a weak role', async (t) => {
  const s = await service(t, await database(t));
  assert.equal((await s.call('GET')).status, 401);
  assert.equal((await s.call('GET', 'Bearer a.b.c')).status, 401);
  assert.equal((await s.call('GET', `Bearer ${await mintToken(TOKENS, 'ann', ['viewer'])}`)).status, 200);
  assert.equal((await s.call('POST', `Bearer ${await mintToken(TOKENS, 'ann', ['viewer'])}`)).status, 403);
  assert.equal((await s.call('POST', `Bearer ${await mintToken(TOKENS, 'bob', ['operator'])}`)).status, 201);
  const other = await mintToken({ ...TOKENS, audience: 'odx-elsewhere' }, 'eve', ['admin']);
  assert.equal((await s.call('GET', `Bearer ${other}`)).status, 401, 'a token for another audience');
});

test('rate limits: 429 with Retry-After per principal; a key carries its own limit', async (t) => {
  const s = await service(t, await database(t), { limit: 3, windowMs: 60_000 });
  const ann = `Bearer ${await mintToken(TOKENS, 'ann', ['viewer'])}`;
  const bob = `Bearer ${await mintToken(TOKENS, 'bob', ['viewer'])}`;
  for (let i = 0; i < 3; i++) assert.equal((await s.call('GET', ann)).status, 200);
  const limited = await s.call('GET', ann);
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.retryAfter) >= 1 && Number(limited.retryAfter) <= 60, `Retry-After ${limited.retryAfter}`);
  assert.equal((await s.call('GET', bob)).status, 200, 'another principal has its own budget');
  const roomy = await s.keys.create({ account: 'bulk', scopes: ['viewer'], rateLimit: 6, createdBy: 'test' });
  for (let i = 0; i < 6; i++) assert.equal((await s.call('GET', `Bearer ${roomy.key}`)).status, 200);
  assert.equal((await s.call('GET', `Bearer ${roomy.key}`)).status, 429);
});

test('audit: a state-changing call is on record (pending) before its effect and with its outcome before the answer', async (t) => {
  const s = await service(t, await database(t));
  const op = `Bearer ${await mintToken(TOKENS, 'olga', ['operator'])}`;
  const res = await s.call('POST', op);
  assert.equal(res.status, 201);
  assert.equal(res.body['pendingSeen'], true, 'the entry existed while the route ran');
  // Read right after the answer arrived: the outcome was written before it left.
  const [entry] = await s.audit.list({ limit: 1 });
  assert.deepEqual(
    {
      actor: entry?.actor,
      role: entry?.role,
      action: entry?.action,
      outcome: entry?.outcome,
      status: entry?.status,
      service: entry?.service,
    },
    { actor: 'olga', role: 'operator', action: 'POST /things', outcome: 'succeeded', status: 201, service: 'svc' },
  );
  assert.equal((await s.call('POST', `Bearer ${await mintToken(TOKENS, 'vic', ['viewer'])}`)).status, 403);
  const [refused] = await s.audit.list({ limit: 1, actor: 'vic' });
  assert.equal(refused?.outcome, 'refused');
  assert.equal(s.effects(), 1);
  await s.call('GET', op);
  assert.equal((await s.audit.list({ limit: 10 })).length, 2, 'reads are not audited');
});

test('audit: append-only: an outcome is a second insert (first one wins), listed with its entry, found by the route action', async (t) => {
  const db = await database(t);
  const audit = new AuditLog(db);
  const base = { service: 'svc', actor: 'olga', role: 'operator', count: 0, details: {} };
  const entries = await Promise.all(
    ['j1', 'j2', 'j3'].map((id) =>
      audit.record({ ...base, action: `POST /v1/jobs/${id}/cancel`, target: `/v1/jobs/${id}/cancel`, outcome: 'pending' }),
    ),
  );
  const [first, second] = entries;
  assert.ok(first && second);
  await audit.complete(first._id, 'succeeded', 202, 'POST /v1/jobs/:id/cancel');
  await audit.complete(first._id, 'failed', 500, 'POST /v1/jobs/:id/cancel');
  await audit.complete(second._id, 'refused', 409, 'POST /v1/jobs/:id/cancel');
  const byRoute = await audit.list({ action: 'POST /v1/jobs/:id/cancel', limit: 10 });
  assert.deepEqual(
    byRoute.map((e) => [e.target, e.outcome, e.status]).sort(),
    [
      ['/v1/jobs/j1/cancel', 'succeeded', 202],
      ['/v1/jobs/j2/cancel', 'refused', 409],
    ],
    'the first outcome wins; the entry without one is not listed under the route',
  );
  const all = await audit.list({ limit: 10 });
  assert.equal(all.length, 3);
  assert.equal(all.find((e) => e.target === '/v1/jobs/j3/cancel')?.outcome, 'pending', 'no outcome yet: still pending');
  const raw = await db.collection<{ _id: string; outcome: string }>('odx_audit').findOne({ _id: first._id });
  assert.equal(raw?.outcome, 'pending', 'the entry itself is never updated');
});

test('SingleFlightCache: a burst costs one computation, the answer is kept for the TTL, failures are not', async () => {
  let computed = 0;
  const cache = new SingleFlightCache<number>(200);
  const slow = () => new Promise<number>((r) => setTimeout(() => r(++computed), 50));
  const answers = await Promise.all(Array.from({ length: 20 }, () => cache.get('k', slow)));
  assert.deepEqual(new Set(answers), new Set([1]));
  assert.equal(await cache.get('k', slow), 1, 'within the TTL');
  await new Promise((r) => setTimeout(r, 250));
  assert.equal(await cache.get('k', slow), 2, 'after the TTL');
  await assert.rejects(cache.get('bad', () => Promise.reject(new Error('boom'))));
  assert.equal(await cache.get('bad', slow), 3, 'a failure is not kept');
  const off = new SingleFlightCache<number>(0);
  await Promise.all([off.get('k', slow), off.get('k', slow)]);
  assert.equal(computed, 5, 'TTL 0: every call computes');
});
