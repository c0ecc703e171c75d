// ODX runs on the Node version in .nvmrc: scripts/odx.mjs fetches it when the machine's Node is older, and
// engines, the service image and this very test run agree with it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../scripts/repo-root.js';

const wanted = readFileSync(join(REPO_ROOT, '.nvmrc'), 'utf8').trim();
const major = Number(wanted.split('.')[0]);

test('.nvmrc names an exact Node LTS version, and engines and the service image use its major', () => {
  assert.match(wanted, /^\d+\.\d+\.\d+$/, '.nvmrc holds an exact version, so every machine fetches the same binary');
  assert.ok(major >= 24 && major % 2 === 0, `an LTS line, 24 or newer (got ${wanted})`);
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
  assert.equal(pkg.engines.node, `>=${major}`);
  const dockerfile = readFileSync(join(REPO_ROOT, 'infra/docker/service.Dockerfile'), 'utf8');
  const bases = [...dockerfile.matchAll(/^FROM node:(\d+)-/gm)].map((m) => Number(m[1]));
  assert.ok(bases.length > 0 && bases.every((b) => b === major), `every FROM node:${major}-..., got ${bases.join(', ')}`);
});

test('npm test runs on that Node, whatever the machine has (scripts/odx.mjs fetched it when the system Node was older)', () => {
  assert.ok(
    Number(process.versions.node.split('.')[0]) >= major,
    `this test runs on Node ${process.versions.node}, older than .nvmrc's ${wanted}: the bootstrap did not switch`,
  );
});

test('ODX_NODE pointing at a missing binary is a one-line error, not a stack trace', () => {
  const res = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/odx.mjs'), 'stack', '--help'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, ODX_NODE: '/nonexistent/bin/node' },
  });
  assert.equal(res.status, 1);
  assert.equal(res.stderr.trim(), 'odx: ODX_NODE=/nonexistent/bin/node: no such file (set it to a Node binary, or to "system")');
});

test('ODX_NODE=system keeps the running Node', () => {
  const res = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/odx.mjs'), 'sim:wms', '--help'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, ODX_NODE: 'system' },
  });
  assert.equal(res.status, 0, res.stderr);
  assert.match(res.stdout + res.stderr, /usage|Usage/);
});
