// `npm test`: type-check and lint the whole repository, check schema compatibility and
// the compose file, bring up the local stack, then run every unit and
// integration test with node's test runner. The runner's summary is the last
// thing printed, so CI can read the result.
//
//   npm test                 everything
//   npm test -- --unit       pure tests only (no stack)
//   npm test -- <files...>   only these test files (stack started)
import { spawnSync } from 'node:child_process';
import { parseCliArgs } from '@odx/runtime/cli';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { endpointsEnv, stackDown, stackStatus, stackUp, type PartName } from './stack/index.js';
import { REPO_ROOT } from './repo-root.js';

const { values: flags, positionals: explicit } = parseCliArgs(
  'npm test --',
  'type-check, lint, check schemas and compose, bring up the stack and run the tests (only the test files given, if any)',
  { options: { unit: { type: 'boolean', default: false } }, allowPositionals: true },
);
const unitOnly = flags.unit;

/** Checks that run after every other test file: whether the stack the suite started outlived it. */
const SUITE_END = join('tests', 'suite-end');

/** Test files: `<workspace>/test/**` (unit tests next to the code) and `tests/**` (cross-service). */
function findTests(): { unit: string[]; integration: string[] } {
  const roots = ['packages', 'schemas', 'services', 'infra', 'tests'];
  const files: string[] = [];
  for (const root of roots) {
    let entries: string[];
    try {
      entries = readdirSync(join(REPO_ROOT, root), { recursive: true }) as string[];
    } catch {
      continue;
    }
    for (const e of entries) {
      // The suite-end checks run after the rest (see below), never among them.
      const file = join(root, e);
      if (e.endsWith('.test.ts') && !e.includes('node_modules') && !file.startsWith(SUITE_END)) files.push(file);
    }
  }
  files.sort();
  // Pure tests live in a `unit` folder or in schemas/; everything else may use the stack.
  const isUnit = (f: string): boolean => /(^|\/)unit\//.test(f) || f.startsWith('schemas/');
  return { unit: files.filter(isUnit), integration: files.filter((f) => !isUnit(f)) };
}

function step(title: string, command: string, commandArgs: string[]): void {
  process.stderr.write(`odx test: ${title}\n`);
  const res = spawnSync(command, commandArgs, { cwd: REPO_ROOT, stdio: 'inherit' });
  if (res.status !== 0) {
    process.stderr.write(`odx test: ${title} failed\n`);
    process.exit(res.status ?? 1);
  }
}

const tsx = ['--import', 'tsx'];
step('type-checking the repository (tsc --noEmit)', process.execPath, [
  join(REPO_ROOT, 'node_modules/typescript/bin/tsc'),
  '-p',
  'tsconfig.json',
  '--noEmit',
]);
if (explicit.length === 0) {
  step('linting (eslint, prettier --check)', process.execPath, [...tsx, 'scripts/lint.ts']);
  step('checking schema compatibility with main', process.execPath, [...tsx, 'schemas/tools/check.ts']);
  step('checking docker-compose.yml', process.execPath, [...tsx, 'scripts/compose-check.ts']);
}

const { unit, integration } = findTests();
const suiteEnd = readdirSync(join(REPO_ROOT, SUITE_END))
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => join(SUITE_END, f));
const files = explicit.length > 0 ? explicit : unitOnly ? unit : [...unit, ...integration, ...suiteEnd];
const needsStack = !unitOnly && files.some((f) => !unit.includes(relative(REPO_ROOT, join(REPO_ROOT, f))));

let env = process.env;
let started: PartName[] = [];
if (needsStack) {
  process.stderr.write('odx test: bringing up the local stack (npm run stack -- up)\n');
  try {
    const endpoints = await stackUp({ quiet: true });
    started = endpoints.startedParts;
    // The survival check compares the stack's processes at the end with these.
    const pids = (await stackStatus()).flatMap((s) => (s.pid === undefined ? [] : [`${s.part}=${s.pid}`]));
    env = { ...process.env, ...endpointsEnv(endpoints), ODX_TEST_STACK_PIDS: pids.join(',') };
  } catch (err) {
    process.stderr.write(`odx test: the local stack did not come up:\n${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}

process.stderr.write(`odx test: running ${files.length} test files\n`);
const run = spawnSync(
  process.execPath,
  // No --test-force-exit: with it, files ended before all their tests ran (CI, 2026-12-07: edi-gateway's hostile-input
  // file lost 40 of its tests, silently). A test that leaks a reconnecting client must clean up instead.
  [...tsx, '--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=600000', ...files],
  { cwd: REPO_ROOT, stdio: 'inherit', env: { ...env, ODX_LOG_LEVEL: env['ODX_LOG_LEVEL'] ?? 'warn' } },
);

// In CI, stop what this run started (silently: the runner's summary stays last).
if (process.env['CI'] === 'true' && started.length > 0) {
  await stackDown({ quiet: true, parts: started }).catch(() => undefined);
}
process.exit(run.status ?? 1);
