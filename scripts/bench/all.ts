// `npm run bench:all`: every benchmark of scripts/bench/, one after the other,
// each as its own process (`node scripts/odx.mjs bench:<name> ...`), on the
// local stack (brought up first if it is down, as each bench would). Each
// bench's output goes to <out>/<name>.log; stdout shows which bench runs and
// for how long. The `summary:` lines the benches print at the end
// (scripts/bench/summary.ts) are collected into one table, written to
// <out>/summary.md and, newest run first, into docs/benchmarks.md under
// "## All benchmarks (`npm run bench:all`)". A bench that fails does not stop
// the others; the run exits 1 if any failed.
//
// Sizes: each bench's defaults (the sizes of its section in docs/benchmarks.md),
// but half the events for runtime. Estimated from the documented runs, about
// 15-20 minutes on a quiet 2-core machine, 30-40 on a busy one (the benches
// share the cores with the stack); each run's docs entry lists the times.
//
//   runtime       --events 50000 (latency: 1,000/s for 20 s)    ~3 min  (default 100,000: the 'each' phase alone 90 s or more)
//   odoo          --orders 50000 --writebacks 1000                ~2 min  (defaults; the fill, not measured, about 1 ms per order)
//   fulfillment   --orders 2000 --latency-orders 300 --rate 50    ~2 min  (defaults)
//   edi           --docs 3000 --service-docs 1000 --asns 20000    ~1 min  (defaults)
//   replay        --messages 500000                               ~1 min  (default)
//   sink          --events 50000                                  ~1 min  (default)
//   orchestrator  --orders 2000 --open 100000                     ~2 min  (defaults; issue 12's sizes)
//   webhooks      --events 20000 --rate 200 --seconds 20          ~2 min  (defaults)
//   api           --orders 20000 --concurrency 64                 ~1 min  (defaults)
//   kpi-burst     --orders 5000 --rounds 3                        ~1 min  (defaults; run as scripts/bench/kpi-burst.ts, it has no npm script)
//   store         (defaults)                                      ~1 min on FerretDB/PostgreSQL, ~4 on SQLite
//   start-memory  not run unless asked for (--with start-memory, or --only): it runs `npm start`, which needs the
//                 demo's ports free, so it cannot run beside a demo someone else has up; it brings the stack up itself.
//
// --smoke runs each bench at the smallest sizes its options allow (a minute or
// two in all): it checks that every bench runs and prints its summary lines; its
// figures mean nothing, so it never writes the docs.
//
//   npm run bench:all -- [--only a,b] [--skip a,b] [--with start-memory] [--out DIR] [--no-docs] [--smoke] [--timeout-minutes 30]
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseCliArgs } from '@odx/runtime/cli';
import { REPO_ROOT } from '../repo-root.js';
import { machineLine } from '../soak/soak-table.js';
import { stackUp } from '../stack/index.js';
import { parseSummaryLine, type SummaryRow } from './summary.js';

/** One benchmark as bench:all runs it. */
export interface BenchSpec {
  /** `npm run bench:<name>`, and the name its summary lines carry. */
  name: string;
  args: readonly string[];
  /** The smallest sizes its options allow, for --smoke. */
  smoke: readonly string[];
  /** Run as `node --import tsx <entry>` instead of through scripts/odx.mjs (a bench without an npm script). */
  entry?: string;
  /** Why it is not run unless asked for (--with, --only); undefined: run by default. */
  optIn?: string;
}

/** Every benchmark, in the order bench:all runs them (the sizes are discussed in the header). */
export const BENCHES: readonly BenchSpec[] = [
  { name: 'runtime', args: ['--events', '50000'], smoke: ['--events', '1000', '--rate', '100', '--latency-seconds', '3'] },
  { name: 'odoo', args: ['--orders', '50000', '--writebacks', '1000'], smoke: ['--orders', '100', '--writebacks', '10'] },
  {
    name: 'fulfillment',
    args: ['--orders', '2000', '--latency-orders', '300', '--rate', '50'],
    smoke: ['--orders', '20', '--latency-orders', '10', '--rate', '10'],
  },
  {
    name: 'edi',
    args: ['--docs', '3000', '--service-docs', '1000', '--asns', '20000'],
    smoke: ['--docs', '50', '--service-docs', '20', '--asns', '100'],
  },
  { name: 'replay', args: ['--messages', '500000'], smoke: ['--messages', '2000'] },
  { name: 'sink', args: ['--events', '50000'], smoke: ['--events', '1000'] },
  { name: 'orchestrator', args: ['--orders', '2000', '--open', '100000'], smoke: ['--orders', '50', '--open', '2000', '--due', '50'] },
  {
    name: 'webhooks',
    args: ['--events', '20000', '--rate', '200', '--seconds', '20'],
    smoke: ['--events', '500', '--rate', '50', '--seconds', '3'],
  },
  {
    name: 'api',
    args: ['--orders', '20000', '--concurrency', '64'],
    smoke: ['--orders', '200', '--warmup', '20', '--concurrency', '8', '--core'],
  },
  {
    name: 'kpi-burst',
    args: ['--orders', '5000', '--rounds', '3'],
    smoke: ['--orders', '50', '--rounds', '1', '--parallel', '5', '--cache-ms', '1000'],
    entry: 'scripts/bench/kpi-burst.ts',
  },
  {
    name: 'store',
    args: [],
    smoke: ['--history', '500', '--seconds', '0.5', '--docs', '500', '--upserts', '50', '--events', '200', '--redelivery-batch', '20'],
  },
  {
    name: 'start-memory',
    args: [],
    smoke: [],
    optIn: "runs `npm start`, which needs the demo's ports free; add it with --with start-memory",
  },
];

/** A command line that cannot be run as given (exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface Selection {
  run: BenchSpec[];
  notRun: Array<{ name: string; reason: string }>;
}

/** `a, bench:b,,c` -> ['a', 'b', 'c']. */
function names(list: string | undefined): string[] {
  return (list ?? '')
    .split(',')
    .map((n) => n.trim().replace(/^bench:/, ''))
    .filter(Boolean);
}

/**
 * Which benches run: --only names exactly those (opt-in ones included),
 * otherwise every bench that is not opt-in plus those named by --with; then
 * --skip removes some. An unknown name is a UsageError.
 */
export function selectBenches(all: readonly BenchSpec[], opts: { only?: string; skip?: string; with?: string }): Selection {
  const known = new Set(all.map((b) => b.name));
  const [only, skip, extra] = [names(opts.only), names(opts.skip), names(opts.with)];
  for (const [flag, list] of [
    ['--only', only],
    ['--skip', skip],
    ['--with', extra],
  ] as const) {
    const unknown = list.filter((n) => !known.has(n));
    if (unknown.length > 0) throw new UsageError(`${flag}: no benchmark ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  }
  const run: BenchSpec[] = [];
  const notRun: Selection['notRun'] = [];
  for (const b of all) {
    if (only.length > 0 && !only.includes(b.name)) notRun.push({ name: b.name, reason: 'not in --only' });
    else if (only.length === 0 && b.optIn && !extra.includes(b.name)) notRun.push({ name: b.name, reason: `opt-in: ${b.optIn}` });
    else if (skip.includes(b.name)) notRun.push({ name: b.name, reason: '--skip' });
    else run.push(b);
  }
  if (run.length === 0) throw new UsageError('no benchmark left to run (check --only and --skip)');
  return { run, notRun };
}

/** A line that starts like a summary line but is not one. */
export interface MalformedLine {
  line: string;
  problem: string;
}

/** The summary lines in a bench's output, and the malformed ones (ignored, with why). */
export function collectSummaries(output: string): { rows: SummaryRow[]; malformed: MalformedLine[] } {
  const rows: SummaryRow[] = [];
  const malformed: MalformedLine[] = [];
  for (const line of output.split(/\r?\n/)) {
    const parsed = parseSummaryLine(line);
    if (parsed === undefined) continue;
    if ('problem' in parsed) malformed.push({ line: line.trim(), problem: parsed.problem });
    else rows.push(parsed);
  }
  return { rows, malformed };
}

/** How one bench ended. */
export interface BenchResult {
  name: string;
  /** The exit code; null when it was ended by a signal or could not start. */
  exitCode: number | null;
  signal: string | null;
  /** Set when bench:all ended it after --timeout-minutes, or it could not be started. */
  error?: string;
  seconds: number;
  /** The log file, relative to the repository. */
  log: string;
  rows: SummaryRow[];
  malformed: MalformedLine[];
}

/** What one bench:all run leaves in the docs. */
export interface RunReport {
  startedAt: Date;
  /** machineLine() at the start, with or without its `machine: ` prefix. */
  machine: string;
  /** The command as typed, e.g. `npm run bench:all -- --skip store`. */
  command: string;
  /** The log folder, relative to the repository. */
  outDir: string;
  seconds: number;
  results: BenchResult[];
  notRun: Selection['notRun'];
}

export const DOCS_SECTION = '## All benchmarks (`npm run bench:all`)';

export const failed = (r: BenchResult): boolean => r.exitCode !== 0 || r.error !== undefined;

function howItEnded(r: BenchResult): string {
  if (r.error) return r.error;
  return r.signal ? `killed by ${r.signal}` : `exit code ${r.exitCode}`;
}

const minutes = (seconds: number): string => (seconds < 60 ? `${Math.round(seconds)} s` : `${(seconds / 60).toFixed(1)} min`);
const tableCell = (text: string): string => text.replace(/\|/g, '\\|');

/** The run's `### bench:all, <ISO date time>, <machine>` section: the summary table, then failures and what was not run. */
export function renderRunSection(report: RunReport): string {
  const when = report.startedAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const machine = report.machine.replace(/^machine:\s*/, '');
  const out = [
    `### bench:all, ${when}, ${machine}`,
    '',
    `\`${report.command}\`: ${report.results.length} benchmarks in ${minutes(report.seconds)}; logs in \`${report.outDir}/\`.`,
    '',
  ];
  const rows = report.results.flatMap((r) => r.rows);
  if (rows.length > 0) {
    out.push('| benchmark | figure | value | note |', '|---|---|---:|---|');
    for (const r of rows) out.push(`| ${[r.bench, r.figure, r.value, r.note].map(tableCell).join(' | ')} |`);
  } else {
    out.push('No benchmark printed a summary line.');
  }
  out.push('');
  const failures = report.results.filter(failed);
  out.push(
    failures.length === 0
      ? 'Failed: none.'
      : `Failed: ${failures.map((r) => `${r.name} (${howItEnded(r)} after ${minutes(r.seconds)}; log \`${r.log}\`)`).join('; ')}.`,
  );
  const silent = report.results.filter((r) => !failed(r) && r.rows.length === 0);
  if (silent.length > 0) out.push(`No summary line (exit code 0): ${silent.map((r) => `${r.name} (log \`${r.log}\`)`).join('; ')}.`);
  const malformed = report.results.flatMap((r) => r.malformed.map((m) => `${r.name}: \`${m.line.replace(/`/g, "'")}\` (${m.problem})`));
  if (malformed.length > 0) out.push(`Malformed summary lines, left out of the table: ${malformed.join('; ')}.`);
  out.push(`Times: ${report.results.map((r) => `${r.name} ${minutes(r.seconds)}`).join(', ')}.`);
  if (report.notRun.length > 0) {
    const byReason = new Map<string, string[]>();
    for (const n of report.notRun) byReason.set(n.reason, [...(byReason.get(n.reason) ?? []), n.name]);
    out.push(`Not run: ${[...byReason].map(([reason, list]) => `${list.join(', ')} (${reason})`).join('; ')}.`);
  }
  return `${out.join('\n')}\n`;
}

/** For each line, whether it is inside a fenced code block (a `## ` there is not a heading). */
function fenced(lines: readonly string[]): boolean[] {
  let inside = false;
  return lines.map((l) => {
    if (/^\s*(```|~~~)/.test(l)) {
      inside = !inside;
      return true;
    }
    return inside;
  });
}

/**
 * `doc` with `section` (a rendered run) as the newest run of the bench:all
 * section: before the section's first `### ` run, or at its end when it has
 * none. Without the section, it is created before the first `## ` heading
 * (after the document's introduction), or at the end.
 */
export function insertRunSection(doc: string, section: string): string {
  const lines = doc.replace(/\r\n/g, '\n').split('\n');
  const code = fenced(lines);
  const block = section.trimEnd().split('\n');
  const isH2 = (i: number): boolean => !code[i] && /^## /.test(lines[i]!);
  const at = lines.findIndex((l, i) => !code[i] && l.trimEnd() === DOCS_SECTION);
  if (at >= 0) {
    let end = lines.findIndex((_, i) => i > at && isH2(i));
    if (end < 0) end = lines.length;
    const firstRun = lines.findIndex((l, i) => i > at && i < end && !code[i] && /^### /.test(l));
    if (firstRun >= 0) lines.splice(firstRun, 0, ...block, '');
    else {
      let last = end;
      while (last > at + 1 && lines[last - 1]!.trim() === '') last--;
      lines.splice(last, end - last, '', ...block, ...(end < lines.length ? [''] : []));
    }
  } else {
    const next = lines.findIndex((_, i) => isH2(i));
    if (next >= 0) lines.splice(next, 0, DOCS_SECTION, '', ...block, '');
    else {
      while (lines.length > 0 && lines.at(-1)!.trim() === '') lines.pop();
      lines.push('', DOCS_SECTION, '', ...block);
    }
  }
  const text = lines.join('\n');
  return text.endsWith('\n') ? text : `${text}\n`;
}

const clock = (ms: number): string => {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
};

/** The bench process that is running, so an interrupt can end it (it runs in a process group of its own). */
let running: ChildProcess | undefined;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

/** Runs one bench to its end (or its timeout), output to its log, progress to stdout. */
function runBench(b: BenchSpec, args: readonly string[], outDir: string, timeoutMs: number, label: string): Promise<BenchResult> {
  const logPath = join(outDir, `${b.name}.log`);
  const log = relative(REPO_ROOT, logPath);
  const argv = b.entry
    ? ['--import', 'tsx', join(REPO_ROOT, b.entry), ...args]
    : [join(REPO_ROOT, 'scripts/odx.mjs'), `bench:${b.name}`, ...args];
  const shown = b.entry ? `node --import tsx ${b.entry} ${args.join(' ')}` : `npm run bench:${b.name} -- ${args.join(' ')}`;
  console.log(`${label} ${shown.trim()}  (log ${log})`);
  const file = createWriteStream(logPath);
  file.write(`# ${shown.trim()}\n# started ${new Date().toISOString()}\n`);
  const started = Date.now();
  return new Promise((resolveResult) => {
    let stdout = '';
    let error: string | undefined;
    const child = spawn(process.execPath, argv, { cwd: REPO_ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running = child;
    // Decoded as a stream: a character split between two chunks stays whole.
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      file.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => file.write(chunk));
    const heartbeat = setInterval(() => console.log(`    ${b.name}: ${clock(Date.now() - started)} ...`), 60_000);
    let killTimer: NodeJS.Timeout | undefined;
    const timeout = setTimeout(() => {
      error = `ended by bench:all after ${timeoutMs / 60_000} min (--timeout-minutes)`;
      killGroup(child, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child, 'SIGKILL'), 15_000);
    }, timeoutMs);
    const finish = (exitCode: number | null, signal: string | null): void => {
      clearInterval(heartbeat);
      clearTimeout(timeout);
      clearTimeout(killTimer);
      running = undefined;
      const seconds = (Date.now() - started) / 1000;
      const { rows, malformed } = collectSummaries(stdout);
      const result: BenchResult = { name: b.name, exitCode, signal, seconds, log, rows, malformed, ...(error ? { error } : {}) };
      console.log(
        failed(result)
          ? `    ${b.name}: FAILED (${howItEnded(result)}) after ${clock(seconds * 1000)}; see ${log}`
          : `    ${b.name}: done in ${clock(seconds * 1000)}, ${rows.length} summary line(s)${malformed.length ? `, ${malformed.length} malformed` : ''}`,
      );
      // Resolved once the log is on disk: the run may exit right after the last bench.
      file.end(`\n# ${failed(result) ? `FAILED: ${howItEnded(result)}` : 'exit code 0'} after ${clock(seconds * 1000)}\n`, () =>
        resolveResult(result),
      );
    };
    child.once('error', (err) => {
      error = `could not start: ${err.message}`;
      finish(null, null);
    });
    child.once('close', (code, signal) => {
      if (error?.startsWith('could not start')) return;
      finish(code, signal);
    });
  });
}

async function main(): Promise<number> {
  const { values } = parseCliArgs('bench:all', 'every benchmark in sequence; collects their summary lines into docs/benchmarks.md', {
    options: {
      only: { type: 'string' },
      skip: { type: 'string' },
      with: { type: 'string' },
      out: { type: 'string' },
      'no-docs': { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      'timeout-minutes': { type: 'string', default: '30' },
    },
  });
  const timeoutMinutes = Number(values['timeout-minutes']);
  if (!(timeoutMinutes > 0)) throw new UsageError(`--timeout-minutes must be a number > 0, got "${values['timeout-minutes']}"`);
  const selection = selectBenches(BENCHES, values);
  const startedAt = new Date();
  const outDir = resolve(
    REPO_ROOT,
    values.out ??
      join(
        '.scratch',
        `bench-all-${startedAt
          .toISOString()
          .replace(/\.\d{3}Z$/, 'Z')
          .replace(/:/g, '-')}`,
      ),
  );
  mkdirSync(outDir, { recursive: true });
  const machine = machineLine();
  console.log(machine);
  console.log(`bench:all: ${selection.run.map((b) => b.name).join(', ')}; logs in ${relative(REPO_ROOT, outDir) || '.'}`);
  for (const n of selection.notRun) console.log(`  not run: ${n.name} (${n.reason})`);
  if (values.smoke) console.log('--smoke: the smallest sizes, to check that each bench runs; its figures mean nothing (docs not written)');

  // start-memory brings the stack up through npm start; every other bench needs it up (some only read its endpoints).
  if (selection.run.some((b) => b.name !== 'start-memory')) {
    console.log('stack: checking it is up ...');
    await stackUp({ quiet: true });
  }

  const interrupt = (signal: NodeJS.Signals): void => {
    console.log(`\nbench:all: ${signal}; ending the bench that runs, no docs written`);
    if (running) killGroup(running, 'SIGTERM');
    process.exit(130);
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  const results: BenchResult[] = [];
  for (const [i, b] of selection.run.entries()) {
    const label = `[${i + 1}/${selection.run.length}, ${clock(Date.now() - startedAt.getTime())} in]`;
    results.push(await runBench(b, values.smoke ? b.smoke : b.args, outDir, timeoutMinutes * 60_000, label));
  }

  const args = process.argv.slice(2);
  const section = renderRunSection({
    startedAt,
    machine,
    command: `npm run bench:all${args.length ? ` -- ${args.join(' ')}` : ''}`,
    outDir: relative(REPO_ROOT, outDir),
    seconds: (Date.now() - startedAt.getTime()) / 1000,
    results,
    notRun: selection.notRun,
  });
  writeFileSync(join(outDir, 'summary.md'), section);
  console.log(`\n${section}`);
  if (!values['no-docs'] && !values.smoke) {
    const docs = join(REPO_ROOT, 'docs', 'benchmarks.md');
    writeFileSync(docs, insertRunSection(readFileSync(docs, 'utf8'), section));
    console.log(`written to ${relative(REPO_ROOT, docs)} (newest run first) and ${relative(REPO_ROOT, join(outDir, 'summary.md'))}`);
  } else console.log(`written to ${relative(REPO_ROOT, join(outDir, 'summary.md'))} (docs/benchmarks.md unchanged)`);
  const failures = results.filter(failed);
  if (failures.length > 0)
    console.log(`bench:all: ${failures.length} of ${results.length} failed: ${failures.map((r) => r.name).join(', ')}`);
  return failures.length > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().then(
    // Exits explicitly: a handle some library left open must not keep a finished run waiting.
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`bench:all: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = err instanceof UsageError ? 2 : 1;
    },
  );
}
