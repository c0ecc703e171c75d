// Runs ODX services and simulators as child processes for `npm start`: one
// process each (as they deploy), logs to files, readiness awaited over HTTP,
// stopped together with SIGTERM (graceful shutdown) when the demo ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { REPO_ROOT } from '../repo-root.js';

export interface ProcessSpec {
  /** Short name, used for the log file. */
  name: string;
  /**
   * The entry: TypeScript (run through tsx) or compiled JavaScript (run by node alone), absolute or relative to
   * the repository root.
   */
  entry: string;
  args?: string[];
  /** Options for node itself, before the entry (`--max-semi-space-size=2`). */
  nodeArgs?: string[];
  env: Record<string, string>;
  /** Polled until it answers 2xx (any HTTP answer when `anyStatus`). */
  readyUrl: string;
  anyStatus?: boolean;
}

export interface RunningProcess {
  spec: ProcessSpec;
  child: ChildProcess;
  logFile: string;
}

/** How node starts an entry: TypeScript through tsx, compiled JavaScript (an image layout) on node alone. */
export function nodeEntry(entry: string): string[] {
  const path = isAbsolute(entry) ? entry : join(REPO_ROOT, entry);
  return entry.endsWith('.ts') ? ['--import', 'tsx', path] : [path];
}

export class ProcessSupervisor {
  private readonly running: RunningProcess[] = [];
  private stopping: Promise<void> | null = null;

  constructor(private readonly logDir: string) {
    mkdirSync(logDir, { recursive: true });
  }

  get processes(): readonly RunningProcess[] {
    return this.running;
  }

  /** Starts the process and resolves once its readiness URL answers 2xx. */
  async start(spec: ProcessSpec, timeoutMs = 90_000): Promise<RunningProcess> {
    const logFile = join(this.logDir, `${spec.name}.log`);
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(process.execPath, [...(spec.nodeArgs ?? []), ...nodeEntry(spec.entry), ...(spec.args ?? [])], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    const proc: RunningProcess = { spec, child, logFile };
    this.running.push(proc);
    let exited: string | null = null;
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? `code ${code}`}`;
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (exited) {
        await new Promise((r) => setTimeout(r, 300)); // let the piped output reach the file
        throw new Error(`${spec.name} ${exited} before it was ready; see ${logFile}${lastLines(logFile)}`);
      }
      try {
        const res = await fetch(spec.readyUrl, { signal: AbortSignal.timeout(2_000) });
        if (res.ok || spec.anyStatus) return proc;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${spec.name} not ready at ${spec.readyUrl} after ${timeoutMs / 1000} s; see ${logFile}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  /** Stops a process with SIGTERM (SIGKILL after the grace period). */
  async stop(name: string, graceMs = 20_000): Promise<void> {
    const proc = this.running.find((p) => p.spec.name === name);
    if (!proc) return;
    this.running.splice(this.running.indexOf(proc), 1);
    await terminate(proc.child, graceMs);
  }

  /** Stops every process, last started first. Idempotent. */
  stopAll(graceMs = 20_000): Promise<void> {
    this.stopping ??= (async () => {
      const procs = [...this.running].reverse();
      this.running.length = 0;
      await Promise.all(procs.map((p) => terminate(p.child, graceMs)));
    })();
    return this.stopping;
  }
}

function terminate(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** The end of a process's log, for an error that may outlive the file (tests remove their logs). */
export function lastLines(logFile: string, lines = 12): string {
  try {
    const text = readFileSync(logFile, 'utf8');
    const tail = text.trimEnd().split('\n').slice(-lines);
    return tail.length > 0 && tail[0] !== '' ? `; its log ends:\n${tail.map((l) => `  ${l.slice(0, 600)}`).join('\n')}` : '';
  } catch {
    return '';
  }
}
