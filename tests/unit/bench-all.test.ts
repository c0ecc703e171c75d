// bench:all's pure parts: the summary line every benchmark prints, reading
// those lines back from a bench's output, choosing the benches, and the
// dated section it writes into docs/benchmarks.md. No stack, no benchmark run.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  BENCHES,
  DOCS_SECTION,
  UsageError,
  collectSummaries,
  insertRunSection,
  renderRunSection,
  selectBenches,
  type BenchResult,
  type RunReport,
} from '../../scripts/bench/all.js';
import { formatValue, parseSummaryLine, percentOf, summaryLine } from '../../scripts/bench/summary.js';
import { REPO_ROOT } from '../../scripts/repo-root.js';

describe('summaryLine', () => {
  test('prints benchmark | figure | value unit | note', () => {
    assert.equal(
      summaryLine('runtime', { figure: 'pipeline (each)', value: 11234.4, unit: 'events/s', note: `${percentOf(11234, 21600)} of raw` }),
      'summary: runtime | pipeline (each) | 11234 events/s | 52 % of raw',
    );
    assert.equal(
      summaryLine('replay', { figure: 'replay job', value: 41000, unit: 'msgs/s', note: '87 % of raw copy' }),
      'summary: replay | replay job | 41000 msgs/s | 87 % of raw copy',
    );
  });

  test('an empty note prints as -, a separator inside a cell as /, whitespace as one space', () => {
    assert.equal(summaryLine('api', { figure: 'p99', value: 12.345, unit: 'ms' }), 'summary: api | p99 | 12.3 ms | -');
    assert.equal(
      summaryLine('edi', { figure: 'a | b', value: 3, unit: 'documents/s', note: 'x|y\n  z' }),
      'summary: edi | a / b | 3 documents/s | x/y z',
    );
  });

  test('values: whole from 100, one decimal from 1, two significant digits below, n/a when not finite', () => {
    assert.deepEqual([1234.56, 100, 99.95, 12.34, 1, 0.456, 0, -150.4].map(formatValue), [
      '1235',
      '100',
      '100',
      '12.3',
      '1',
      '0.46',
      '0',
      '-150',
    ]);
    assert.equal(formatValue(Number.NaN), 'n/a');
    assert.equal(formatValue(Infinity), 'n/a');
    assert.equal(summaryLine('runtime', { figure: 'x', value: Number.NaN, unit: 'ms' }), 'summary: runtime | x | n/a ms | -');
  });

  test('percentOf rounds to whole percent and says n/a without a baseline', () => {
    assert.equal(percentOf(1, 3), '33 %');
    assert.equal(percentOf(5, 0), 'n/a');
    assert.equal(percentOf(Number.NaN, 10), 'n/a');
  });

  test('every line it prints reads back as the same cells', () => {
    const line = summaryLine('store', { figure: 'find({ _id: id })', value: 0.123, unit: 'ms', note: 'pushdown yes' });
    assert.deepEqual(parseSummaryLine(line), { bench: 'store', figure: 'find({ _id: id })', value: '0.12 ms', note: 'pushdown yes' });
  });
});

describe('collectSummaries', () => {
  test('finds the summary lines among the rest of the output, CRLF or not', () => {
    const output = [
      'machine: 2 x cpu',
      '| phase | events |',
      'summary: runtime | raw kafkajs | 34673 events/s | baseline',
      'summary: runtime | pipeline (each) | 1132 events/s | 3 % of raw\r',
      '  summary: runtime | at 1000/s (batch) p99 | 58 ms | p50 27 ms',
      'the summary: is not at the start here | a | 1 x | y',
      '',
    ].join('\n');
    const { rows, malformed } = collectSummaries(output);
    assert.deepEqual(malformed, []);
    assert.deepEqual(
      rows.map((r) => [r.bench, r.figure, r.value, r.note]),
      [
        ['runtime', 'raw kafkajs', '34673 events/s', 'baseline'],
        ['runtime', 'pipeline (each)', '1132 events/s', '3 % of raw'],
        ['runtime', 'at 1000/s (batch) p99', '58 ms', 'p50 27 ms'],
      ],
    );
  });

  test('malformed summary lines are set aside with why, never thrown', () => {
    const output = [
      'summary: edi | 856 generation | 6442 documents/s',
      'summary: edi | 856 generation | fast | very',
      'summary: edi | | 12 ms | no figure',
      'summary: | x | 12 ms | no bench',
      'summary: edi | a | 1 x | b | c',
      'summary:',
      'summary: edi | 850 intake, 1 line | 3840 documents/s | target >= 1000/s: met',
    ].join('\n');
    const { rows, malformed } = collectSummaries(output);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.figure, '850 intake, 1 line');
    assert.equal(malformed.length, 6);
    assert.match(malformed[0]!.problem, /3 cells/);
    assert.match(malformed[1]!.problem, /value "fast"/);
    assert.match(malformed[2]!.problem, /no figure/);
    assert.match(malformed[3]!.problem, /no benchmark/);
    assert.match(malformed[4]!.problem, /5 cells/);
    assert.match(malformed[5]!.problem, /1 cells/);
    assert.equal(malformed[1]!.line, 'summary: edi | 856 generation | fast | very');
  });
});

test('bench:all covers every script in scripts/bench/, each through its npm script or its own entry', () => {
  const odx = readFileSync(join(REPO_ROOT, 'scripts/odx.mjs'), 'utf8');
  for (const b of BENCHES) {
    if (b.entry) assert.ok(existsSync(join(REPO_ROOT, b.entry)), b.entry);
    else assert.ok(odx.includes(`'bench:${b.name}': 'scripts/bench/${b.name}.ts'`), `bench:${b.name} in scripts/odx.mjs`);
  }
  const files = readdirSync(join(REPO_ROOT, 'scripts/bench')).filter((f) => f.endsWith('.ts') && !['all.ts', 'summary.ts'].includes(f));
  assert.deepEqual(files.map((f) => f.replace(/\.ts$/, '')).sort(), BENCHES.map((b) => b.name).sort());
});

describe('selectBenches', () => {
  const names = (s: { run: Array<{ name: string }> }): string[] => s.run.map((b) => b.name);

  test('by default every bench but the opt-in start-memory, in order', () => {
    const s = selectBenches(BENCHES, {});
    assert.ok(!names(s).includes('start-memory'));
    assert.equal(names(s)[0], 'runtime');
    assert.equal(names(s).length, BENCHES.length - 1);
    assert.deepEqual(
      s.notRun.map((n) => n.name),
      ['start-memory'],
    );
    assert.match(s.notRun[0]!.reason, /opt-in/);
  });

  test('--with adds an opt-in bench, --skip removes, --only picks (bench: prefix allowed)', () => {
    assert.ok(names(selectBenches(BENCHES, { with: 'start-memory' })).includes('start-memory'));
    assert.ok(!names(selectBenches(BENCHES, { skip: 'store, api' })).includes('store'));
    assert.deepEqual(names(selectBenches(BENCHES, { only: 'bench:edi,runtime,start-memory' })), ['runtime', 'edi', 'start-memory']);
    assert.deepEqual(names(selectBenches(BENCHES, { only: 'edi,runtime', skip: 'edi' })), ['runtime']);
  });

  test('an unknown name or an empty selection is a usage error', () => {
    assert.throws(
      () => selectBenches(BENCHES, { only: 'edi,nope' }),
      (e: unknown) => e instanceof UsageError && /--only: no benchmark nope/.test(e.message),
    );
    assert.throws(() => selectBenches(BENCHES, { skip: 'x' }), UsageError);
    assert.throws(() => selectBenches(BENCHES, { only: 'edi', skip: 'edi' }), /no benchmark left/);
  });
});

const result = (over: Partial<BenchResult> & { name: string }): BenchResult => ({
  exitCode: 0,
  signal: null,
  seconds: 90,
  log: `.scratch/bench-all-x/${over.name}.log`,
  rows: [],
  malformed: [],
  ...over,
});

const report = (over: Partial<RunReport> = {}): RunReport => ({
  startedAt: new Date('2026-12-07T22:40:05.123Z'),
  machine: 'machine: 2 x AMD EPYC, 23.5 GiB, node v24.22.3; load average 1.00 2.00 3.00',
  command: 'npm run bench:all -- --skip store',
  outDir: '.scratch/bench-all-x',
  seconds: 1500,
  results: [
    result({ name: 'runtime', rows: collectSummaries('summary: runtime | pipeline (each) | 1132 events/s | 3 % of raw').rows }),
    result({ name: 'edi', exitCode: 1, seconds: 12 }),
    result({
      name: 'replay',
      rows: collectSummaries('summary: replay | replay job | 41000 msgs/s | 87 % of raw copy').rows,
      malformed: [{ line: 'summary: replay | oops', problem: '2 cells separated by "|", expected 4' }],
    }),
  ],
  notRun: [
    { name: 'store', reason: '--skip' },
    { name: 'start-memory', reason: 'opt-in: needs the demo ports' },
  ],
  ...over,
});

describe('renderRunSection', () => {
  test('a dated heading with the machine, the table, failures with exit code and log, what was not run', () => {
    const text = renderRunSection(report());
    const lines = text.split('\n');
    assert.equal(lines[0], '### bench:all, 2026-12-07T22:40:05Z, 2 x AMD EPYC, 23.5 GiB, node v24.22.3; load average 1.00 2.00 3.00');
    assert.ok(text.includes('`npm run bench:all -- --skip store`: 3 benchmarks in 25.0 min; logs in `.scratch/bench-all-x/`.'));
    assert.ok(text.includes('| benchmark | figure | value | note |\n|---|---|---:|---|\n'));
    assert.ok(text.includes('| runtime | pipeline (each) | 1132 events/s | 3 % of raw |'));
    assert.ok(text.includes('| replay | replay job | 41000 msgs/s | 87 % of raw copy |'));
    assert.ok(text.includes('Failed: edi (exit code 1 after 12 s; log `.scratch/bench-all-x/edi.log`).'));
    assert.match(text, /Malformed summary lines, left out of the table: replay: `summary: replay \| oops`/);
    assert.match(text, /Not run: store \(--skip\); start-memory \(opt-in: needs the demo ports\)\./);
    assert.ok(text.endsWith('\n'));
  });

  test('no failures says so; a signal or a timeout is named; a silent bench is pointed out', () => {
    assert.ok(renderRunSection(report({ results: [result({ name: 'api' })] })).includes('Failed: none.'));
    assert.ok(renderRunSection(report({ results: [result({ name: 'api' })] })).includes('No summary line (exit code 0): api'));
    const t = renderRunSection(
      report({
        results: [
          result({ name: 'sink', exitCode: null, signal: 'SIGKILL' }),
          result({ name: 'store', exitCode: null, signal: 'SIGTERM', error: 'ended by bench:all after 30 min (--timeout-minutes)' }),
        ],
      }),
    );
    assert.match(t, /sink \(killed by SIGKILL after 1\.5 min/);
    assert.match(t, /store \(ended by bench:all after 30 min/);
    assert.ok(t.includes('No benchmark printed a summary line.'));
  });
});

describe('insertRunSection', () => {
  const intro = '# Benchmarks\n\nFigures are what the scripts printed.\n';
  const runtime = '## Runtime pipeline (`npm run bench:runtime`)\n\nText.\n';

  test('creates the section before the first ## heading when it is missing', () => {
    const doc = `${intro}\n${runtime}`;
    const out = insertRunSection(doc, '### bench:all, NEW\n\n| t |\n');
    assert.equal(out, `${intro}\n${DOCS_SECTION}\n\n### bench:all, NEW\n\n| t |\n\n${runtime}`);
  });

  test('a ## inside a code block is not a heading', () => {
    const doc = `${intro}\n\`\`\`sh\n## not a heading\n\`\`\`\n\n${runtime}`;
    const out = insertRunSection(doc, '### bench:all, NEW\n');
    assert.ok(out.indexOf('## not a heading') < out.indexOf(DOCS_SECTION));
    assert.ok(out.indexOf(DOCS_SECTION) < out.indexOf('## Runtime pipeline'));
  });

  test('appends the section at the end when the document has no ## heading', () => {
    assert.equal(insertRunSection(`${intro}\n\n`, '### bench:all, NEW\n'), `${intro}\n${DOCS_SECTION}\n\n### bench:all, NEW\n`);
  });

  test('puts the new run first in an existing section, after its description, keeping older runs', () => {
    const doc = `${intro}\n${DOCS_SECTION}\n\nWhat it runs.\n\n### bench:all, OLD\n\n| old |\n\n${runtime}`;
    const out = insertRunSection(doc, '### bench:all, NEW\n\n| new |\n');
    assert.equal(
      out,
      `${intro}\n${DOCS_SECTION}\n\nWhat it runs.\n\n### bench:all, NEW\n\n| new |\n\n### bench:all, OLD\n\n| old |\n\n${runtime}`,
    );
    const again = insertRunSection(out, '### bench:all, NEWER\n');
    assert.ok(again.indexOf('NEWER') < again.indexOf(', NEW\n') && again.indexOf(', NEW\n') < again.indexOf('OLD'));
    assert.equal(again.split(DOCS_SECTION).length, 2, 'one section');
  });

  test('an existing section without runs gets the run at its end, last section or not', () => {
    const middle = `${intro}\n${DOCS_SECTION}\n\nWhat it runs.\n\n\n${runtime}`;
    assert.equal(insertRunSection(middle, '### R\n'), `${intro}\n${DOCS_SECTION}\n\nWhat it runs.\n\n### R\n\n${runtime}`);
    const last = `${intro}\n${DOCS_SECTION}\n\nWhat it runs.\n`;
    assert.equal(insertRunSection(last, '### R\n'), `${intro}\n${DOCS_SECTION}\n\nWhat it runs.\n\n### R\n`);
  });

  test('a rendered run goes in whole, table and all', () => {
    const doc = `${intro}\n${runtime}`;
    const section = renderRunSection(report());
    const out = insertRunSection(doc, section);
    assert.ok(out.includes(section.trimEnd()));
    assert.ok(out.endsWith(runtime));
  });
});
