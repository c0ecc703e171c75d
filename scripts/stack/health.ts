import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Result of one health probe. */
export type Health = { ok: true; detail: string } | { ok: false; detail: string };

export const healthy = (detail: string): Health => ({ ok: true, detail });
export const unhealthy = (detail: string): Health => ({ ok: false, detail });

/** Resolves when a TCP connection to host:port succeeds. */
export function tcpConnect(host: string, port: number, timeoutMs = 1000): Promise<Health> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (health: Health) => {
      socket.destroy();
      resolve(health);
    };
    socket.setTimeout(timeoutMs, () => done(unhealthy(`no answer from ${host}:${port} within ${timeoutMs} ms`)));
    socket.once('connect', () => done(healthy(`${host}:${port} accepts connections`)));
    socket.once('error', (error) => done(unhealthy(`${host}:${port}: ${error.message}`)));
  });
}

/** GET a URL; healthy on a 2xx status. */
export async function httpOk(url: string, timeoutMs = 2000): Promise<Health & { body?: string }> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    if (response.ok) return { ok: true, detail: `${url} answered ${response.status}`, body };
    return { ok: false, detail: `${url} answered ${response.status}`, body };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return unhealthy(`${url}: ${cause ?? (error as Error).message}`);
  }
}

/** Runs a probe, catching its errors into an unhealthy result. */
export async function probe(check: () => Promise<Health>): Promise<Health> {
  try {
    return await check();
  } catch (error) {
    return unhealthy((error as Error).message);
  }
}

/** Outcome of waiting: healthy, timed out (with the last probe result), or interrupted. */
export type WaitOutcome<T> = { kind: 'healthy'; health: Health } | { kind: 'timeout'; last: Health } | { kind: 'interrupted'; value: T };

/**
 * Polls `check` until healthy, `timeoutMs` passes, or `interrupted()`
 * returns a value (for example the exit status of the process).
 */
export async function waitForHealthy<T>(
  check: () => Promise<Health>,
  options: { timeoutMs: number; intervalMs?: number; interrupted?: () => T | undefined },
): Promise<WaitOutcome<T>> {
  const interval = options.intervalMs ?? 250;
  const deadline = Date.now() + options.timeoutMs;
  const interrupted = options.interrupted ?? (() => undefined);
  for (;;) {
    const before = interrupted();
    if (before !== undefined) return { kind: 'interrupted', value: before };
    const last = await probe(check);
    if (last.ok) return { kind: 'healthy', health: last };
    // A failed probe may have raced the exit: report the exit, not the probe.
    await sleep(20);
    const after = interrupted();
    if (after !== undefined) return { kind: 'interrupted', value: after };
    if (Date.now() >= deadline) return { kind: 'timeout', last };
    await sleep(interval);
  }
}
