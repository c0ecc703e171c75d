// `npm run compose:dry-run` as a test: every service docker-compose.yml runs (the nine ODX services and the demo
// profile's simulators) starts as a local process with the environment compose gives it, mapped to the local
// stack, and answers /readyz; the run removes its topics, groups, ACLs and database afterwards. Then the same
// with what the images hold (scripts/image/layout.ts, laid out outside the repository so nothing resolves
// from its node_modules): compiled JS and production dependencies only.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { composeDryRun, type DryRunResult } from '../../scripts/compose/dry-run.js';
import { compileWorkspaces, imageTargets, layoutTarget } from '../../scripts/image/layout.js';
import { REPO_ROOT } from '../../scripts/repo-root.js';

function assertAllReady(result: DryRunResult): void {
  const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { build?: unknown }>;
  };
  const built = Object.entries(compose.services)
    .filter(([, s]) => s.build !== undefined)
    .map(([name]) => name);
  assert.deepEqual(result.ready.map((r) => r.service).sort(), [...built].sort(), 'every built compose service was ready');
  for (const dir of readdirSync(join(REPO_ROOT, 'services')))
    assert.ok(
      result.ready.some((r) => r.service === dir && r.url.endsWith('/readyz')),
      `${dir} answered /readyz`,
    );
}

test('every compose service starts with its compose environment and answers /readyz', { timeout: 300_000 }, async () => {
  const result = await composeDryRun({ log: (line) => console.log(line) });
  assertAllReady(result);
  console.log(`compose dry run: ${result.ready.length} processes ready in ${(result.totalMs / 1000).toFixed(1)} s`);
});

test('the image contents (compiled JS, production dependencies) start the same way', { timeout: 600_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'odx-image-layout-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  compileWorkspaces(join(dir, '.build'));
  for (const target of imageTargets()) layoutTarget(target, join(dir, '.build'), join(dir, target.name));
  const result = await composeDryRun({ layoutDir: dir, log: (line) => console.log(line) });
  assertAllReady(result);
  console.log(`compose dry run on the image layout: ${result.ready.length} processes ready in ${(result.totalMs / 1000).toFixed(1)} s`);
});
