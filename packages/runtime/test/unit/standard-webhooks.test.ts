import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signWebhook } from '@odx/sim-wms/kit';
import { verifyStandardWebhook, webhookKey } from '../../src/http/index.js';

const secret = `whsec_${Buffer.from('a-test-secret-of-some-length').toString('base64')}`;
const key = webhookKey(secret);
const now = 1_900_000_000;
const body = '{"type":"order.picked","data":{}}';
const headers = (o: { id?: string; ts?: number; sig?: string } = {}) => ({
  id: o.id ?? 'msg_1', timestamp: String(o.ts ?? now), signature: o.sig ?? signWebhook(secret, o.id ?? 'msg_1', o.ts ?? now, body),
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
