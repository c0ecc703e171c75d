#!/usr/bin/env node
// Entry point behind every `npm run` script. Plain JavaScript on purpose: it
// must run on a fresh clone before any dependency (TypeScript loader included)
// is installed. It installs what is missing, then hands over to the
// TypeScript script that does the work.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** npm script name -> TypeScript entry (relative to the repo root). */
const COMMANDS = {
  start: 'scripts/start.ts',
  test: 'scripts/test.ts',
  stack: 'scripts/stack/cli.ts',
  'schemas:gen': 'schemas/tools/gen-types.ts',
  'schemas:register': 'schemas/tools/register.ts',
  'schemas:check': 'schemas/tools/check.ts',
  'asyncapi:gen': 'schemas/tools/gen-asyncapi.ts',
  'compose:check': 'scripts/compose-check.ts',
  'bench:runtime': 'scripts/bench/runtime.ts',
  'bench:odoo': 'scripts/bench/odoo.ts',
  'bench:fulfillment': 'scripts/bench/fulfillment.ts',
  'bench:edi': 'scripts/bench/edi.ts',
  'bench:replay': 'scripts/bench/replay.ts',
  'bench:sink': 'scripts/bench/sink.ts',
  'bench:store': 'scripts/bench/store.ts',
  'bench:orchestrator': 'scripts/bench/orchestrator.ts',
  'bench:webhooks': 'scripts/bench/webhooks.ts',
  'bench:api': 'scripts/bench/api.ts',
  'soak:restarts': 'scripts/soak/restarts.ts',
  'soak:outage': 'scripts/soak/outage.ts',
  odx: 'packages/cli/src/main.ts',
  'sim:odoo': 'infra/simulators/odoo/src/main.ts',
  'sim:odoo:load': 'infra/simulators/odoo/src/load.ts',
  'sim:wms': 'infra/simulators/wms/src/main.ts',
  'sim:tms': 'infra/simulators/tms/src/main.ts',
};

const [command, ...args] = process.argv.slice(2);
const entry = command ? COMMANDS[command] : undefined;
if (!entry) {
  console.error(`odx: unknown command "${command ?? ''}". Known: ${Object.keys(COMMANDS).join(', ')}`);
  process.exit(2);
}

ensureDependencies();

const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, entry), ...args], {
  cwd: root,
  stdio: 'inherit',
  env: process.env,
});
if (result.error) {
  console.error(`odx: could not run ${entry}: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? (result.signal ? 128 + 1 : 1));

/** Installs npm dependencies when node_modules is missing or older than the lockfile. */
function ensureDependencies() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000);
  if (!stale) return;
  const useCi = existsSync(lock);
  console.error(`odx: installing npm dependencies (npm ${useCi ? 'ci' : 'install'}) ...`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const res = spawnSync(npm, [useCi ? 'ci' : 'install', '--no-audit', '--no-fund'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (res.status !== 0) {
    console.error('odx: npm dependency install failed; see the output above (is the npm registry reachable?)');
    process.exit(1);
  }
}
