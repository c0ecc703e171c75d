import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PartName } from './config.js';

/** What `up` writes to `$ODX_HOME/run/<part>.pid`. */
export interface PidRecord {
  pid: number;
  part: PartName;
  /**
   * A string that appears in the process's command line (the part's data
   * directory). `down` kills a pid only when /proc/<pid>/cmdline still
   * contains it, so a recycled pid is never killed.
   */
  signature: string;
  startedAt: string;
  command: string;
  /** When `up` first saw it healthy: from then on it is no longer "still starting". */
  healthyAt?: string;
}

export function readPidRecord(file: string): PidRecord | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const record = value as Partial<Record<keyof PidRecord, unknown>>;
    if (typeof record.pid !== 'number' || typeof record.signature !== 'string') return undefined;
    return {
      pid: record.pid,
      part: record.part as PartName,
      signature: record.signature,
      startedAt: typeof record.startedAt === 'string' ? record.startedAt : '',
      command: typeof record.command === 'string' ? record.command : '',
      ...(typeof record.healthyAt === 'string' ? { healthyAt: record.healthyAt } : {}),
    };
  } catch {
    return undefined;
  }
}

export function writePidRecord(file: string, record: PidRecord): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(tmp, file);
}

export function removePidFile(file: string): void {
  rmSync(file, { force: true });
}

/** True when the pid exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return existsSync(`/proc/${pid}`);
  }
}

/** The command line of a process, arguments joined by spaces; undefined when gone. */
export function readCmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

/** True when the recorded process is alive and still the one `up` started. */
export function isOurs(record: PidRecord): boolean {
  if (!isAlive(record.pid)) return false;
  const cmdline = readCmdline(record.pid);
  return cmdline !== undefined && cmdline.includes(record.signature);
}

/**
 * The process `up` started for a part, if it is still running. A pid file
 * that points at a dead or foreign process is removed.
 */
export function findOwnProcess(pidFile: string): PidRecord | undefined {
  const record = readPidRecord(pidFile);
  if (!record) {
    if (existsSync(pidFile)) removePidFile(pidFile);
    return undefined;
  }
  if (isOurs(record)) return record;
  removePidFile(pidFile);
  return undefined;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnedProcess {
  pid: number;
  /** Settles when the process exits while this Node process is alive. */
  exited: Promise<ExitInfo>;
}

export interface SpawnSpec {
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here. */
  logFile: string;
}

/** Moves the previous log aside so the current log holds one run only. */
export function rotateLog(logFile: string): void {
  if (existsSync(logFile)) renameSync(logFile, `${logFile}.1`);
}

/**
 * Starts a long-running server detached from this process (own session, no
 * terminal), so it outlives the CLI and ignores the terminal's Ctrl-C.
 */
export async function spawnDetached(spec: SpawnSpec): Promise<SpawnedProcess> {
  mkdirSync(dirname(spec.logFile), { recursive: true });
  mkdirSync(spec.cwd, { recursive: true });
  const fd = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    const exited = new Promise<ExitInfo>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`${spec.command} did not start`);
    return { pid: child.pid, exited };
  } finally {
    closeSync(fd);
  }
}

/** Outcome of stopping a process. */
export type StopOutcome = 'stopped' | 'killed' | 'not-running';

/**
 * SIGTERM (or `signal`), wait up to `timeoutMs`, then SIGKILL. SIGCONT
 * follows the first signal so a stopped (SIGSTOPped) process acts on it.
 */
export async function stopProcess(pid: number, timeoutMs: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<StopOutcome> {
  if (!isAlive(pid)) return 'not-running';
  try {
    process.kill(pid, signal);
    process.kill(pid, 'SIGCONT');
  } catch {
    return 'not-running';
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'stopped';
    await sleep(100);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'stopped';
  }
  while (isAlive(pid)) await sleep(50);
  return 'killed';
}
