import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { SignJWT, UnsecuredJWT } from 'jose';
import { ROLES, grants, mintToken } from '@odx/runtime';
import { ENDPOINTS } from '../../src/http/routes.js';
import { startService } from '../support/service-kit.js';

/** Concrete paths for the route patterns (resources need not exist: auth is checked first). */
function concrete(path: string): string {
  return path.replace(':topic', 'test.auth.nothing.grp.dlq').replace(':id', randomUUID()).replace(':group', 'auth-test-group');
}

test('every endpoint refuses missing, malformed, forged and expired credentials (401) and too weak a role (403)', async (t) => {
  const s = await startService(t);
  const settings = s.config.auth;
  const key = new TextEncoder().encode(settings.secret);
  const forged = await mintToken({ ...settings, secret: 'x'.repeat(40) }, 'mallory', ['admin']);
  const expired = await new SignJWT({ roles: ['admin'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('old')
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt(1_000)
    .setExpirationTime(2_000)
    .sign(key);
  const otherAudience = await mintToken({ ...settings, audience: 'some-other-service' }, 'eve', ['admin']);
  const noRole = await new SignJWT({ roles: ['superuser'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('x')
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setExpirationTime('1h')
    .sign(key);
  const unsigned = new UnsecuredJWT({ roles: ['admin'] })
    .setSubject('x')
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setExpirationTime('1h')
    .encode();
  const noExp = await new SignJWT({ roles: ['admin'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('x')
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .sign(key);
  const badHeaders: Array<[string, string | undefined]> = [
    ['none', undefined],
    ['basic', 'Basic YWRtaW46YWRtaW4='],
    ['garbage', 'Bearer not-a-jwt'],
    ['forged', `Bearer ${forged}`],
    ['expired', `Bearer ${expired}`],
    ['other audience', `Bearer ${otherAudience}`],
    ['unknown role', `Bearer ${noRole}`],
    ['alg none', `Bearer ${unsigned}`],
    ['no expiry', `Bearer ${noExp}`],
  ];
  // The table covers every route the service mounts (a new route without an entry fails here).
  interface Layer {
    route?: { path: string; methods: Record<string, boolean> };
  }
  const mounted = (s.rt.http.api.stack as Layer[]).flatMap((l) =>
    l.route ? Object.keys(l.route.methods).map((m) => `${m.toUpperCase()} ${l.route!.path}`) : [],
  );
  assert.deepEqual(mounted.sort(), ENDPOINTS.map((e) => `${e.method} ${e.path}`).sort());
  let checked = 0;
  for (const e of ENDPOINTS) {
    const url = `${s.url}${concrete(e.path)}`;
    const body = e.method === 'POST' ? { body: '{}', headers: { 'content-type': 'application/json' } } : {};
    for (const [name, header] of badHeaders) {
      const res = await fetch(url, {
        method: e.method,
        ...body,
        headers: { ...(body.headers ?? {}), ...(header ? { authorization: header } : {}) },
      });
      assert.equal(res.status, 401, `${e.method} ${e.path} with ${name} credentials -> ${res.status}`);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
      checked++;
    }
    for (const role of ROLES) {
      const res = await fetch(url, {
        method: e.method,
        ...body,
        headers: { ...(body.headers ?? {}), authorization: `Bearer ${await s.token(role)}` },
      });
      if (grants(role, e.role)) assert.ok(res.status !== 401 && res.status !== 403, `${e.method} ${e.path} as ${role} -> ${res.status}`);
      else assert.equal(res.status, 403, `${e.method} ${e.path} as ${role} -> ${res.status}`);
      checked++;
    }
  }
  assert.equal(checked, ENDPOINTS.length * (badHeaders.length + ROLES.length));
  // Unknown paths are no way around it either.
  assert.equal((await fetch(`${s.url}/admin/secret`)).status, 401);
  // Health and metrics stay open for probes.
  assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
  const who = await s.call('GET', '/whoami', 'operator');
  assert.deepEqual(who.body, { subject: 'operator-user', role: 'operator' });
});
