import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Writable } from 'node:stream';
import { z } from 'zod';
import { HttpProblem, createHttpApp } from '../../src/http/index.js';
import { createLogger } from '../../src/logging/index.js';
import { createRuntimeMetrics } from '../../src/telemetry/index.js';

const quiet = createLogger({ service: 'test', level: 'error', stream: new Writable({ write: (_c, _e, cb) => cb() }) });

async function startApp(t: { after: (fn: () => Promise<void>) => void }, healthy = true) {
  const http = createHttpApp({
    logger: quiet,
    metrics: createRuntimeMetrics('test', { defaultMetrics: false }),
    readiness: [
      { name: 'kafka', check: async () => undefined },
      {
        name: 'mongo',
        check: async () => {
          if (!healthy) throw new Error('connection refused');
        },
      },
    ],
    bodyLimit: '1kb',
    authenticate: (req, _res, next) => {
      if (req.headers.authorization !== 'Bearer good') return next(new HttpProblem(401, 'Unauthorized', 'missing or invalid credentials'));
      next();
    },
  });
  const body = z.object({ sku: z.string().min(1), qty: z.number().int().positive() });
  http.api.post('/v1/things', (req, res) => {
    const parsed = body.parse(req.body);
    res.status(201).json(parsed);
  });
  http.api.get('/v1/boom', () => {
    throw new Error('secret internal detail');
  });
  const server = await http.listen(0, '127.0.0.1');
  t.after(() => http.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const auth = { authorization: 'Bearer good', 'content-type': 'application/json' };

test('health, readiness and metrics need no credentials', async (t) => {
  const base = await startApp(t);
  const health = (await (await fetch(`${base}/healthz`)).json()) as Record<string, unknown>;
  assert.equal(health['status'], 'ok');
  assert.equal(health['node'], process.version, '/healthz says which Node runs the service');
  assert.equal(health['pid'], process.pid);
  assert.ok(!Number.isNaN(Date.parse(String(health['startedAt']))));
  const ready = await fetch(`${base}/readyz`);
  assert.equal(ready.status, 200);
  const metrics = await (await fetch(`${base}/metrics`)).text();
  assert.match(metrics, /odx_http_request_seconds/);
});

test('readyz answers 503 naming the failing dependency', async (t) => {
  const base = await startApp(t, false);
  const res = await fetch(`${base}/readyz`);
  assert.equal(res.status, 503);
  const body = (await res.json()) as { ready: boolean; checks: Record<string, { ok: boolean; error?: string }> };
  assert.equal(body.ready, false);
  assert.equal(body.checks['mongo']?.error, 'connection refused');
  assert.equal(body.checks['kafka']?.ok, true);
});

test('each scrape of /metrics checks readiness afresh: odx_readiness_check_ok is 1 per passing check, 0 per failing one', async (t) => {
  const base = await startApp(t, false);
  const metrics = await (await fetch(`${base}/metrics`)).text();
  assert.match(metrics, /^odx_readiness_check_ok\{check="kafka",service="test"\} 1$/m);
  assert.match(metrics, /^odx_readiness_check_ok\{check="mongo",service="test"\} 0$/m);
});

test('API routes: 401 without credentials, problem+json for bad input, 201 for good', async (t) => {
  const base = await startApp(t);
  const unauth = await fetch(`${base}/v1/things`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
  assert.equal(unauth.status, 401);
  assert.equal(unauth.headers.get('content-type'), 'application/problem+json; charset=utf-8');

  const malformed = await fetch(`${base}/v1/things`, { method: 'POST', body: '{"sku": ', headers: auth });
  assert.equal(malformed.status, 400);
  assert.match(((await malformed.json()) as { detail: string }).detail, /malformed JSON/);

  const invalid = await fetch(`${base}/v1/things`, { method: 'POST', body: JSON.stringify({ sku: '', qty: -1 }), headers: auth });
  assert.equal(invalid.status, 400);
  const problem = (await invalid.json()) as { errors: Array<{ field: string }> };
  assert.deepEqual(problem.errors.map((e) => e.field).sort(), ['qty', 'sku']);

  const huge = await fetch(`${base}/v1/things`, {
    method: 'POST',
    body: JSON.stringify({ sku: 'x'.repeat(5_000), qty: 1 }),
    headers: auth,
  });
  assert.equal(huge.status, 413);

  const proto = await fetch(`${base}/v1/things`, {
    method: 'POST',
    body: '{"__proto__": {"admin": true}, "sku": "A", "qty": 1}',
    headers: auth,
  });
  assert.equal(proto.status, 201);
  assert.deepEqual(await proto.json(), { sku: 'A', qty: 1 });

  const ok = await fetch(`${base}/v1/things`, { method: 'POST', body: JSON.stringify({ sku: 'A-1', qty: 2 }), headers: auth });
  assert.equal(ok.status, 201);
});

test('unknown routes are 404 and internal errors do not leak details', async (t) => {
  const base = await startApp(t);
  const missing = await fetch(`${base}/v1/nope`, { headers: auth });
  assert.equal(missing.status, 404);
  const boom = await fetch(`${base}/v1/boom`, { headers: auth });
  assert.equal(boom.status, 500);
  const text = await boom.text();
  assert.doesNotMatch(text, /secret internal detail/);
});

test('API routes: the caller is authenticated before the body is read', async (t) => {
  const base = await startApp(t);
  const { request } = await import('node:http');
  // A JSON body that is never finished: an app that parsed it before checking the token would never answer.
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(`${base}/v1/things`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '900' } });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
    req.write('{"sku": "');
    setTimeout(() => {
      req.destroy();
      reject(new Error('no answer within 3 s: the body is read before the token is checked'));
    }, 3_000).unref();
  });
  assert.equal(status, 401);
});
