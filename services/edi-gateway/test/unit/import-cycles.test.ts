import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { folderCycles, folderImports, type FolderImport } from '../support/import-graph.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

test('the folders of src form layers: no two folders import each other, directly or around a loop', () => {
  const edges = folderImports(SRC);
  assert.ok(edges.length > 10, `the import statements were read (${edges.length} imports between folders)`);
  assert.deepEqual(folderCycles(edges), [], 'folders in an import loop (move the shared piece into a folder both can use)');
});

test('the check names a loop and the files that make it', () => {
  const edge = (from: string, to: string): FolderImport => ({ from, to, via: `${from}/a.ts -> ../${to}/b.js` });
  assert.deepEqual(folderCycles([edge('x12', 'partners'), edge('inbound', 'x12'), edge('inbound', 'partners')]), []);
  assert.deepEqual(folderCycles([edge('outbound', 'edifact'), edge('edifact', 'model'), edge('edifact', 'outbound')]), [
    'edifact -> outbound -> edifact (edifact/a.ts -> ../outbound/b.js; outbound/a.ts -> ../edifact/b.js)',
  ]);
  assert.equal(
    folderCycles([edge('a', 'b'), edge('b', 'c'), edge('c', 'a'), edge('d', 'a')]).length,
    1,
    'one loop of three folders is one finding',
  );
});
