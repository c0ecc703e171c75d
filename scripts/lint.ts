// `npm run lint`: ESLint (eslint.config.js) and Prettier's check (prettier.config.js)
// over the same TypeScript files. Both always run, so one pass shows every
// problem; the exit code is non-zero if either found one.
//
//   npm run lint                       check the whole repository
//   npm run lint -- services/wms-bridge only these folders or files
//   npm run lint:fix                   eslint --fix, then prettier --write
//   npm run format                     prettier --write only
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './repo-root.js';

/** The folders whose TypeScript is linted (schemas/src/generated is ignored by both tools' configs). */
const FOLDERS = ['services', 'packages', 'schemas', 'scripts', 'tests'];

const args = process.argv.slice(2);
const fix = args.includes('--fix');
const formatOnly = args.includes('--format');
const paths = args.filter((a) => !a.startsWith('--'));

/** A folder stands for the .ts files in it, so Prettier does not also pick up its JSON and Markdown. */
const targets = (paths.length > 0 ? paths : FOLDERS).map((p) => {
  const abs = join(REPO_ROOT, p);
  return existsSync(abs) && statSync(abs).isDirectory() ? `${p.replace(/\/+$/, '')}/**/*.ts` : p;
});

const cacheDir = join(REPO_ROOT, 'node_modules/.cache/odx-lint');

function run(title: string, bin: string, binArgs: string[]): boolean {
  process.stderr.write(`odx lint: ${title}\n`);
  const started = Date.now();
  const res = spawnSync(process.execPath, [join(REPO_ROOT, bin), ...binArgs], { cwd: REPO_ROOT, stdio: 'inherit' });
  const ok = res.status === 0;
  process.stderr.write(`odx lint: ${title} ${ok ? 'passed' : 'found problems'} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  return ok;
}

const results: boolean[] = [];
if (!formatOnly) {
  results.push(
    run(fix ? 'eslint --fix' : 'eslint', 'node_modules/eslint/bin/eslint.js', [
      '--max-warnings',
      '0',
      '--cache',
      '--cache-strategy',
      'content',
      '--cache-location',
      `${cacheDir}/eslint`,
      ...(fix ? ['--fix'] : []),
      ...targets,
    ]),
  );
}
results.push(
  run(fix || formatOnly ? 'prettier --write' : 'prettier --check', 'node_modules/prettier/bin/prettier.cjs', [
    fix || formatOnly ? '--write' : '--check',
    '--cache',
    '--cache-location',
    `${cacheDir}/prettier`,
    ...targets,
  ]),
);

if (results.includes(false) && !fix && !formatOnly) {
  process.stderr.write('odx lint: failed; `npm run lint:fix` fixes formatting and the fixable rules, the rest needs a hand\n');
}
process.exit(results.every(Boolean) ? 0 : 1);
