import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signWebhook } from '@odx/sim-wms/kit';
import { verifyStandardWebhook, webhookKey } from '../../src/http/index.js';

const secret = `whsec_${Buffer.from('a-test-secret-of-some-length').toString('base64')}`;
const key = webhookKey(secret);
const now = 1_900_000_000;
const body = '{"type":"order.picked","data":{}}';
const headers = (o: { id?: string; ts?: number; sig?: string } = {}) => ({
  id: o.id ?? 'msg_1',
  timestamp: String(o.ts ?? now),
  signature: o.sig ?? signWebhook(secret, o.id ?? 'msg_1', o.ts ?? now, body),
});

test('accepts a Standard Webhooks signature, also among several (key rotation)', () => {
  assert.deepEqual(verifyStandardWebhook(key, headers(), Buffer.from(body), 300, now), { ok: true });
  const rotated = `v1,${Buffer.alloc(32).toString('base64')} ${signWebhook(secret, 'msg_1', now, body)}`;
  assert.deepEqual(verifyStandardWebhook(key, headers({ sig: rotated }), Buffer.from(body), 300, now), { ok: true });
});

test('refuses changed bodies, other ids, timestamps outside the window and missing headers', () => {
  const reason = (h: ReturnType<typeof headers>, b = body) => {
    const r = verifyStandardWebhook(key, h, Buffer.from(b), 300, now);
    return r.ok ? 'ok' : r.reason;
  };
  assert.equal(reason(headers(), `${body} `), 'no_matching_signature');
  assert.equal(reason({ ...headers(), id: 'msg_2' }), 'no_matching_signature');
  assert.equal(reason(headers({ ts: now - 301 })), 'timestamp_out_of_tolerance');
  assert.equal(reason(headers({ ts: now + 301 })), 'timestamp_out_of_tolerance');
  assert.equal(reason({ ...headers(), timestamp: '1e9' }), 'invalid_timestamp');
  assert.equal(reason({ ...headers(), signature: '' }), 'missing_header');
  assert.equal(reason({ ...headers(), signature: 'v2,abc' }), 'no_matching_signature');
});

test('a mounted webhook route counts deliveries by outcome on /metrics', async (t) => {
  const { createHttpApp, HttpProblem: Problem, mountStandardWebhook: mount } = await import('../../src/http/index.js');
  const { createLogger } = await import('../../src/logging/index.js');
  const { createRuntimeMetrics } = await import('../../src/telemetry/index.js');
  const { Writable } = await import('node:stream');
  const logger = createLogger({ service: 'test', level: 'error', stream: new Writable({ write: (_c, _e, cb) => cb() }) });
  const http = createHttpApp({ logger, metrics: createRuntimeMetrics('test', { defaultMetrics: false }), readiness: [] });
  mount(http, '/v1/webhooks/x', async (d) => {
    const body = JSON.parse(d.rawBody.toString()) as { fail?: string };
    if (body.fail === 'sig') throw new Problem(401, 'Unauthorized', 'bad signature');
    if (body.fail === 'kafka') throw new Problem(503, 'Service Unavailable', 'Kafka down', { retryAfterSeconds: 5 });
    return { ok: true };
  });
  const server = await http.listen(0, '127.0.0.1');
  t.after(() => http.close());
  const base = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
  const post = (body: unknown): Promise<Response> =>
    fetch(`${base}/v1/webhooks/x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal((await post({})).status, 200);
  assert.equal((await post({})).status, 200);
  assert.equal((await post({ fail: 'sig' })).status, 401);
  const unavailable = await post({ fail: 'kafka' });
  assert.equal(unavailable.status, 503);
  assert.equal(unavailable.headers.get('retry-after'), '5');
  const metrics = await (await fetch(`${base}/metrics`)).text();
  const sample = (outcome: string): number =>
    Number(new RegExp(`odx_webhook_deliveries_total\\{route="/v1/webhooks/x",outcome="${outcome}"[^}]*\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
  assert.deepEqual([sample('accepted'), sample('rejected'), sample('failed')], [2, 1, 1]);
});
