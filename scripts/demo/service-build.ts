// The compiled services `npm start` runs: the same image contents the containers get (`npm run image:layout`:
// tsc output and production node_modules per service), laid out under $ODX_HOME/build/services and reused
// while the sources are unchanged. Running JavaScript instead of TypeScript through tsx saves each process
// the loader and its esbuild helper (about 20 MiB per service, measured in docs/benchmarks.md) and runs what
// deploys. `npm start -- --from-source` runs the TypeScript entries instead.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { imageTargets } from '../image/layout.js';
import { REPO_ROOT } from '../repo-root.js';

/** Everything the compiled layout is made from: sources, manifests, the lockfile and the compiler settings. */
const INPUT_ROOTS = ['packages', 'services', 'schemas', 'infra/simulators'];
const INPUT_FILES = ['package-lock.json', 'tsconfig.base.json', 'scripts/image/layout.ts'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'test', 'tests', '.turbo', 'coverage']);

/** Lists the files under `dir` the build reads (src/, manifests, schema sources), skipping tests and outputs. */
function inputFiles(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) inputFiles(path, out);
    else if (entry.isFile()) out.push(path);
  }
}

/**
 * A fingerprint of the build's inputs: each file's path, size and modification time. A changed, added or
 * removed source file changes it; a `git checkout` that touches files does too (a rebuild, never a stale run).
 */
export function sourceStamp(root = REPO_ROOT): string {
  const files: string[] = [];
  for (const dir of INPUT_ROOTS) if (existsSync(join(root, dir))) inputFiles(join(root, dir), files);
  for (const file of INPUT_FILES) if (existsSync(join(root, file))) files.push(join(root, file));
  const hash = createHash('sha256');
  for (const file of files.sort()) {
    const s = statSync(file);
    hash.update(`${relative(root, file)}\0${s.size}\0${Math.trunc(s.mtimeMs)}\n`);
  }
  return hash.digest('hex');
}

export interface ServiceBuild {
  /** The layout folder: `<dir>/<service>/services/<service>/dist/main.js` starts a service. */
  dir: string;
  /** False when an earlier build of the same sources was reused. */
  built: boolean;
  seconds: number;
}

/** The compiled entry of one service in a build made by `buildServices`. */
export const compiledEntry = (dir: string, service: string): string => join(dir, service, 'services', service, 'dist', 'main.js');

/**
 * Lays out the compiled services in `dir` unless a build of the same sources is there. The layout runs in a
 * child process (tsc takes a core for 10-20 s), so the caller can bring the stack up meanwhile.
 */
export async function buildServices(dir: string, root = REPO_ROOT): Promise<ServiceBuild> {
  const started = Date.now();
  const stampFile = join(dir, 'SOURCES');
  const stamp = sourceStamp(root);
  const services = imageTargets(root)
    .filter((t) => t.workspace.startsWith('services/'))
    .map((t) => t.name);
  const complete = (): boolean => services.every((s) => existsSync(compiledEntry(dir, s)));
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === stamp && complete())
    return { dir, built: false, seconds: (Date.now() - started) / 1000 };
  rmSync(stampFile, { force: true });
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/image/layout.ts'), '--quiet', '--out', dir, ...services], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number>((resolve) => child.once('close', (c) => resolve(c ?? 1)));
  if (code !== 0)
    throw new Error(`compiling the services failed (npm run image:layout):\n${output.trim().split('\n').slice(-20).join('\n')}`);
  if (!complete()) throw new Error(`compiling the services wrote no entry to ${dir}`);
  writeFileSync(stampFile, `${stamp}\n`);
  return { dir, built: true, seconds: (Date.now() - started) / 1000 };
}
