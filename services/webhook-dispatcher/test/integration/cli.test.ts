import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mintToken } from '@odx/runtime';
import { run } from '@odx/cli';
import { startReceiver, startService } from '../support/service-kit.js';

/** Runs `odx ...` in-process against the service; answers exit code and output. */
async function odx(env: NodeJS.ProcessEnv, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env });
  return { code, out, err };
}

test('odx webhooks add|list|test|disable against the service, and bad arguments', async (t) => {
  const s = await startService(t);
  const rx = await startReceiver(t);
  const env = { ODX_WEBHOOKS_URL: s.url, ODX_WEBHOOKS_TOKEN: await mintToken(s.config.auth, 'cli-user', ['operator']) };

  const added = await odx(
    env,
    'webhooks',
    'add',
    '--name',
    'crm',
    '--endpoint',
    rx.url,
    '--events',
    'OrderConfirmed,OrderCancelled',
    '--field',
    'order.customer.ref=C-1,C-2',
    '--json',
  );
  assert.equal(added.code, 0, added.err);
  const { subscription, secret } = JSON.parse(added.out);
  assert.match(secret, /^whsec_/);
  assert.deepEqual(subscription.field, { path: 'order.customer.ref', in: ['C-1', 'C-2'] });

  const listed = await odx(env, 'webhooks', 'list');
  assert.equal(listed.code, 0);
  assert.match(listed.out, new RegExp(`${subscription.id}\\s+crm\\s+active`));
  assert.equal(listed.out.includes(secret), false);

  const tested = await odx(env, 'webhooks', 'test', subscription.id);
  assert.equal(tested.code, 0, tested.err);
  assert.match(tested.out, /^delivered .*HTTP 204/);
  assert.equal(rx.received.length, 1);

  assert.match((await odx(env, 'webhooks', 'disable', subscription.id, '--reason', 'migration')).out, /^disabled /);
  assert.match((await odx(env, 'webhooks', 'disable', subscription.id)).out, /disabled already/);
  assert.match((await odx(env, 'webhooks', 'list', '--status', 'disabled')).out, /disabled \(by cli-user: migration\)/);

  assert.equal((await odx(env, 'webhooks', 'disable', 'not-a-uuid')).code, 2);
  assert.equal((await odx(env, 'webhooks', 'add', '--name', 'x', '--endpoint', rx.url, '--field', 'novalue')).code, 2);
  assert.equal((await odx(env, 'webhooks', 'add', '--endpoint', rx.url)).code, 2, 'missing --name');
  const refused = await odx(env, 'webhooks', 'add', '--name', 'x', '--endpoint', 'ftp://example.com/');
  assert.equal(refused.code, 2, refused.err);
  const anonymous = await odx({ ODX_WEBHOOKS_URL: s.url }, 'webhooks', 'list');
  assert.equal(anonymous.code, 3, anonymous.err);
  const viewer = await odx(
    { ...env, ODX_WEBHOOKS_TOKEN: await mintToken(s.config.auth, 'v', ['viewer']) },
    'webhooks',
    'test',
    subscription.id,
  );
  assert.equal(viewer.code, 3);
});
