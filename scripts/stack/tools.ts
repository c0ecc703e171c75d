import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import type { PartName } from './config.js';
import { StackError } from './errors.js';

/** Absolute path of an executable on PATH, or undefined. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Like `findOnPath`, but throws a `missing-tool` StackError naming the command. */
export function requireTool(part: PartName, name: string, why: string): string {
  const path = findOnPath(name);
  if (!path) {
    throw new StackError(`"${name}" not found on PATH; it is needed to ${why}. Install it and run again`, {
      reason: 'missing-tool',
      part,
    });
  }
  return path;
}

/** Last lines of a text file ('' when it cannot be read). */
export function lastLines(file: string, count: number): string {
  try {
    const lines = readFileSync(file, 'utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-count).join('\n');
  } catch {
    return '';
  }
}

export interface RunSpec {
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Output (stdout + stderr) is appended here. */
  logFile: string;
}

/** Runs a command to completion, output to a log file; resolves with the exit code. */
export async function runToLog(spec: RunSpec): Promise<number> {
  mkdirSync(dirname(spec.logFile), { recursive: true });
  const fd = openSync(spec.logFile, 'a');
  try {
    return await new Promise<number>((resolve, reject) => {
      const child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: spec.env ?? process.env,
        stdio: ['ignore', fd, fd],
      });
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
  } finally {
    closeSync(fd);
  }
}

/** Runs a command and returns its stdout; throws with stderr on a non-zero exit. */
export function runCapture(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${(err || out).trim().slice(-2000)}`));
    });
  });
}

let mavenQueue: Promise<unknown> = Promise.resolve();

/**
 * Runs Maven calls one at a time within this process: parts install in
 * parallel, but two Maven runs writing the same ~/.m2 at once can corrupt it.
 */
export function serialMaven<T>(task: () => Promise<T>): Promise<T> {
  const next = mavenQueue.then(task, task);
  mavenQueue = next.catch(() => undefined);
  return next;
}
