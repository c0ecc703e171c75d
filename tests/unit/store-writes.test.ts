// Every multi-statement store write goes through @odx/runtime's bounded helpers
// (packages/runtime/src/store): a bulkWrite of 100+ updates wedges FerretDB 1.24
// for every service, and an unbounded deleteMany of a backlog fails on its SQLite
// backend (docs/known-issues.md). This test keeps direct calls from coming back.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ALLOWED = join('packages', 'runtime', 'src', 'store');
const FORBIDDEN = /\.(bulkWrite|insertMany|deleteMany|updateMany)\s*\(/;

function sourceFiles(): string[] {
  const out: string[] = [];
  for (const root of ['packages', 'services', 'scripts', 'infra', 'schemas']) {
    for (const entry of readdirSync(join(ROOT, root), { recursive: true }) as string[]) {
      const path = join(root, entry);
      if (!path.endsWith('.ts') || path.includes('node_modules') || /(^|\/)test\//.test(path) || path.startsWith(ALLOWED)) continue;
      out.push(path);
    }
  }
  return out;
}

test('no code outside the runtime store helpers calls bulkWrite, insertMany, deleteMany or updateMany', () => {
  const files = sourceFiles();
  assert.ok(files.length > 100, `found only ${files.length} source files: is the scan looking in the right place?`);
  const offenders = files.flatMap((file) =>
    readFileSync(join(ROOT, file), 'utf8')
      .split('\n')
      .flatMap((line, i) =>
        FORBIDDEN.test(line) && !line.trim().startsWith('//') && !line.trim().startsWith('*')
          ? [`${relative('.', file)}:${i + 1}: ${line.trim()}`]
          : [],
      ),
  );
  assert.deepEqual(
    offenders,
    [],
    `use bulkWriteInChunks / insertManyInChunks / deleteManyInBatches / deleteByIds from @odx/runtime:\n${offenders.join('\n')}`,
  );
});

test('the rule finds a direct call (the pattern is not blind)', () => {
  assert.ok(FORBIDDEN.test('await this.collection.bulkWrite(ops, { ordered: false });'));
  assert.ok(FORBIDDEN.test('col.insertMany (docs)'));
  assert.ok(!FORBIDDEN.test('await bulkWriteInChunks(col, ops);'));
});
