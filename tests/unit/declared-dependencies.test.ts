// Each workspace declares the packages it imports: its src/ and bin/ imports in
// `dependencies`, anything else (tests, tools) in `dependencies` or
// `devDependencies`. An undeclared import only works while npm happens to hoist
// the package to the root node_modules, and breaks the day another version of
// it moves in or the workspace is installed on its own (a service's container).
// And only @odx/runtime imports the Kafka client, so replacing kafkajs means
// editing one package. (Guards until the ESLint rules exist.)
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, relative, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;
/**
 * Where a module specifier can stand: `import … from 'x'` and `export … from 'x'`
 * (also the `} from 'x'` line closing a multi-line one), `import 'x'`, and the
 * calls `import('x')`, `import.meta.resolve('x')`, `require('x')`.
 */
const IMPORT = [
  /^\s*(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"\s]+)['"]/,
  /^\s*}\s*from\s*['"]([^'"\s]+)['"]/,
  /^\s*import\s*['"]([^'"\s]+)['"]/,
  /\b(?:import|import\.meta\.resolve|require)\(\s*['"]([^'"\s]+)['"]\s*\)/g,
];

interface Manifest {
  name: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

interface Workspace {
  dir: string;
  manifest: Manifest;
  /** The files whose imports it must declare. */
  files: string[];
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Manifest;
}

/** The root package.json's workspaces (patterns are `dir` or `dir/*`). */
function workspaces(): Workspace[] {
  const out: Workspace[] = [];
  for (const pattern of readManifest('.').workspaces ?? []) {
    const dirs = pattern.endsWith('/*')
      ? readdirSync(join(ROOT, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => join(pattern.slice(0, -2), d.name))
      : [pattern];
    for (const dir of dirs) {
      try {
        statSync(join(ROOT, dir, 'package.json'));
      } catch {
        continue;
      }
      out.push({ dir, manifest: readManifest(dir), files: sourceFiles(dir) });
    }
  }
  return out;
}

/** The root package: the repo's scripts, cross-service tests and tool configs (all development code). */
function rootPackage(): Workspace {
  const topLevel = readdirSync(ROOT, { withFileTypes: true })
    .filter((d) => d.isFile() && SOURCE.test(d.name))
    .map((d) => d.name);
  return { dir: '.', manifest: readManifest('.'), files: [...topLevel, ...sourceFiles('scripts'), ...sourceFiles('tests')] };
}

function sourceFiles(dir: string): string[] {
  return (readdirSync(join(ROOT, dir), { recursive: true }) as string[])
    .filter((f) => SOURCE.test(f) && !f.split(sep).includes('node_modules') && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f));
}

/** The package a bare specifier names (`@scope/name/sub` -> `@scope/name`); undefined for relative paths and Node builtins. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('#') || isBuiltin(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Packages imported by `text`, with the 1-based line of each import; comment lines are skipped. */
export function importsOf(text: string): Array<{ pkg: string; line: number }> {
  const out: Array<{ pkg: string; line: number }> = [];
  text.split('\n').forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed.startsWith('//') || trimmed.startsWith('*') || trimmed.startsWith('/*')) return;
    for (const pattern of IMPORT) {
      const matches = pattern.global ? [...line.matchAll(pattern)] : [line.match(pattern)];
      for (const m of matches) {
        const pkg = m ? packageOf(m[1]!) : undefined;
        if (pkg) out.push({ pkg, line: i + 1 });
      }
    }
  });
  return out;
}

/** Production code: what a deployed workspace runs (`src/`, `bin/`); nothing of the root package is. */
function isProduction(workspaceDir: string, file: string): boolean {
  if (workspaceDir === '.') return false;
  const top = relative(workspaceDir, file).split(sep)[0];
  return top === 'src' || top === 'bin';
}

test('every workspace and the root package declare the packages they import (src and bin in dependencies, the rest in either list)', () => {
  const found = workspaces();
  assert.ok(found.length >= 10, `found only ${found.length} workspaces: is the scan reading the root package.json?`);
  const problems: string[] = [];
  let scanned = 0;
  for (const { dir, manifest, files } of [...found, rootPackage()]) {
    const deps = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {}), manifest.name]);
    const devDeps = new Set(Object.keys(manifest.devDependencies ?? {}));
    for (const file of files) {
      scanned++;
      const production = isProduction(dir, file);
      for (const { pkg, line } of importsOf(readFileSync(join(ROOT, file), 'utf8'))) {
        if (deps.has(pkg)) continue;
        if (production)
          problems.push(
            `${file}:${line}: imports ${pkg}, not in ${manifest.name}'s dependencies${devDeps.has(pkg) ? ' (only in devDependencies)' : ''}`,
          );
        else if (!devDeps.has(pkg))
          problems.push(`${file}:${line}: imports ${pkg}, in neither dependencies nor devDependencies of ${manifest.name}`);
      }
    }
  }
  assert.ok(scanned > 200, `scanned only ${scanned} files`);
  assert.deepEqual(
    problems,
    [],
    `declare these in the workspace's package.json (at the version the root lockfile resolves):\n${problems.join('\n')}`,
  );
});

test('only @odx/runtime imports kafkajs (services see ODX-owned types, so the client can be replaced in one package)', () => {
  const runtime = join('packages', 'runtime');
  const roots = ['packages', 'services', 'schemas', 'infra', 'scripts', 'tests'];
  const offenders: string[] = [];
  for (const root of roots) {
    for (const file of sourceFiles(root)) {
      if (file.startsWith(runtime + sep)) continue;
      for (const { pkg, line } of importsOf(readFileSync(join(ROOT, file), 'utf8'))) {
        if (pkg === 'kafkajs' || pkg.startsWith('@kafkajs/')) offenders.push(`${file}:${line}`);
      }
    }
  }
  for (const { dir, manifest } of workspaces()) {
    if (dir === runtime) continue;
    for (const list of [manifest.dependencies, manifest.devDependencies]) {
      for (const pkg of Object.keys(list ?? {}))
        if (pkg === 'kafkajs' || pkg.startsWith('@kafkajs/')) offenders.push(`${dir}/package.json declares ${pkg}`);
    }
  }
  assert.deepEqual(
    offenders,
    [],
    `use @odx/runtime's ClusterAdmin, readRanges, RawConsumer and ServiceRuntime instead:\n${offenders.join('\n')}`,
  );
});

test('the import scan is not blind', () => {
  // Some samples are split so that neither this file's own scan nor a grep reads them as imports.
  const text = [
    'import { Kafka } fr' + "om 'kafkajs';",
    "import type { Db } from 'mongodb';",
    "export { x } from '@odx/schemas/fixtures';",
    'const m = await im' + "port('prom-client');",
    'const tsx = im' + "port.meta.resolve('tsx');",
    "import './side-effect.js';",
    "import 'reflect-metadata';",
    "import { readFileSync } from 'node:fs';",
    "import { join } from 'path';",
    "// import { nope } from 'commented-out';",
  ].join('\n');
  assert.deepEqual(
    importsOf(text).map((i) => i.pkg),
    ['kafkajs', 'mongodb', '@odx/schemas', 'prom-client', 'tsx', 'reflect-metadata'],
  );
});
