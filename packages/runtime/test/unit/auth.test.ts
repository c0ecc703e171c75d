import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { ROLES, TokenRejected, grants, mintToken, strongestRole, verifyToken } from '../../src/auth/index.js';

const settings = { secret: 's'.repeat(32), issuer: 'odx', audience: 'odx-replay-dlq' };

test('roles nest: admin ⊇ operator ⊇ viewer', () => {
  assert.ok(grants('admin', 'operator') && grants('admin', 'viewer') && grants('operator', 'viewer'));
  assert.ok(!grants('viewer', 'operator') && !grants('operator', 'admin') && !grants('viewer', 'admin'));
  for (const r of ROLES) assert.ok(grants(r, r));
  assert.equal(strongestRole(['viewer', 'admin', 'operator']), 'admin');
  assert.equal(strongestRole(['root', 42, null, 'viewer']), 'viewer');
  assert.equal(strongestRole(['ADMIN', 'superuser']), undefined);
});

test('minted tokens verify to their subject and strongest role', async () => {
  const t = await mintToken(settings, 'alice', ['viewer', 'operator']);
  assert.deepEqual(await verifyToken(settings, t), { subject: 'alice', role: 'operator' });
  // A single `role` claim (other issuers' habit) is understood too.
  const single = await new SignJWT({ role: 'admin' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('bob')
    .setIssuer('odx')
    .setAudience('odx-replay-dlq')
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(settings.secret));
  assert.deepEqual(await verifyToken(settings, single), { subject: 'bob', role: 'admin' });
});

test('tokens are rejected when expired, for another audience or issuer, re-signed, or tampered with', async () => {
  const expired = await mintToken(settings, 'alice', ['admin'], -10);
  await assert.rejects(verifyToken(settings, expired), (e: unknown) => e instanceof TokenRejected && /expired/.test(e.message));
  await assert.rejects(verifyToken({ ...settings, audience: 'other' }, await mintToken(settings, 'a', ['admin'])), TokenRejected);
  await assert.rejects(verifyToken({ ...settings, issuer: 'other' }, await mintToken(settings, 'a', ['admin'])), TokenRejected);
  await assert.rejects(verifyToken(settings, await mintToken({ ...settings, secret: 't'.repeat(32) }, 'a', ['admin'])), TokenRejected);
  const good = await mintToken(settings, 'alice', ['viewer']);
  const [h, p, sig] = good.split('.') as [string, string, string];
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
  payload.roles = ['admin'];
  const tampered = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${sig}`;
  await assert.rejects(verifyToken(settings, tampered), TokenRejected);
  await assert.rejects(verifyToken(settings, await mintToken(settings, 'a', [] as never)), /no known role/);
});

test('arbitrary strings never verify and never throw anything but TokenRejected', async () => {
  await fc.assert(
    fc.asyncProperty(fc.string({ maxLength: 300 }), async (s) => {
      await assert.rejects(verifyToken(settings, s), TokenRejected);
    }),
    { numRuns: 200 },
  );
});

test('settings with several audiences accept a token for any of them and mint for the first', async () => {
  const both = { ...settings, audience: ['odx-order-orchestrator', 'odx-replay-dlq'] };
  const fromReplay = await mintToken(settings, 'alice', ['operator']);
  assert.deepEqual(await verifyToken(both, fromReplay), { subject: 'alice', role: 'operator' });
  const minted = await mintToken(both, 'bob', ['viewer']);
  await assert.rejects(verifyToken(settings, minted), TokenRejected, 'minted for the orchestrator, not for replay-dlq');
  assert.deepEqual(await verifyToken({ ...settings, audience: 'odx-order-orchestrator' }, minted), { subject: 'bob', role: 'viewer' });
  await assert.rejects(verifyToken({ ...settings, audience: ['a', 'b'] }, fromReplay), TokenRejected);
});
