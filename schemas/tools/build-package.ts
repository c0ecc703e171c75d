// Builds the installable @odx/schemas into schemas/dist: JS + .d.ts (tsc) under lib/,
// the Avro schemas, the topic catalog, the AsyncAPI document, the README and a
// package.json whose exports name only those (no TypeScript sources, no test fixtures).
// The workspace's own package.json keeps pointing at src/ for the monorepo (tsx, tsc).
// Usage: npm run build -w schemas; then npm pack ./schemas/dist (or npm run pack -w schemas)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { SCHEMAS_ROOT } from '../src/paths.js';
import { toolArgs } from './tool-args.js';

const DEFAULT_OUT = join(SCHEMAS_ROOT, 'dist');

interface WorkspaceManifest {
  name: string;
  version: string;
  description?: string;
  dependencies?: Record<string, string>;
}

/** The manifest of the packed package, derived from the workspace's. */
export function publishManifest(workspace: WorkspaceManifest): Record<string, unknown> {
  return {
    name: workspace.name,
    version: workspace.version,
    description: workspace.description,
    type: 'module',
    license: 'UNLICENSED',
    engines: { node: '>=20.19' },
    main: './lib/index.js',
    types: './lib/index.d.ts',
    exports: {
      '.': { types: './lib/index.d.ts', default: './lib/index.js' },
      './asyncapi.yaml': './asyncapi.yaml',
      './catalog/topics.yaml': './catalog/topics.yaml',
      './avro/*': './avro/*',
      './package.json': './package.json',
    },
    files: ['lib', 'avro', 'catalog', 'asyncapi.yaml', 'README.md'],
    dependencies: workspace.dependencies ?? {},
  };
}

function main(): number {
  const { values } = toolArgs(
    'schemas:build',
    'npm run build -w schemas [-- --out <dir>]  (writes schemas/dist, a package npm pack can pack)',
    {
      options: { out: { type: 'string' } },
    },
  );
  const DIST = values.out ? resolve(values.out) : DEFAULT_OUT;
  rmSync(DIST, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const compiled = spawnSync(process.execPath, [tsc, '-p', join(SCHEMAS_ROOT, 'tsconfig.build.json'), '--outDir', join(DIST, 'lib')], {
    stdio: 'inherit',
  });
  if (compiled.status !== 0) {
    console.error('schemas:build: tsc failed (see above)');
    return 1;
  }
  for (const entry of ['avro', 'catalog', 'asyncapi.yaml', 'README.md'])
    cpSync(join(SCHEMAS_ROOT, entry), join(DIST, entry), { recursive: true });
  const workspace = JSON.parse(readFileSync(join(SCHEMAS_ROOT, 'package.json'), 'utf8')) as WorkspaceManifest;
  writeFileSync(join(DIST, 'package.json'), `${JSON.stringify(publishManifest(workspace), null, 2)}\n`);
  if (!existsSync(join(DIST, 'lib', 'index.d.ts'))) throw new Error('tsc wrote no lib/index.d.ts');
  console.log(`built ${workspace.name}@${workspace.version} into ${DIST} (npm pack ${DIST})`);
  return 0;
}

try {
  process.exitCode = main();
} catch (err) {
  console.error(`schemas:build: ${(err as Error).message}`);
  process.exitCode = 1;
}
