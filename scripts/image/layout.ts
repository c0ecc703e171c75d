// What each ODX image contains, laid out in a folder: the single source of truth
// for infra/docker/service.Dockerfile (its build stage runs this script and its
// final stage copies one target's folder to /app) and for the size figures in
// docs/deployment.md (`npm run image:layout` prints `du` per target).
//
// A target is a workspace with a src/main.ts: every folder under services/ and
// the simulators under infra/simulators/ (targets sim-odoo, sim-wms, sim-tms).
// Its folder holds, at the paths they have in the repository:
//   package.json                     `main` names the entry, so `node .` in /app starts it
//   <workspace>/dist/**.js           the target's src/ compiled by tsc
//   <workspace>/package.json         its manifest, exports rewritten from src/*.ts to dist/*.js
//   node_modules/@odx/<name>/        each workspace it depends on, compiled the same way
//                                    (@odx/schemas: the build that `npm run schemas:pack` packs)
//   node_modules/<package>/          every production dependency, as npm installed it (no dev
//                                    dependencies, no type packages unless a runtime package needs them)
// Dependencies are followed through package-lock.json from the installed node_modules, so the image
// gets exactly the versions the tests ran with and needs no registry in its final stage.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseCliArgs } from '@odx/runtime/cli';
import { REPO_ROOT } from '../repo-root.js';

/** One image: a workspace started by its src/main.ts. */
export interface ImageTarget {
  /** The SERVICE build argument and the folder name in the layout: `wms-bridge`, `sim-odoo`. */
  name: string;
  /** Repo-relative workspace folder: `services/wms-bridge`. */
  workspace: string;
  packageName: string;
  /** Repo-relative TypeScript entry (what `npm start` runs through tsx). */
  entryTs: string;
  /** Layout-relative JavaScript entry (what the image runs). */
  entryJs: string;
}

interface Manifest {
  name: string;
  version: string;
  type?: string;
  exports?: Record<string, string>;
  dependencies?: Record<string, string>;
}

interface LockEntry {
  version?: string;
  link?: boolean;
  resolved?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/** Every image target of the repository, services first. */
export function imageTargets(root = REPO_ROOT): ImageTarget[] {
  const from = (parent: string, prefix: string): ImageTarget[] =>
    readdirSync(join(root, parent), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(root, parent, d.name, 'src', 'main.ts')))
      .map((d) => {
        const workspace = `${parent}/${d.name}`;
        return {
          name: `${prefix}${d.name}`,
          workspace,
          packageName: readJson<Manifest>(join(root, workspace, 'package.json')).name,
          entryTs: `${workspace}/src/main.ts`,
          entryJs: `${workspace}/dist/main.js`,
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  return [...from('services', ''), ...from('infra/simulators', 'sim-')];
}

/** The lockfile's view of what is installed: package paths, workspace links. */
class LockTree {
  readonly packages: Record<string, LockEntry>;
  /** Package name -> workspace folder. */
  readonly workspaces = new Map<string, string>();

  constructor(root: string) {
    this.packages = readJson<{ packages: Record<string, LockEntry> }>(join(root, 'package-lock.json')).packages;
    for (const [key, entry] of Object.entries(this.packages)) {
      if (entry.link && entry.resolved && key.startsWith('node_modules/'))
        this.workspaces.set(key.slice('node_modules/'.length), entry.resolved);
    }
  }

  /** Node's lookup: `<from>/node_modules/<name>`, then each parent's, up to the root's. */
  resolve(from: string, name: string): string | undefined {
    let at = from;
    for (;;) {
      const key = at === '' ? `node_modules/${name}` : `${at}/node_modules/${name}`;
      if (this.packages[key]) return key;
      if (at === '') return undefined;
      const cut = at.lastIndexOf('/node_modules/');
      at = cut >= 0 ? at.slice(0, cut) : '';
    }
  }

  /** The runtime dependencies of a lock path: dependencies, optional ones that are installed, and peers. */
  runtimeDeps(key: string): { name: string; optional: boolean }[] {
    const e = this.packages[key] ?? {};
    return [
      ...Object.keys(e.dependencies ?? {}).map((name) => ({ name, optional: false })),
      ...Object.keys(e.optionalDependencies ?? {}).map((name) => ({ name, optional: true })),
      ...Object.keys(e.peerDependencies ?? {}).map((name) => ({ name, optional: e.peerDependenciesMeta?.[name]?.optional === true })),
    ];
  }
}

/** What a target needs: its workspaces (itself first) and the lock paths of its third-party packages. */
export function closure(target: ImageTarget, root = REPO_ROOT): { workspaces: string[]; packages: string[] } {
  const lock = new LockTree(root);
  const workspaces = new Set<string>([target.workspace]);
  const packages = new Set<string>();
  const queue: string[] = [target.workspace];
  while (queue.length > 0) {
    const from = queue.shift()!;
    for (const dep of lock.runtimeDeps(from)) {
      const key = lock.resolve(from, dep.name);
      if (!key) {
        if (dep.optional) continue;
        throw new Error(`${from} needs ${dep.name}, which package-lock.json does not install (run npm ci)`);
      }
      const entry = lock.packages[key]!;
      if (entry.link && entry.resolved) {
        if (!workspaces.has(entry.resolved)) {
          workspaces.add(entry.resolved);
          queue.push(entry.resolved);
        }
      } else if (!packages.has(key)) {
        packages.add(key);
        queue.push(key);
      }
    }
  }
  return { workspaces: [...workspaces], packages: [...packages].sort() };
}

/** Where a workspace sits in the layout: the target at its repo path, the others as installed packages. */
function workspaceHome(workspace: string, target: ImageTarget, root: string): string {
  return workspace === target.workspace ? workspace : `node_modules/${readJson<Manifest>(join(root, workspace, 'package.json')).name}`;
}

/** A lock path's place in the layout (packages nested in a workspace move with it). */
function packageHome(key: string, workspaces: string[], target: ImageTarget, root: string): string {
  const owner = workspaces.find((w) => key.startsWith(`${w}/node_modules/`));
  return owner ? `${workspaceHome(owner, target, root)}${key.slice(owner.length)}` : key;
}

/** The workspace manifest as installed in the image: exports point at compiled JS; no dev dependencies. */
export function compiledManifest(manifest: Manifest): Record<string, unknown> {
  const exports: Record<string, string> = {};
  for (const [subpath, file] of Object.entries(manifest.exports ?? {})) {
    // Only src/ is compiled into the image (./fixtures and other test exports are not shipped).
    if (!file.startsWith('./src/')) continue;
    exports[subpath] = `./dist/${file.slice('./src/'.length).replace(/\.ts$/, '.js')}`;
  }
  return {
    name: manifest.name,
    version: manifest.version,
    private: true,
    type: manifest.type ?? 'module',
    exports,
    dependencies: manifest.dependencies ?? {},
  };
}

/** Copies a package folder without its node_modules (nested packages are copied on their own, if needed). */
function copyPackage(from: string, to: string): void {
  const nested = join(from, 'node_modules');
  cpSync(from, to, { recursive: true, dereference: true, filter: (src) => src !== nested });
}

function tscPath(): string {
  return createRequire(import.meta.url).resolve('typescript/bin/tsc');
}

/**
 * Compiles every workspace's src/ (runtime, services, simulators) to JS under `<buildDir>/js/<workspace>/src`,
 * and builds @odx/schemas with its own build (schemas/tools/build-package.ts) into `<buildDir>/schemas`.
 */
export function compileWorkspaces(buildDir: string, root = REPO_ROOT): void {
  rmSync(buildDir, { recursive: true, force: true });
  mkdirSync(buildDir, { recursive: true });
  const tsconfig = join(buildDir, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify(
      {
        extends: join(root, 'tsconfig.base.json'),
        compilerOptions: {
          noEmit: false,
          rootDir: root,
          outDir: join(buildDir, 'js'),
          sourceMap: false,
          declaration: false,
          // The tsconfig lives in the build folder: name where @types/node is.
          typeRoots: [join(root, 'node_modules', '@types')],
        },
        include: ['packages/*/src/**/*.ts', 'services/*/src/**/*.ts', 'infra/simulators/*/src/**/*.ts'].map((g) => join(root, g)),
      },
      null,
      2,
    ),
  );
  const tsc = spawnSync(process.execPath, [tscPath(), '-p', tsconfig], { stdio: 'inherit' });
  if (tsc.status !== 0) throw new Error('tsc failed (see above)');
  const schemas = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'schemas/tools/build-package.ts'), '--out', join(buildDir, 'schemas')],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  if (schemas.status !== 0) throw new Error('the @odx/schemas build failed (see above)');
}

/** Lays out one target's image contents in `outDir` from a `compileWorkspaces` build. */
export function layoutTarget(target: ImageTarget, buildDir: string, outDir: string, root = REPO_ROOT): void {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const { workspaces, packages } = closure(target, root);
  const placed = new Map<string, string>();
  const place = (home: string, source: string): string => {
    const other = placed.get(home);
    if (other) throw new Error(`${target.name}: ${source} and ${other} both belong at ${home}; the layout cannot hold both`);
    placed.set(home, source);
    return join(outDir, home);
  };
  for (const workspace of workspaces) {
    const manifest = readJson<Manifest>(join(root, workspace, 'package.json'));
    const dest = place(workspaceHome(workspace, target, root), workspace);
    if (workspace === 'schemas') {
      cpSync(join(buildDir, 'schemas'), dest, { recursive: true });
      continue;
    }
    const compiled = join(buildDir, 'js', workspace, 'src');
    if (!existsSync(compiled)) throw new Error(`${workspace}: tsc wrote nothing to ${compiled}`);
    cpSync(compiled, join(dest, 'dist'), { recursive: true });
    writeFileSync(join(dest, 'package.json'), `${JSON.stringify(compiledManifest(manifest), null, 2)}\n`);
  }
  for (const key of packages) copyPackage(join(root, key), place(packageHome(key, workspaces, target, root), key));
  // `node .` in the layout's root starts the target.
  writeFileSync(
    join(outDir, 'package.json'),
    `${JSON.stringify({ name: `odx-image-${target.name}`, private: true, type: 'module', main: target.entryJs }, null, 2)}\n`,
  );
  if (!existsSync(join(outDir, target.entryJs))) throw new Error(`${target.name}: ${target.entryJs} missing from the layout`);
}

/** Kilobytes on disk under `dir`, as `du -sk` counts them. */
export function diskKb(dir: string): number {
  const du = spawnSync('du', ['-sk', dir], { encoding: 'utf8' });
  if (du.status !== 0) throw new Error(`du -sk ${dir}: ${du.stderr.trim()}`);
  return Number(du.stdout.split(/\s/)[0]);
}

/** Size of one laid-out target: all of it, and the part that is third-party node_modules. */
export interface LayoutSize {
  name: string;
  totalKb: number;
  ownKb: number;
  dependencyKb: number;
  packages: number;
}

export function measure(target: ImageTarget, outDir: string, root = REPO_ROOT): LayoutSize {
  const totalKb = diskKb(outDir);
  const ownKb = diskKb(join(outDir, target.workspace)) + workspacesKb(target, outDir, root);
  return { name: target.name, totalKb, ownKb, dependencyKb: totalKb - ownKb, packages: closure(target, root).packages.length };
}

function workspacesKb(target: ImageTarget, outDir: string, root: string): number {
  return closure(target, root)
    .workspaces.filter((w) => w !== target.workspace)
    .reduce((sum, w) => sum + diskKb(join(outDir, workspaceHome(w, target, root))), 0);
}

function mb(kb: number): string {
  return (kb / 1024).toFixed(1).padStart(7);
}

function main(): number {
  const { values, positionals } = parseCliArgs(
    'image:layout',
    'lays out what each image contains (compiled JS + production node_modules) in <out>/<target> and prints du per target; targets: service folder names, sim-odoo, sim-wms, sim-tms (default: all)',
    { options: { out: { type: 'string', default: 'dist/images' }, quiet: { type: 'boolean', default: false } }, allowPositionals: true },
  );
  const out = resolve(values.out);
  const all = imageTargets();
  const unknown = positionals.filter((p) => !all.some((t) => t.name === p));
  if (unknown.length > 0) {
    process.stderr.write(`image:layout: no target ${unknown.join(', ')}; targets: ${all.map((t) => t.name).join(', ')}\n`);
    return 2;
  }
  const targets = positionals.length > 0 ? all.filter((t) => positionals.includes(t.name)) : all;
  const buildDir = join(out, '.build');
  const started = Date.now();
  compileWorkspaces(buildDir);
  for (const target of targets) layoutTarget(target, buildDir, join(out, target.name));
  rmSync(buildDir, { recursive: true, force: true });
  if (values.quiet) return 0;
  process.stdout.write(
    `image contents laid out in ${relative(process.cwd(), out) || '.'} in ${((Date.now() - started) / 1000).toFixed(1)} s (du -sk)\n`,
  );
  process.stdout.write(`  ${'target'.padEnd(20)} ${'total MB'.padStart(8)} ${'ODX JS'.padStart(7)} ${'deps MB'.padStart(7)}  packages\n`);
  for (const target of targets) {
    const s = measure(target, join(out, target.name));
    process.stdout.write(
      `  ${s.name.padEnd(20)} ${mb(s.totalKb)}  ${mb(s.ownKb)} ${mb(s.dependencyKb)}  ${String(s.packages).padStart(8)}\n`,
    );
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    process.exitCode = main();
  } catch (err) {
    process.stderr.write(`image:layout: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
