import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blockedRange, checkTarget, checkUrlForm, guardedLookup, TargetRefused } from '../../src/delivery/ssrf-guard.js';

test('private, loopback, link-local and other non-public addresses are blocked; public unicast is not', () => {
  const blocked = [
    '127.0.0.1',
    '127.8.9.10',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '0.0.0.0',
    '100.64.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    '::ffff:10.0.0.1',
    '::ffff:127.0.0.1',
    'ff02::1',
  ];
  for (const a of blocked) assert.ok(blockedRange(a), a);
  for (const a of ['93.184.216.34', '8.8.8.8', '2606:2800:220:1:248:1893:25c8:1946', '::ffff:93.184.216.34'])
    assert.equal(blockedRange(a), undefined, a);
  assert.equal(blockedRange('not-an-ip'), 'not an IP address');
});

test('URL forms: http(s) only, no credentials, no fragment', () => {
  for (const bad of [
    'ftp://x.example/',
    'file:///etc/passwd',
    'gopher://x',
    'javascript:alert(1)',
    'https://u:p@x.example/',
    'https://x.example/#f',
    'not a url',
    '//x.example',
  ])
    assert.throws(() => checkUrlForm(bad), TargetRefused, bad);
  assert.equal(checkUrlForm('https://x.example:8443/a?b=c').host, 'x.example:8443');
});

test('names are resolved and every address checked (one private address is enough to refuse)', async () => {
  const dns = (answers: Record<string, string[]>) => async (host: string) =>
    (answers[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  const resolve = dns({
    'ok.example': ['93.184.216.34'],
    'mixed.example': ['93.184.216.34', '10.0.0.5'],
    'meta.example': ['169.254.169.254'],
    'none.example': [],
  });
  assert.equal((await checkTarget('https://ok.example/h', { allowPrivate: false }, resolve)).length, 1);
  await assert.rejects(checkTarget('https://mixed.example/h', { allowPrivate: false }, resolve), /10\.0\.0\.5 is private/);
  await assert.rejects(checkTarget('https://meta.example/h', { allowPrivate: false }, resolve), /linkLocal/);
  await assert.rejects(checkTarget('https://none.example/h', { allowPrivate: false }, resolve), /no address/);
  // IP literals in every spelling the URL parser normalizes.
  for (const u of [
    'http://127.0.0.1/',
    'http://0x7f000001/',
    'http://2130706433/',
    'http://[::1]/',
    'http://[::ffff:7f00:1]/',
    'http://0/',
  ])
    await assert.rejects(checkTarget(u, { allowPrivate: false }, resolve), TargetRefused, u);
  await checkTarget('http://127.0.0.1:9/', { allowPrivate: true }, resolve);
  await assert.rejects(
    checkTarget('https://nx.invalid/', { allowPrivate: false }, async () =>
      Promise.reject(Object.assign(new Error('x'), { code: 'ENOTFOUND' })),
    ),
    /does not resolve \(ENOTFOUND\)/,
  );
});

test('the connection-time lookup refuses a name that now resolves to a private address (DNS rebinding)', async () => {
  const lookup = guardedLookup({ allowPrivate: false }, async () => [{ address: '10.9.9.9', family: 4 }]);
  const err = await new Promise<unknown>((resolve) => lookup('rebind.example', {}, (e) => resolve(e)));
  assert.ok(err instanceof TargetRefused);
  const ok = guardedLookup({ allowPrivate: false }, async () => [{ address: '93.184.216.34', family: 4 }]);
  const [e2, address, family] = await new Promise<unknown[]>((resolve) => ok('fine.example', {}, (...args) => resolve(args)));
  assert.equal(e2, null);
  assert.equal(address, '93.184.216.34');
  assert.equal(family, 4);
});
