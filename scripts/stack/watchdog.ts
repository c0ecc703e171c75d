import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadStackConfig, selectParts, type PartName, type StackConfig } from './config.js';
import { probe, unhealthy, type Health } from './health.js';
import { lockHolder } from './lock.js';
import { isOurs, readPidRecord } from './process-control.js';
import { resolvePart } from './parts/resolve.js';
import { stackUp } from './stack.js';

/** What the watchdog saw or did; `npm start` prints these. */
export type WatchdogEvent =
  | { kind: 'unhealthy'; part: PartName; detail: string; failures: number }
  | { kind: 'recovered'; part: PartName }
  /** `pid` and `dumpFile` are undefined when the process had crashed (nothing to dump). */
  | { kind: 'restarted'; part: PartName; reason: string; pid: number | undefined; dumpFile: string | undefined }
  | { kind: 'restart-failed'; part: PartName; reason: string; error: Error };

export interface WatchdogOptions {
  /** @default all parts */
  parts?: PartName[];
  /** Environment to read the configuration from. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Pause between two rounds of probes. @default ODX_STACK_WATCHDOG_INTERVAL_MS or 10000 */
  intervalMs?: number;
  /** Consecutive failed probes before a restart. @default ODX_STACK_WATCHDOG_FAILURES or 6 */
  failures?: number;
  /** Stops the watchdog when aborted. */
  signal?: AbortSignal;
  onEvent?: (event: WatchdogEvent) => void;
}

export interface Watchdog {
  /** Stops probing; resolves once a restart in progress has finished. Idempotent. */
  stop(): Promise<void>;
}

/** A part the watchdog looks after, or why it leaves it alone. */
type Observation = { kind: 'skip' } | { kind: 'probed'; health: Health };

/**
 * Parts are watched only while `up` has started them: no pid file means
 * someone ran `down` (leave it stopped); a pid file whose process is gone
 * means a crash (restart it); external servers are only the user's to fix.
 */
async function observe(name: PartName, config: StackConfig): Promise<Observation> {
  const resolved = resolvePart(name, config);
  if (resolved.kind === 'external') return { kind: 'skip' };
  const record = readPidRecord(config.paths.pidFile(name));
  if (!record) return { kind: 'skip' };
  if (!isOurs(record)) return { kind: 'probed', health: unhealthy(`pid ${record.pid} is gone`) };
  const { part } = resolved;
  return { kind: 'probed', health: await probe(() => part.health()) };
}

/** The same path as `stack up`: restart with a dump, under the up lock. */
async function heal(name: PartName, reason: string, env: NodeJS.ProcessEnv): Promise<WatchdogEvent> {
  try {
    // Grace 0: the watchdog already waited `failures` × interval.
    const result = await stackUp({ parts: [name], env, quiet: true, unhealthyGraceMs: 0, write: () => undefined });
    const healed = result.healed.find((h) => h.part === name);
    if (healed) return { kind: 'restarted', part: name, reason, pid: healed.pid, dumpFile: healed.dumpFile };
    if (result.startedParts.includes(name)) return { kind: 'restarted', part: name, reason, pid: undefined, dumpFile: undefined };
    return { kind: 'recovered', part: name };
  } catch (error) {
    return { kind: 'restart-failed', part: name, reason, error: error instanceof Error ? error : new Error(String(error)) };
  }
}

/**
 * Probes each started part every interval and restarts one after
 * `failures` consecutive failed probes (with a stack dump, as `stack up`
 * does). Rounds never overlap; a round is skipped while another process
 * runs `stack up`, which may be restarting the same part.
 */
export function startWatchdog(options: WatchdogOptions = {}): Watchdog {
  const env = options.env ?? process.env;
  const config = loadStackConfig(env);
  const intervalMs = options.intervalMs ?? config.watchdog.intervalMs;
  const threshold = options.failures ?? config.watchdog.failures;
  const parts = selectParts(config, options.parts);
  const emit = options.onEvent ?? (() => undefined);
  const upLock = join(config.paths.runDir, 'up.lock');
  const controller = new AbortController();
  const stopOn = options.signal;
  stopOn?.addEventListener('abort', () => controller.abort(), { once: true });
  if (stopOn?.aborted) controller.abort();
  const failures = new Map<PartName, number>();

  const round = async (): Promise<void> => {
    for (const name of parts) {
      if (controller.signal.aborted || lockHolder(upLock) !== undefined) return;
      const seen = await observe(name, config);
      const before = failures.get(name) ?? 0;
      if (seen.kind === 'skip' || seen.health.ok) {
        failures.set(name, 0);
        if (before > 0 && seen.kind === 'probed') emit({ kind: 'recovered', part: name });
        continue;
      }
      const count = before + 1;
      failures.set(name, count);
      emit({ kind: 'unhealthy', part: name, detail: seen.health.detail, failures: count });
      if (count >= threshold && !controller.signal.aborted) {
        emit(await heal(name, seen.health.detail, env));
        failures.set(name, 0);
      }
    }
  };

  const loop = (async () => {
    while (!controller.signal.aborted) {
      try {
        await sleep(intervalMs, undefined, { signal: controller.signal });
      } catch {
        return; // aborted
      }
      await round();
    }
  })();

  return {
    stop() {
      controller.abort();
      return loop;
    },
  };
}
