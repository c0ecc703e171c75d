#!/usr/bin/env node
// Entry point behind every `npm run` script. Plain JavaScript on purpose: it
// must run on a fresh clone before any dependency (TypeScript loader included)
// is installed, on whatever Node the machine has. It brings the Node version
// ODX runs on (.nvmrc) when the machine's is older, installs the npm
// dependencies when they are missing, then hands over to the TypeScript
// script that does the work, under that Node.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
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
  'compose:dry-run': 'scripts/compose/dry-run.ts',
  'image:layout': 'scripts/image/layout.ts',
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
  'bench:start-memory': 'scripts/bench/start-memory.ts',
  'bench:all': 'scripts/bench/all.ts',
  'soak:restarts': 'scripts/soak/restarts.ts',
  'soak:outage': 'scripts/soak/outage.ts',
  chaos: 'scripts/chaos/chaos.ts',
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

const node = ensureNode();
// Whatever the scripts start (`process.execPath`, `node`, `npm`) runs on that Node too.
const env = node === process.execPath ? process.env : { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` };
ensureDependencies(env);

const result = spawnSync(node, ['--import', 'tsx', join(root, entry), ...args], {
  cwd: root,
  stdio: 'inherit',
  env,
});
if (result.error) {
  console.error(`odx: could not run ${entry}: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? (result.signal ? 128 + 1 : 1));

/**
 * The Node binary to run on: this one when it is at least the major version in
 * .nvmrc, else that exact version, fetched once from the npm registry (the
 * `node-<platform>-<arch>` package the `node` package installs from) into
 * $ODX_HOME/node/. ODX_NODE=system keeps the running Node whatever its version;
 * ODX_NODE=<path> uses that binary.
 */
function ensureNode() {
  const wanted = readFileSync(join(root, '.nvmrc'), 'utf8').trim().replace(/^v/, '');
  const major = (v) => Number(v.split('.')[0]);
  const choice = process.env.ODX_NODE?.trim();
  if (choice === 'system') return process.execPath;
  if (choice) {
    if (!existsSync(choice)) fail(`ODX_NODE=${choice}: no such file (set it to a Node binary, or to "system")`);
    return resolve(choice);
  }
  if (major(process.versions.node) >= major(wanted)) return process.execPath;
  const home = resolve(process.env.ODX_HOME?.trim() || join(homedir(), '.cache', 'odx'));
  const dir = join(home, 'node', `v${wanted}`);
  const bin = join(dir, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (existsSync(bin)) return bin;
  const pkg = `node-${process.platform}-${process.arch}@${wanted}`;
  console.error(`odx: this is Node ${process.versions.node}; ODX runs on Node ${wanted} (.nvmrc). Fetching ${pkg} from the npm registry into ${dir} (once) ...`);
  mkdirSync(dirname(dir), { recursive: true });
  const tmp = mkdtempSync(join(dirname(dir), `.v${wanted}-`));
  try {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const packed = spawnSync(npm, ['pack', pkg, '--pack-destination', tmp, '--silent'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const tarball = packed.stdout?.trim().split('\n').pop();
    if (packed.status !== 0 || !tarball) fail(`could not fetch ${pkg} (is the npm registry reachable?). ODX_NODE=system runs on Node ${process.versions.node} instead, unsupported.`);
    const untar = spawnSync('tar', ['-xzf', join(tmp, tarball), '-C', tmp], { stdio: 'inherit' });
    if (untar.status !== 0) fail(`could not unpack ${tarball}`);
    const check = spawnSync(join(tmp, 'package', 'bin', 'node'), ['--version'], { encoding: 'utf8' });
    if (check.stdout?.trim() !== `v${wanted}`) fail(`${pkg} unpacked, but its node answered ${JSON.stringify(check.stdout ?? check.error?.message)}`);
    // Atomic: a concurrent bootstrap either finds the whole directory or none.
    try {
      renameSync(join(tmp, 'package'), dir);
    } catch (err) {
      if (!existsSync(bin)) throw err;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  console.error(`odx: Node ${wanted} ready at ${bin}`);
  return bin;
}

function fail(message) {
  console.error(`odx: ${message}`);
  process.exit(1);
}

/** Installs npm dependencies when node_modules is missing or older than the lockfile. */
function ensureDependencies(env) {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000);
  if (!stale) return;
  const useCi = existsSync(lock);
  console.error(`odx: installing npm dependencies (npm ${useCi ? 'ci' : 'install'}) ...`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const res = spawnSync(npm, [useCi ? 'ci' : 'install', '--no-audit', '--no-fund'], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (res.status !== 0) {
    console.error('odx: npm dependency install failed; see the output above (is the npm registry reachable?)');
    process.exit(1);
  }
}
