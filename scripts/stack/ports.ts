import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import type { PartName } from './config.js';
import { StackError } from './errors.js';
import { readCmdline } from './process-control.js';

/** Resolves true when the port can be bound on 127.0.0.1 right now. */
export function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/** Best effort: pid and command of the process listening on a TCP port (Linux /proc). */
export function findListener(port: number): { pid: number; command: string } | undefined {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      // st 0A = LISTEN; inode is column 10.
      if (local?.endsWith(`:${hexPort}`) && cols[3] === '0A' && cols[9]) inodes.add(cols[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const match = /^socket:\[(\d+)\]$/.exec(target);
        if (match?.[1] && inodes.has(match[1])) {
          return { pid: Number(pid), command: readCmdline(Number(pid)) ?? '?' };
        }
      } catch {
        // The process or fd went away while scanning.
      }
    }
  }
  return undefined;
}

/**
 * Throws a `port-in-use` StackError naming the port when it cannot be bound
 * within `waitMs`: a server that was just stopped (a heal, a restart) may
 * still be tearing its threads and sockets down for a moment after its pid
 * stopped counting as alive.
 */
export async function ensurePortFree(
  part: PartName,
  port: number,
  facts: { logFile: string; hint: string },
  waitMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (await canBind(port)) return;
    if (Date.now() >= deadline || findListener(port)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const owner = findListener(port);
  const who = owner ? ` (pid ${owner.pid}: ${owner.command.slice(0, 160)})` : '';
  throw new StackError(`port ${port} is already in use by another process${who}; ${facts.hint}`, {
    reason: 'port-in-use',
    part,
    logFile: facts.logFile,
  });
}
