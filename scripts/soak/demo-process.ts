// One `npm start` of the restart soak: started detached in a process group of
// its own (the launcher, start.ts, the simulators and the six services all
// inherit the group; the stack's servers do not, they start in sessions of
// their own), its output in a log file, stopped with SIGKILL to the whole
// group as a power cut or an OOM kill would, and waited for until its ports
// are free again.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from '../repo-root.js';

const RUNNING_MARK = 'ODX is running';
const FAILED_MARK = 'the demo failed';

/** `npm start` printed that it failed, or exited, before it was running. */
export class DemoStartError extends Error {
  override readonly name = 'DemoStartError';
  constructor(
    message: string,
    readonly logTail: string,
  ) {
    super(message);
  }
}

export interface GroupProcess {
  pid: number;
  name: string;
  rssKiB: number;
  /** Peak resident set of the process over its life (VmHWM). */
  peakRssKiB: number;
}

export interface DemoProcessOptions {
  /** Orders the demo scenario keys into Odoo (`npm start -- --orders`). */
  orders: number;
  logFile: string;
}

export class DemoProcess {
  readonly startedAt = Date.now();
  private exit: string | null = null;
  private peakTotalKiB = 0;
  private readonly peakByProcess = new Map<string, number>();

  private constructor(
    private readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    child.once('exit', (code, signal) => {
      this.exit = signal ? `killed by ${signal}` : `exited with code ${code}`;
    });
  }

  /** Spawns `node scripts/odx.mjs start --orders N` as the leader of a new process group. */
  static start(o: DemoProcessOptions): DemoProcess {
    const fd = openSync(o.logFile, 'a');
    try {
      const child = spawn(process.execPath, [join(REPO_ROOT, 'scripts', 'odx.mjs'), 'start', '--orders', String(o.orders)], {
        cwd: REPO_ROOT,
        detached: true,
        stdio: ['ignore', fd, fd],
        env: process.env,
      });
      if (child.pid === undefined) throw new Error('npm start could not be spawned');
      return new DemoProcess(child, o.logFile);
    } finally {
      closeSync(fd);
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Why the launcher is gone, or null while it runs. */
  get exited(): string | null {
    return this.exit;
  }

  output(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** Resolves once the launcher printed its "ODX is running" block; throws DemoStartError when it failed or exited first. */
  async waitUntilRunning(timeoutMs: number, signal: AbortSignal): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const out = this.output();
      if (out.includes(RUNNING_MARK)) return out;
      if (out.includes(FAILED_MARK)) throw new DemoStartError('npm start reported that the demo failed', tail(out));
      if (this.exit) throw new DemoStartError(`npm start ${this.exit} before it was running`, tail(out));
      if (Date.now() > deadline) throw new DemoStartError(`npm start was not running after ${Math.round(timeoutMs / 1000)} s`, tail(out));
      signal.throwIfAborted();
      this.sampleMemory();
      await sleep(1_000);
    }
  }

  /** The processes of the group now (the launcher and everything it started). */
  processes(): GroupProcess[] {
    const out: GroupProcess[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        // Fields after the parenthesised command: state ppid pgrp ...
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (Number(fields[2]) !== this.pid) continue;
        const status = readFileSync(`/proc/${entry}/status`, 'utf8');
        const kib = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
        out.push({
          pid: Number(entry),
          name: processName(readFileSync(`/proc/${entry}/cmdline`, 'utf8')),
          rssKiB: kib('VmRSS'),
          peakRssKiB: kib('VmHWM'),
        });
      } catch {
        // gone between readdir and read
      }
    }
    return out;
  }

  /** Records the group's total resident memory and each process's peak; call it every few seconds. */
  sampleMemory(): void {
    const procs = this.processes();
    this.peakTotalKiB = Math.max(
      this.peakTotalKiB,
      procs.reduce((sum, p) => sum + p.rssKiB, 0),
    );
    for (const p of procs) this.peakByProcess.set(p.name, Math.max(this.peakByProcess.get(p.name) ?? 0, p.peakRssKiB));
  }

  /** Highest sampled sum of the group's RSS, and the process with the highest peak RSS. */
  memory(): { peakTotalKiB: number; largest: { name: string; peakRssKiB: number } | null } {
    const [name, peakRssKiB] = [...this.peakByProcess].sort(([, a], [, b]) => b - a)[0] ?? [];
    return { peakTotalKiB: this.peakTotalKiB, largest: name === undefined ? null : { name, peakRssKiB: peakRssKiB! } };
  }

  /** SIGKILL to the whole group, then waits until no process of it is left and `ports` refuse connections. */
  async kill(ports: readonly number[], timeoutMs = 60_000): Promise<void> {
    signalGroup(this.pid, 'SIGKILL');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const alive = groupAlive(this.pid);
      const busy = alive ? [] : await busyPorts(ports);
      if (!alive && busy.length === 0) return;
      if (Date.now() > deadline) {
        throw new Error(
          alive
            ? `process group ${this.pid} still has processes after SIGKILL: ${this.processes()
                .map((p) => `${p.pid} ${p.name}`)
                .join(', ')}`
            : `ports still answer after the group was killed: ${busy.join(', ')}`,
        );
      }
      if (alive) signalGroup(this.pid, 'SIGKILL');
      await sleep(250);
    }
  }
}

function signalGroup(pgid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, sig);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

function groupAlive(pgid: number): boolean {
  return signalGroup(pgid, 0);
}

/** Ports on 127.0.0.1 that still accept a connection. */
export async function busyPorts(ports: readonly number[]): Promise<number[]> {
  const open = await Promise.all(
    ports.map(
      (port) =>
        new Promise<boolean>((resolve) => {
          const socket = connect({ host: '127.0.0.1', port });
          socket.setTimeout(1_000);
          socket.once('connect', () => {
            socket.destroy();
            resolve(true);
          });
          socket.once('timeout', () => {
            socket.destroy();
            resolve(true);
          });
          socket.once('error', () => resolve(false));
        }),
    ),
  );
  return ports.filter((_, i) => open[i]);
}

/** A short name for a process of the group: the service or simulator it runs. */
function processName(cmdline: string): string {
  const args = cmdline.split('\0').filter(Boolean);
  const service = args.map((a) => /services\/([^/]+)\/src\/main\.ts$/.exec(a)?.[1]).find(Boolean);
  if (service) return service;
  const sim = args.findIndex((a) => a.endsWith('scripts/demo/simulator.ts'));
  if (sim >= 0) return `sim-${args[sim + 1] ?? '?'}`;
  if (args.some((a) => a.endsWith('scripts/start.ts'))) return 'start.ts';
  if (args.some((a) => a.endsWith('scripts/odx.mjs'))) return 'odx.mjs';
  return args.slice(0, 3).join(' ').slice(0, 60);
}

function tail(text: string, lines = 40): string {
  return text.split('\n').slice(-lines).join('\n');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
