import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifyStandardWebhook, webhookKey } from '@odx/runtime';
import { Webhook } from 'standardwebhooks';
import { generateSecret, signatureHeader, signedHeaders } from '../../src/delivery/sign.js';

test('the standardwebhooks library verifies a delivery signed with either of two active secrets', () => {
  const [oldSecret, newSecret] = [generateSecret(), generateSecret()];
  const body = JSON.stringify({ specversion: '1.0', id: 'evt-1', data: { a: 'ü€' } });
  const headers = signedHeaders([oldSecret, newSecret], 'evt-1', body);
  assert.equal(headers['webhook-signature'].split(' ').length, 2);
  for (const secret of [oldSecret, newSecret]) assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
  assert.throws(() => new Webhook(generateSecret()).verify(body, headers), /signature/i);
  assert.throws(() => new Webhook(oldSecret).verify(`${body} `, headers), /signature/i);
});

test('the signature is v1,<base64 HMAC-SHA256 of id.timestamp.body> and the runtime verifier agrees', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  // The example of the Standard Webhooks specification.
  const body = '{"test": 2432232314}';
  assert.equal(
    signatureHeader([webhookKey(secret)], 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body),
    'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  );
  const h = signedHeaders([secret], 'id-1', body, 1_700_000_000);
  const check = verifyStandardWebhook(
    webhookKey(secret),
    { id: h['webhook-id'], timestamp: h['webhook-timestamp'], signature: h['webhook-signature'] },
    Buffer.from(body),
    300,
    1_700_000_010,
  );
  assert.deepEqual(check, { ok: true });
});

test('generated secrets are whsec_ with 32 bytes and differ', () => {
  const a = generateSecret();
  assert.match(a, /^whsec_[A-Za-z0-9+/]+=*$/);
  assert.equal(Buffer.from(a.slice(6), 'base64').length, 32);
  assert.notEqual(a, generateSecret());
});
