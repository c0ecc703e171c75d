// `npm run bench:start-memory`: peak resident memory of `npm start` with
// everything running: the local stack (Kafka, the registry, FerretDB and the
// PostgreSQL behind it), the simulators and every ODX service. Runs
// `npm start -- --exit` (the demo flow to its report, then a graceful stop),
// samples every process of it once a second (the stack's processes by their
// pid files, and everything they and `npm start` started, by parent), and
// prints the peak of the sum and the peak per process name. Memory is PSS
// (shared pages split among their sharers): summed RSS counts PostgreSQL's
// shared buffers once per backend. Asserts nothing.
//
// With --idle-seconds N, npm start runs without --exit: once it says the demo
// is done, it is left idle N seconds, then every ODX service's RSS and PSS is
// read (the idle figure of issue 17: at most 150 MB each), and npm start is
// stopped with SIGINT as Ctrl-C would.
//
//   npm run bench:start-memory -- [--interval-ms 1000] [--idle-seconds 60] [-- <npm start options: --from-source, --semi-space-mb 0>]
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCliArgs } from '@odx/runtime/cli';
import { REPO_ROOT } from '../repo-root.js';
import { machineLine } from '../soak/soak-table.js';
import { loadStackConfig } from '../stack/index.js';
import { printSummary, type SummaryFigure } from './summary.js';

const { values, positionals } = parseCliArgs(
  'bench:start-memory',
  'peak RSS of npm start (stack, simulators and services) through its demo',
  {
    options: { 'interval-ms': { type: 'string', default: '1000' }, 'idle-seconds': { type: 'string', default: '0' } },
    // What follows `--` goes to npm start (--from-source, --semi-space-mb N).
    allowPositionals: true,
  },
);
const INTERVAL = Number(values['interval-ms']);
if (!Number.isInteger(INTERVAL) || INTERVAL < 100) throw new Error(`--interval-ms must be a whole number >= 100, got ${INTERVAL}`);
const IDLE_SECONDS = Number(values['idle-seconds']);
if (!Number.isInteger(IDLE_SECONDS) || IDLE_SECONDS < 0) throw new Error(`--idle-seconds must be a whole number >= 0, got ${IDLE_SECONDS}`);
/** The ODX services, as nameOf names their processes: every folder of services/. */
const SERVICE_NAMES = new Set(readdirSync(join(REPO_ROOT, 'services')));
/** What npm start prints once the demo is done and it stays up (scripts/start.ts). */
const DEMO_DONE = 'Ctrl-C stops the services and simulators';

interface Proc {
  pid: number;
  ppid: number;
  name: string;
  rssKiB: number;
  /** Proportional set size: shared pages divided among the processes sharing them (PostgreSQL's shared buffers, ...). */
  pssKiB: number;
}

function readProcs(): Map<number, Proc> {
  const out = new Map<number, Proc>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const kib = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
      out.set(Number(entry), {
        pid: Number(entry),
        ppid,
        name: nameOf(readFileSync(`/proc/${entry}/cmdline`, 'utf8')),
        rssKiB: kib('VmRSS'),
        pssKiB: pssOf(entry) ?? kib('VmRSS'),
      });
    } catch {
      // gone between readdir and read
    }
  }
  return out;
}

/** Pss of a process in KiB (smaps_rollup), or undefined when it cannot be read. */
function pssOf(pid: string): number | undefined {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** A readable name: the service or script a node process runs, the part a server is. */
function nameOf(cmdline: string): string {
  const args = cmdline.split('\0').filter(Boolean);
  // A compiled service (npm start's default): <build>/<service>/services/<service>/dist/main.js.
  const js = args.map((a) => /services\/([^/]+)\/dist\/main\.js$/.exec(a)).find(Boolean);
  if (js) return js[1]!;
  const ts = args.find((a) => a.endsWith('.ts'));
  if (ts) {
    const m = /services\/([^/]+)\/src\/main\.ts$/.exec(ts);
    if (m) return m[1]!;
    return `${ts.replace(`${REPO_ROOT}/`, '')}${args.at(-1) === ts ? '' : ` ${args.slice(args.indexOf(ts) + 1).join(' ')}`}`;
  }
  if (args[0]?.endsWith('java')) return args.includes('kafka.Kafka') ? 'kafka' : 'registry (apicurio)';
  // PostgreSQL backends name themselves "postgres: <user> <db> <client>"; FerretDB's user is ferretdb.
  if (args[0]?.startsWith('postgres')) return 'postgresql';
  if (args[0]?.includes('ferretdb')) return 'ferretdb';
  return (args[0] ?? '?').split('/').pop() ?? '?';
}

/** Pids of the stack's servers: each part's pid file, and PostgreSQL's postmaster.pid under the data dir. */
function stackRoots(): number[] {
  const { paths } = loadStackConfig();
  const roots: number[] = [];
  if (existsSync(paths.runDir))
    for (const f of readdirSync(paths.runDir).filter((n) => n.endsWith('.pid'))) {
      try {
        roots.push((JSON.parse(readFileSync(join(paths.runDir, f), 'utf8')) as { pid: number }).pid);
      } catch {
        // not a pid record
      }
    }
  const dataRoot = join(paths.home, 'data');
  if (existsSync(dataRoot))
    for (const dir of readdirSync(dataRoot)) {
      const pm = join(dataRoot, dir, 'postmaster.pid');
      if (existsSync(pm)) roots.push(Number(readFileSync(pm, 'utf8').split('\n')[0]));
    }
  return roots;
}

/** `roots` and every process below them. */
function tree(procs: Map<number, Proc>, roots: number[]): Proc[] {
  const children = new Map<number, number[]>();
  for (const p of procs.values()) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const seen = new Set<number>();
  const stack = roots.filter((r) => procs.has(r));
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return [...seen].map((pid) => procs.get(pid)!);
}

console.log(machineLine());
const child = spawn(
  process.execPath,
  [join(REPO_ROOT, 'scripts/odx.mjs'), 'start', ...(IDLE_SECONDS > 0 ? [] : ['--exit']), ...positionals],
  {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
let demoLines = 0;
let demoDoneAt: number | undefined;
child.stdout.on('data', (chunk: Buffer) => {
  const text = chunk.toString();
  demoLines += text.split('\n').length - 1;
  if (demoDoneAt === undefined && text.includes(DEMO_DONE)) demoDoneAt = Date.now();
});
/** Each ODX service's memory after the idle wait (RSS and PSS, KiB), by name. */
let idle: Map<string, { rssKiB: number; pssKiB: number }> | undefined;
let peakTotal = 0;
let peakRss = 0;
let peakAt = 0;
let peakCount = 0;
const peakByName = new Map<string, number>();
const started = Date.now();
const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
let done = false;
void exited.then(() => (done = true));
while (!done) {
  const procs = readProcs();
  const ours = tree(procs, [child.pid!, ...stackRoots()]);
  const total = ours.reduce((s, p) => s + p.pssKiB, 0);
  if (total > peakTotal) {
    peakTotal = total;
    peakAt = Date.now() - started;
    peakCount = ours.length;
  }
  peakRss = Math.max(
    peakRss,
    ours.reduce((s, p) => s + p.rssKiB, 0),
  );
  const byName = new Map<string, number>();
  for (const p of ours) byName.set(p.name, (byName.get(p.name) ?? 0) + p.pssKiB);
  for (const [name, kib] of byName) peakByName.set(name, Math.max(peakByName.get(name) ?? 0, kib));
  if (IDLE_SECONDS > 0 && !idle && demoDoneAt !== undefined && Date.now() - demoDoneAt >= IDLE_SECONDS * 1000) {
    idle = new Map();
    for (const p of ours.filter((o) => SERVICE_NAMES.has(o.name))) {
      const seen = idle.get(p.name) ?? { rssKiB: 0, pssKiB: 0 };
      idle.set(p.name, { rssKiB: Math.max(seen.rssKiB, p.rssKiB), pssKiB: Math.max(seen.pssKiB, p.pssKiB) });
    }
    child.kill('SIGINT');
  }
  await new Promise((r) => setTimeout(r, INTERVAL));
}
const code = await exited;
const mib = (kib: number): string => `${(kib / 1024).toFixed(0)} MiB`;
console.log(
  `\nnpm start -- --exit${positionals.length ? ` ${positionals.join(' ')}` : ''}: exit code ${code}, ${((Date.now() - started) / 1000).toFixed(0)} s, ${demoLines} lines of demo output`,
);
console.log(
  `peak memory, every process summed: ${mib(peakTotal)} PSS (${peakCount} processes, ${(peakAt / 1000).toFixed(0)} s in); summed RSS peaked at ${mib(peakRss)}, counting each shared page once per process that maps it`,
);
console.log('peak PSS per process name (processes of one name summed, sampled):');
for (const [name, kib] of [...peakByName].sort(([, a], [, b]) => b - a)) console.log(`  ${name.padEnd(44)} ${mib(kib).padStart(9)}`);
const idleFigures: SummaryFigure[] = [];
if (idle) {
  console.log(`\neach service after ${IDLE_SECONDS} s idle (the largest instance of a name; target: at most 150 MB RSS each):`);
  for (const [name, m] of [...idle].sort(([, a], [, b]) => b.rssKiB - a.rssKiB)) {
    console.log(`  ${name.padEnd(44)} RSS ${mib(m.rssKiB).padStart(9)}  PSS ${mib(m.pssKiB).padStart(9)}`);
    idleFigures.push({
      figure: `${name} idle RSS`,
      value: m.rssKiB / 1024,
      unit: 'MiB',
      note: `after ${IDLE_SECONDS} s idle; PSS ${mib(m.pssKiB)}`,
    });
  }
} else if (IDLE_SECONDS > 0) console.log(`\nnpm start ended before ${IDLE_SECONDS} s of idle: no idle figures`);
console.log(machineLine());
const largest = [...peakByName].sort(([, a], [, b]) => b - a)[0];
printSummary('start-memory', [
  {
    figure: 'npm start peak, every process (PSS)',
    value: peakTotal / 1024,
    unit: 'MiB',
    note: `${peakCount} processes, ${(peakAt / 1000).toFixed(0)} s in; npm start ${idle ? 'stopped by Ctrl-C after the idle wait' : `exit ${code}`}${largest ? `; largest ${largest[0]} ${mib(largest[1])}` : ''}`,
  },
  ...idleFigures,
]);
// Stopped by SIGINT after the idle wait is the expected end of that run.
process.exit(idle ? 0 : code);
