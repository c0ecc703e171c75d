import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** One import between two top-level folders of a source tree, with the file that makes it. */
export interface FolderImport {
  from: string;
  to: string;
  /** The importing file and the specifier, e.g. `outbound/document-sender.ts -> ../edifact/build-outbound.js`. */
  via: string;
}

/** Where a module names another: `import ... from`, `export ... from`, `import '...'` and `import('...')`. */
const SPECIFIERS = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g;

/** The top-level folder of a file under `root` ("(root)" for the files directly in it). */
function folderOf(root: string, file: string): string {
  const parts = relative(root, file).split(/[\\/]/);
  return parts.length > 1 ? parts[0]! : '(root)';
}

/**
 * The imports between top-level folders of `root`, read from the import and
 * export statements of its .ts files (type-only imports count: they tie the
 * folders together just the same). Relative specifiers only; packages are
 * outside the tree.
 */
export function folderImports(root: string): FolderImport[] {
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  const edges: FolderImport[] = [];
  for (const rel of files) {
    const file = join(root, rel);
    const from = folderOf(root, file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(SPECIFIERS)) {
      if (!spec || !spec.startsWith('.')) continue;
      const to = folderOf(root, resolve(dirname(file), spec));
      if (to !== from) edges.push({ from, to, via: `${rel} -> ${spec}` });
    }
  }
  return edges;
}

/**
 * The folder cycles of an import graph: each strongly connected group of
 * folders (Tarjan), with one import path around it so a failure names the
 * files to change. Empty when the folders form layers.
 */
export function folderCycles(edges: readonly FolderImport[]): string[] {
  const next = new Map<string, FolderImport[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const { to } of next.get(v) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(v, Math.min(low.get(v)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(v, Math.min(low.get(v)!, index.get(to)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1) groups.push(group);
  };
  for (const v of new Set(edges.flatMap((e) => [e.from, e.to]))) if (!index.has(v)) visit(v);
  return groups.map((group) => describeCycle(group, next));
}

/** A shortest path from the group's first folder back to itself (through the group), and the whole group when it is larger. */
function describeCycle(group: string[], next: Map<string, FolderImport[]>): string {
  const members = new Set(group);
  const start = [...group].sort()[0]!;
  // Breadth-first from start; the first import that reaches start again closes the loop.
  const cameBy = new Map<string, FolderImport>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const e of next.get(v) ?? []) {
      if (!members.has(e.to)) continue;
      if (e.to === start) {
        const path = [e];
        for (let at = v; at !== start; at = cameBy.get(at)!.from) path.unshift(cameBy.get(at)!);
        const loop = `${[start, ...path.map((p) => p.to)].join(' -> ')} (${path.map((p) => p.via).join('; ')})`;
        return path.length < group.length ? `${loop}, in a tangle of ${[...group].sort().join(', ')}` : loop;
      }
      if (!cameBy.has(e.to)) {
        cameBy.set(e.to, e);
        queue.push(e.to);
      }
    }
  }
  return group.join(' <-> ');
}
