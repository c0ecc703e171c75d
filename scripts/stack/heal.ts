import { closeSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StackConfig } from './config.js';
import { isAlive, removePidFile, stopProcess, type StopOutcome } from './process-control.js';
import type { LocalPart } from './parts/part.js';
import { lastLines } from './tools.js';

/** What a restart left behind. */
export interface DumpAndStop {
  /** The saved stack dump (or log tail), under the run dir. */
  dumpFile: string;
  /** True when the file holds a real dump, false when only the log tail. */
  dumped: boolean;
  stop: StopOutcome;
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function readFrom(file: string, offset: number): string {
  const size = fileSize(file);
  if (size <= offset) return '';
  const buf = Buffer.alloc(size - offset);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buf, 0, buf.length, offset);
  } finally {
    closeSync(fd);
  }
  return buf.toString('utf8');
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone: stopProcess reports that.
  }
}

/** Waits until `done()` or `timeoutMs`; resolves done()'s last value. */
async function waitFor(done: () => boolean, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (done()) return true;
    await sleep(everyMs);
  }
  return done();
}

/** Waits until the log has stopped growing for a moment (a JVM thread dump is written in bursts). */
async function waitForQuietLog(logFile: string, offset: number, timeoutMs: number): Promise<void> {
  let last = -1;
  let stableSince = Date.now();
  await waitFor(() => {
    const size = fileSize(logFile);
    if (size !== last) {
      last = size;
      stableSince = Date.now();
      return false;
    }
    return size > offset && Date.now() - stableSince >= 500;
  }, timeoutMs);
}

/**
 * Asks the server for a stack dump (SIGQUIT, then SIGCONT so a stopped
 * process wakes up and takes it), copies what it printed into
 * `run/<part>-dump-<timestamp>.log` (the log tail when it printed nothing),
 * then stops it: SIGTERM, SIGKILL after the stop timeout. Data stays.
 */
export async function dumpAndStop(part: LocalPart, pid: number, reason: string, config: StackConfig): Promise<DumpAndStop> {
  const logFile = config.paths.logFile(part.name);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dumpFile = join(config.paths.runDir, `${part.name}-dump-${stamp}.log`);
  const offset = fileSize(logFile);
  // Enough for a dump to be written, short enough not to stall the restart.
  const dumpWaitMs = Math.min(config.stopTimeoutMs, 10_000);

  if (part.sigquitDump) signal(pid, 'SIGQUIT');
  signal(pid, 'SIGCONT');
  if (part.sigquitDump === 'exits') await waitFor(() => !isAlive(pid), dumpWaitMs);
  else if (part.sigquitDump === 'keeps-running') await waitForQuietLog(logFile, offset, dumpWaitMs);

  const printed = part.sigquitDump ? readFrom(logFile, offset) : '';
  const dumped = printed.trim() !== '';
  const header =
    `# ${part.name} pid ${pid} restarted at ${new Date().toISOString()}: ${reason}\n` +
    (dumped ? '# stack dump printed on SIGQUIT:\n' : `# no stack dump; last 200 lines of ${logFile}:\n`);
  writeFileSync(dumpFile, header + (dumped ? printed : `${lastLines(logFile, 200)}\n`));

  const stop = await stopProcess(pid, config.stopTimeoutMs);
  removePidFile(config.paths.pidFile(part.name));
  return { dumpFile, dumped, stop };
}
