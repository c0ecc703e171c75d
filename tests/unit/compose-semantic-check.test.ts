// compose:check's semantic half: the environment docker-compose.yml gives each ODX service must satisfy that
// service's own config. The compose file as it was before issue 16 (fixtures/docker-compose.before-issue-16.yml,
// never started by anyone) fails it with the defects the issue found by reading; today's file passes.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkComposeFile } from '../../scripts/compose-check.js';
import { interpolate } from '../../scripts/compose/interpolate.js';
import { REPO_ROOT } from '../../scripts/repo-root.js';

/** Only what a shell needs: no ODOO_URL or secret from the machine running the test. */
const bareEnv = { PATH: process.env['PATH'], HOME: process.env['HOME'] };

/** A copy of `content` as docker-compose.yml in a folder whose infra/ is the repo's (build context and mounts). */
function composeCopy(t: { after(fn: () => void): void }, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'odx-compose-semantic-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  symlinkSync(join(REPO_ROOT, 'infra'), join(dir, 'infra'));
  const file = join(dir, 'docker-compose.yml');
  writeFileSync(file, content);
  return file;
}

test('the compose file before issue 16 fails: replay-dlq lacks its JWT secret, edi-gateway writes outside its volume, dev secrets', (t) => {
  const old = readFileSync(join(REPO_ROOT, 'tests/unit/fixtures/docker-compose.before-issue-16.yml'), 'utf8');
  const { problems } = checkComposeFile(composeCopy(t, old), bareEnv);
  const has = (pattern: RegExp): boolean => problems.some((p) => pattern.test(p));
  assert.ok(
    has(/^services\.replay-dlq: replay-dlq's own config refuses .*ODX_REPLAY_JWT_SECRET: is required but not set/),
    `replay-dlq's missing secret is reported:\n${problems.join('\n')}`,
  );
  assert.ok(
    has(/^services\.edi-gateway: writes the partner folders \(EDI_FOLDER_ROOT\) to \/app\/var\/edi, which is on no volume/),
    `edi-gateway's folder outside the edi-data volume is reported:\n${problems.join('\n')}`,
  );
  assert.ok(has(/^services\.wms-bridge: wms-bridge webhook\.secret is the WMS simulator's built-in webhook secret/), problems.join('\n'));
  assert.ok(has(/^services\.tms-bridge: tms-bridge webhook\.secret is .*built-in webhook secret/), problems.join('\n'));
  assert.ok(has(/^services\.odoo-outbox-poller: odoo-outbox-poller odoo\.password is Odoo's stock admin password/), problems.join('\n'));
  // Nothing about the structure: the file was well-formed, it just could not start.
  assert.deepEqual(
    problems.filter((p) => !/runtime auth\.jwt\.secret|known development secret|own config refuses|on no volume/.test(p)),
    [],
  );
});

test("today's docker-compose.yml passes, with placeholders for the secrets it requires", () => {
  const result = checkComposeFile(join(REPO_ROOT, 'docker-compose.yml'), bareEnv);
  assert.deepEqual(result.problems, []);
  for (const name of ['ODX_REPLAY_JWT_SECRET', 'ODX_AUTH_JWT_SECRET', 'WMS_WEBHOOK_SECRET', 'TMS_WEBHOOK_SECRET', 'ODOO_PASSWORD'])
    assert.ok(result.placeholders.includes(name), `${name} is required (got ${result.placeholders.join(', ')})`);
});

test('a service given a known dev secret, or a folder off its volume, fails the check', (t) => {
  const current = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
  const broken = current.replace('      EDI_FOLDER_ROOT: "/var/lib/odx/edi"\n', '      EDI_FOLDER_ROOT: "/var/lib/odx/edi-elsewhere"\n');
  assert.notEqual(broken, current);
  const devSecret = 'whsec_b2R4LXNpbXVsYXRvci13ZWJob29rLXNlY3JldC1kZXY=';
  const { problems } = checkComposeFile(composeCopy(t, broken), { ...bareEnv, WMS_WEBHOOK_SECRET: devSecret });
  assert.ok(
    problems.some((p) => p.startsWith('services.edi-gateway: writes the partner folders (EDI_FOLDER_ROOT) to /var/lib/odx/edi-elsewhere')),
  );
  assert.ok(
    problems.some((p) => p.startsWith("services.wms-bridge: wms-bridge webhook.secret is the WMS simulator's built-in webhook secret")),
  );
});

test('interpolation follows compose: defaults, required variables, $$', () => {
  assert.deepEqual(interpolate('${A:-x}/${B-y}/$$C/${D:+set}', { B: '', D: '1' }), { value: 'x//$C/set', required: [] });
  const required = interpolate('${S:?set S: a secret}', {});
  assert.deepEqual(required.required, [{ name: 'S', message: 'set S: a secret' }]);
  assert.ok(required.value.length >= 32);
  assert.equal(interpolate('${S:?x}', { S: 'given' }).value, 'given');
});
