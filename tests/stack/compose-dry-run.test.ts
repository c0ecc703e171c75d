// `npm run compose:dry-run` as a test: every service docker-compose.yml runs (the nine ODX services and the demo
// profile's simulators) starts as a local process with the environment compose gives it, mapped to the local
// stack, and answers /readyz; the run removes its topics, groups, ACLs and database afterwards.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { composeDryRun } from '../../scripts/compose/dry-run.js';
import { REPO_ROOT } from '../../scripts/repo-root.js';

test('every compose service starts with its compose environment and answers /readyz', { timeout: 300_000 }, async () => {
  const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { build?: unknown }>;
  };
  const built = Object.entries(compose.services)
    .filter(([, s]) => s.build !== undefined)
    .map(([name]) => name);
  const result = await composeDryRun({ log: (line) => console.log(line) });
  assert.deepEqual(result.ready.map((r) => r.service).sort(), [...built].sort(), 'every built compose service was ready');
  for (const dir of readdirSync(join(REPO_ROOT, 'services')))
    assert.ok(
      result.ready.some((r) => r.service === dir && r.url.endsWith('/readyz')),
      `${dir} answered /readyz`,
    );
  console.log(`compose dry run: ${result.ready.length} processes ready in ${(result.totalMs / 1000).toFixed(1)} s`);
});
