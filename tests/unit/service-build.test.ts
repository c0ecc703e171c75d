// npm start's compiled services: when a build is reused, when it is redone, and how the supervisor runs each kind of entry.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { buildServices, compiledEntry, sourceStamp } from '../../scripts/demo/service-build.js';
import { nodeEntry } from '../../scripts/demo/supervisor.js';
import { REPO_ROOT } from '../../scripts/repo-root.js';

/** A repository with one service (`services/shop-bridge`) and one shared package. */
function fakeRepo(): string {
  const root = mkdtempSync(join(tmpdir(), 'odx-build-'));
  const put = (path: string, text: string): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  put('services/shop-bridge/package.json', JSON.stringify({ name: '@odx/shop-bridge', version: '0.1.0' }));
  put('services/shop-bridge/src/main.ts', 'export {};\n');
  put('services/shop-bridge/test/unit/a.test.ts', 'export {};\n');
  put('packages/runtime/src/index.ts', 'export const a = 1;\n');
  put('package-lock.json', '{}\n');
  mkdirSync(join(root, 'infra/simulators'), { recursive: true });
  return root;
}

test('the source stamp changes with a source file, a new file or the lockfile, not with tests or build output', (t) => {
  const root = fakeRepo();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const first = sourceStamp(root);
  assert.equal(sourceStamp(root), first, 'the same tree gives the same stamp');

  writeFileSync(join(root, 'services/shop-bridge/test/unit/a.test.ts'), 'export const changed = 1;\n');
  mkdirSync(join(root, 'services/shop-bridge/dist'), { recursive: true });
  writeFileSync(join(root, 'services/shop-bridge/dist/main.js'), '');
  assert.equal(sourceStamp(root), first, 'tests and dist/ are not inputs');

  writeFileSync(join(root, 'packages/runtime/src/index.ts'), 'export const a = 2;\n');
  const edited = sourceStamp(root);
  assert.notEqual(edited, first, 'an edited source');

  const later = new Date(Date.now() + 60_000);
  utimesSync(join(root, 'packages/runtime/src/index.ts'), later, later);
  assert.notEqual(sourceStamp(root), edited, 'a touched source (git checkout) rebuilds rather than risk a stale run');

  const touched = sourceStamp(root);
  writeFileSync(join(root, 'packages/runtime/src/extra.ts'), 'export {};\n');
  assert.notEqual(sourceStamp(root), touched, 'a new source');

  const added = sourceStamp(root);
  writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion":3}\n');
  assert.notEqual(sourceStamp(root), added, 'the lockfile');
});

test('a build of the same sources with every entry is reused without compiling', async (t) => {
  const root = fakeRepo();
  const dir = mkdtempSync(join(tmpdir(), 'odx-build-out-'));
  t.after(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });
  const entry = compiledEntry(dir, 'shop-bridge');
  assert.equal(entry, join(dir, 'shop-bridge', 'services', 'shop-bridge', 'dist', 'main.js'));
  mkdirSync(dirname(entry), { recursive: true });
  writeFileSync(entry, '');
  writeFileSync(join(dir, 'SOURCES'), `${sourceStamp(root)}\n`);
  const reused = await buildServices(dir, root);
  assert.equal(reused.built, false);
  assert.equal(reused.dir, dir);
});

test('changed sources are compiled again, and a failed compile says so with its output', async (t) => {
  const root = fakeRepo();
  const dir = mkdtempSync(join(tmpdir(), 'odx-build-out-'));
  t.after(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });
  writeFileSync(join(dir, 'SOURCES'), 'a stamp of other sources\n');
  // The fake repository has no scripts/image/layout.ts: the compile step fails, and the stale stamp is gone.
  await assert.rejects(buildServices(dir, root), /compiling the services failed \(npm run image:layout\):\n\S/);
  assert.equal(existsSync(join(dir, 'SOURCES')), false, 'no stamp claims the failed build');
});

test('the supervisor runs TypeScript through tsx and compiled JavaScript on node alone', () => {
  assert.deepEqual(nodeEntry('services/wms-bridge/src/main.ts'), ['--import', 'tsx', join(REPO_ROOT, 'services/wms-bridge/src/main.ts')]);
  assert.deepEqual(nodeEntry('/opt/build/wms-bridge/services/wms-bridge/dist/main.js'), [
    '/opt/build/wms-bridge/services/wms-bridge/dist/main.js',
  ]);
  assert.deepEqual(nodeEntry('scripts/demo/simulator.ts'), ['--import', 'tsx', join(REPO_ROOT, 'scripts/demo/simulator.ts')]);
});
