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
import { finished } from 'node:stream/promises';
import { run as runTests } from 'node:test';
import { spec } from 'node:test/reporters';
import { join, relative } from 'node:path';
import { endpointsEnv, stackDown, stackStatus, stackUp, type PartName } from './stack/index.js';
import { REPO_ROOT } from './repo-root.js';

const { values: flags, positionals: explicit } = parseCliArgs(
  'npm test --',
  'type-check, lint, check schemas and compose, bring up the stack and run the tests (only the test files given, if any)',
  { options: { unit: { type: 'boolean', default: false } }, allowPositionals: true },
);
const unitOnly = flags.unit;

/**
 * The order files start in (two at a time). The chaos run, which starts a three-broker cluster and a system of its
 * own, goes last and so runs mostly alone: beside another system test, or beside the unit files' burst of compiles,
 * the load on two cores passed 30, a broker took over 60 s to restart and services missed their start windows (CI,
 * 2026-12-07). The other files that start whole systems or stacks go first, so the end of the run is short files.
 */
const LAST = [join('tests', 'system', 'chaos.test.ts')];
const FIRST = (f: string): boolean => f.startsWith(join('tests', 'system')) || f.startsWith(join('tests', 'stack'));

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
const last = integration.filter((f) => LAST.includes(f));
const rest = integration.filter((f) => !last.includes(f));
const files =
  explicit.length > 0
    ? explicit
    : unitOnly
      ? unit
      : [...rest.filter(FIRST), ...unit, ...rest.filter((f) => !FIRST(f)), ...last, ...suiteEnd];
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
// node's test runner through its API rather than `node --test`, which sorts the files by name: here they start in the
// order above. Each file runs in a process of its own, as with `node --test`, and the spec reporter's summary is the
// last thing printed.
// No forceExit: with it, files ended before all their tests ran (CI, 2026-12-07: edi-gateway's hostile-input file
// lost 40 of its tests, silently). A test that leaks a reconnecting client must clean up instead.
const stream = runTests({
  files,
  cwd: REPO_ROOT,
  concurrency: 2,
  timeout: 600_000,
  execArgv: tsx,
  env: { ...env, ODX_LOG_LEVEL: env['ODX_LOG_LEVEL'] ?? 'warn' },
});
let passed = false;
stream.on('test:summary', (summary) => {
  // One summary per file, then the run's own (no file).
  if (summary.file === undefined) passed = summary.success;
});
const report = stream.compose(spec);
report.pipe(process.stdout);
await finished(report);

// In CI, stop what this run started (silently: the runner's summary stays last).
if (process.env['CI'] === 'true' && started.length > 0) {
  await stackDown({ quiet: true, parts: started }).catch(() => undefined);
}
process.exit(passed ? 0 : 1);
