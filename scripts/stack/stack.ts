import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadStackConfig, selectParts, type PartName, type StackConfig } from './config.js';
import { StackError, StackUpError } from './errors.js';
import { probe, unhealthy, waitForHealthy, type Health } from './health.js';
import { withLockFile } from './lock.js';
import { ensurePortFree } from './ports.js';
import { dumpAndStop } from './heal.js';
import {
  findOwnProcess,
  isAlive,
  readCmdline,
  readPidRecord,
  removePidFile,
  rotateLog,
  spawnDetached,
  stopProcess,
  writePidRecord,
  type ExitInfo,
  type PidRecord,
  type SpawnedProcess,
  type StopOutcome,
} from './process-control.js';
import { createProgress, type Progress } from './progress.js';
import type { LocalPart, PartContext } from './parts/part.js';
import { KAFKA_ADMIN_USER, KAFKA_USERS_ENV, kafkaSaslEnv, readKafkaUsers } from './kafka-users.js';
import { ccompatUrl } from './parts/registry.js';
import { resolvePart } from './parts/resolve.js';
import { lastLines } from './tools.js';

/** Where clients find the stack. */
export interface StackEndpoints {
  kafkaBrokers: string[];
  /** Confluent-compatible API root, e.g. http://127.0.0.1:8081/apis/ccompat/v7 */
  schemaRegistryUrl: string;
  mongoUrl: string;
  /** The admin login of a local Kafka with SASL users (absent for a plaintext or external Kafka). */
  kafkaSasl?: { username: string; password: string; usersFile: string };
  /** Parts this call started (empty when everything was already running). */
  startedParts: PartName[];
  /** Parts this call found running but unhealthy and restarted (also in startedParts). */
  healed: HealReport[];
}

/** A part `up` restarted because it ran but failed its health probe. */
export interface HealReport {
  part: PartName;
  /** The pid that was stopped. */
  pid: number;
  /** The last failed probe, e.g. "write timed out after 2000 ms at 127.0.0.1:27017 (ping answered)". */
  reason: string;
  /** Stack dump (or log tail) saved before stopping it. */
  dumpFile: string;
  /** False when the part printed no dump and the file holds its log tail. */
  dumped: boolean;
}

/** The env variables child processes read to find the stack. */
export function endpointsEnv(endpoints: StackEndpoints): Record<string, string> {
  const sasl = endpoints.kafkaSasl;
  return {
    ODX_KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
    ODX_SCHEMA_REGISTRY_URL: endpoints.schemaRegistryUrl,
    ODX_MONGO_URL: endpoints.mongoUrl,
    // Scripts and tests log in as the admin; serviceSpecs swaps in each service's own user from the file.
    ...(sasl ? { ...kafkaSaslEnv(sasl.username, sasl.password), [KAFKA_USERS_ENV]: sasl.usersFile } : {}),
  };
}

export interface StackUpOptions {
  /** Only one-line progress on stderr. @default false */
  quiet?: boolean;
  /** @default all parts */
  parts?: PartName[];
  /** Environment to read the configuration from. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Overrides ODX_STACK_UNHEALTHY_GRACE_MS (the watchdog passes 0: it has waited already). */
  unhealthyGraceMs?: number;
  /** Where progress lines go. @default stderr */
  write?: (line: string) => void;
}

export interface StackDownOptions {
  /** Also delete the data directories (never the dist dir). @default false */
  wipe?: boolean;
  /** @default all parts */
  parts?: PartName[];
  quiet?: boolean;
  env?: NodeJS.ProcessEnv;
}

export interface StackStatusOptions {
  parts?: PartName[];
  env?: NodeJS.ProcessEnv;
}

export type PartState = 'running' | 'stopped' | 'external';

export interface PartStatus {
  part: PartName;
  state: PartState;
  pid: number | undefined;
  address: string;
  healthy: boolean;
  detail: string;
  logFile: string | undefined;
  /** The server behind the part, e.g. "postgresql: pid 123 on 127.0.0.1:5433, accepting connections". */
  backing: string | undefined;
}

export interface PartDownResult {
  part: PartName;
  outcome: StopOutcome | 'not-ours' | 'external';
  pid: number | undefined;
}

/** Where clients find the stack as configured, without starting or probing anything (`stack env`). */
export function stackEndpoints(env: NodeJS.ProcessEnv = process.env): StackEndpoints {
  return endpoints(loadStackConfig(env), [], []);
}

/**
 * `env` with the local stack's client settings (its admin login on a SASL Kafka included) where `env` has none of
 * its own: for scripts that use a stack that is already up and never start one.
 */
export function withStackEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...endpointsEnv(stackEndpoints(env)), ...env };
}

function endpoints(config: StackConfig, startedParts: PartName[], healed: HealReport[]): StackEndpoints {
  const users = !config.external.kafka && config.kafkaSecurity === 'sasl' ? readKafkaUsers(config.paths.kafkaUsersFile) : undefined;
  const adminPassword = users?.passwords[KAFKA_ADMIN_USER];
  return {
    ...(adminPassword !== undefined
      ? { kafkaSasl: { username: KAFKA_ADMIN_USER, password: adminPassword, usersFile: config.paths.kafkaUsersFile } }
      : {}),
    kafkaBrokers: config.external.kafka ?? config.ports.kafkaNodes.map((n) => `127.0.0.1:${n.client}`),
    schemaRegistryUrl: config.external.registry ?? ccompatUrl(config.ports.registry),
    mongoUrl: config.external.mongo ?? `mongodb://127.0.0.1:${config.ports.mongo}/`,
    startedParts,
    healed,
  };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function describeExit(exit: ExitInfo): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

type RunningVerdict = { kind: 'healthy' } | { kind: 'gone' } | { kind: 'unhealthy'; detail: string; waitedMs: number };

/**
 * How long `up` gives a running but unhealthy part before restarting it:
 * the configured grace, or what is left of its start timeout when it was
 * started recently, so a server still starting is never killed.
 */
function graceFor(record: PidRecord, config: StackConfig): number {
  // A part that was healthy once is not starting any more: a freeze or a wedge after that gets the plain grace.
  if (record.healthyAt) return config.unhealthyGraceMs;
  const age = Date.now() - Date.parse(record.startedAt);
  const startLeft = Number.isFinite(age) ? Math.max(0, config.startTimeoutMs - age) : 0;
  return Math.max(config.unhealthyGraceMs, startLeft);
}

/** Probes an already running (maybe still starting) part, waiting up to its grace for it to be healthy. */
async function checkRunning(part: LocalPart, record: PidRecord, ctx: PartContext): Promise<RunningVerdict> {
  const logFile = ctx.config.paths.logFile(part.name);
  const now = await probe(() => part.health());
  if (now.ok) return { kind: 'healthy' };
  const graceMs = graceFor(record, ctx.config);
  ctx.progress.step(
    part.name,
    `running (pid ${record.pid}) but not healthy (${now.detail}); giving it ${seconds(graceMs)} before a restart`,
  );
  const began = Date.now();
  const outcome = await waitForHealthy(() => part.ready(logFile), {
    timeoutMs: graceMs,
    interrupted: () => (isAlive(record.pid) ? undefined : 'gone'),
  });
  if (outcome.kind === 'healthy') return { kind: 'healthy' };
  if (outcome.kind === 'interrupted') return { kind: 'gone' };
  return { kind: 'unhealthy', detail: outcome.last.detail, waitedMs: Date.now() - began };
}

/** Saves a dump, stops the unhealthy server and says so; the caller starts it again. */
async function restartUnhealthy(part: LocalPart, pid: number, detail: string, waitedMs: number, ctx: PartContext): Promise<HealReport> {
  ctx.progress.milestone(
    part.name,
    `pid ${pid} is running but unhealthy after ${seconds(waitedMs)} (${detail}); restarting it (data is kept)`,
  );
  const result = await dumpAndStop(part, pid, detail, ctx.config);
  const what = result.dumped ? 'stack dump' : 'log tail (no dump printed)';
  const how =
    result.stop === 'killed' ? `killed pid ${pid} (no exit within ${seconds(ctx.config.stopTimeoutMs)} of SIGTERM)` : `pid ${pid} stopped`;
  ctx.progress.milestone(part.name, `${what} saved to ${result.dumpFile}; ${how}`);
  return { part: part.name, pid, reason: detail, dumpFile: result.dumpFile, dumped: result.dumped };
}

interface UpResult {
  started: boolean;
  healed: HealReport | undefined;
}

/** Starts one local part unless it already runs healthy; restarts it when it runs unhealthy. */
async function ensureLocalUp(part: LocalPart, ctx: PartContext): Promise<UpResult> {
  const { paths, startTimeoutMs, stopTimeoutMs } = ctx.config;
  const logFile = paths.logFile(part.name);
  const pidFile = paths.pidFile(part.name);

  let healed: HealReport | undefined;
  const running = findOwnProcess(pidFile);
  if (running) {
    const verdict = await checkRunning(part, running, ctx);
    if (verdict.kind === 'healthy') {
      if (!running.healthyAt) writePidRecord(pidFile, { ...running, healthyAt: new Date().toISOString() });
      await part.afterHealthy?.(ctx);
      ctx.progress.step(part.name, `already running (pid ${running.pid}) at ${part.address}`);
      return { started: false, healed: undefined };
    }
    if (verdict.kind === 'gone') {
      removePidFile(pidFile);
      ctx.progress.milestone(
        part.name,
        `pid ${running.pid} exited while "up" waited for it; starting it again. Its last log lines:\n${lastLines(logFile, 10)}`,
      );
    } else {
      healed = await restartUnhealthy(part, running.pid, verdict.detail, verdict.waitedMs, ctx);
    }
  }

  await part.install(ctx);
  for (const { port, hint } of part.ports) await ensurePortFree(part.name, port, { logFile, hint });
  const spec = await part.prepare(ctx);

  rotateLog(logFile);
  const started = Date.now();
  let spawned: SpawnedProcess;
  try {
    spawned = await spawnDetached({ ...spec, logFile });
  } catch (error) {
    throw new StackError(`could not start ${spec.command}: ${(error as Error).message}`, {
      reason: 'process-died',
      part: part.name,
      logFile,
      cause: error,
    });
  }
  const { pid } = spawned;
  const record: PidRecord = {
    pid,
    part: part.name,
    signature: part.signature,
    startedAt: new Date().toISOString(),
    command: [spec.command, ...spec.args].join(' '),
  };
  writePidRecord(pidFile, record);
  let exit: ExitInfo | undefined;
  void spawned.exited.then((info) => {
    exit = info;
  });
  ctx.progress.step(part.name, `started (pid ${pid}), waiting up to ${seconds(startTimeoutMs)} for it to be healthy`);

  const outcome = await waitForHealthy(() => part.ready(logFile), { timeoutMs: startTimeoutMs, interrupted: () => exit });
  if (outcome.kind === 'interrupted') {
    removePidFile(pidFile);
    throw new StackError(`process ${pid} ${describeExit(outcome.value)} while starting. Last log lines:\n${lastLines(logFile, 10)}`, {
      reason: 'process-died',
      part: part.name,
      logFile,
    });
  }
  if (outcome.kind === 'timeout') {
    // Half-started servers hold ports and locks; stop it so the next `up` starts clean.
    await stopProcess(pid, stopTimeoutMs);
    removePidFile(pidFile);
    throw new StackError(`not healthy within ${seconds(startTimeoutMs)} (last check: ${outcome.last.detail}); stopped it`, {
      reason: 'timeout',
      part: part.name,
      logFile,
    });
  }
  writePidRecord(pidFile, { ...record, healthyAt: new Date().toISOString() });
  await part.afterHealthy?.(ctx);
  const report = healed ? ctx.progress.milestone : ctx.progress.step;
  report(part.name, `healthy at ${part.address} (pid ${pid}, ${seconds(Date.now() - started)})`);
  return { started: true, healed };
}

async function ensureUp(name: PartName, ctx: PartContext): Promise<UpResult> {
  const resolved = resolvePart(name, ctx.config);
  if (resolved.kind === 'local') return ensureLocalUp(resolved.part, ctx);
  const health = await probe(() => resolved.part.health());
  // External servers may need credentials this probe lacks: warn, do not fail.
  if (health.ok) ctx.progress.step(name, `external at ${resolved.part.address}: ${health.detail}`);
  else ctx.progress.milestone(name, `external at ${resolved.part.address} does not look healthy: ${health.detail}`);
  return { started: false, healed: undefined };
}

/** Installs what is missing and starts the selected parts (in parallel); idempotent. */
export async function stackUp(options: StackUpOptions = {}): Promise<StackEndpoints> {
  const loaded = loadStackConfig(options.env);
  const config: StackConfig = { ...loaded, unhealthyGraceMs: options.unhealthyGraceMs ?? loaded.unhealthyGraceMs };
  const progress = createProgress({ quiet: options.quiet ?? false, ...(options.write ? { write: options.write } : {}) });
  const parts = selectParts(config, options.parts);
  const ctx: PartContext = { config, progress };
  const began = Date.now();

  const results = await withLockFile(
    join(config.paths.runDir, 'up.lock'),
    (owner) => progress.note(`waiting for another "stack up" (pid ${owner}) to finish`),
    () => Promise.allSettled(parts.map((name) => ensureUp(name, ctx))),
  );

  const failures: StackError[] = [];
  const startedParts: PartName[] = [];
  const healed: HealReport[] = [];
  results.forEach((result, i) => {
    const name = parts[i] as PartName;
    if (result.status === 'fulfilled') {
      if (result.value.started) startedParts.push(name);
      if (result.value.healed) healed.push(result.value.healed);
    } else {
      const error: unknown = result.reason;
      failures.push(
        error instanceof StackError
          ? error
          : new StackError((error as Error).message ?? String(error), { reason: 'setup-failed', part: name, cause: error }),
      );
    }
  });
  if (failures.length > 0) throw new StackUpError(failures);
  if (options.quiet) {
    const what = startedParts.length > 0 ? `started ${startedParts.join(', ')}` : 'already running';
    progress.note(`${parts.join(', ')} ready (${what}, ${seconds(Date.now() - began)})`);
  }
  return endpoints(config, startedParts, healed);
}

async function stopPart(name: PartName, config: StackConfig, progress: Progress): Promise<PartDownResult> {
  const pidFile = config.paths.pidFile(name);
  const record = readPidRecord(pidFile);
  if (!record) {
    removePidFile(pidFile);
    const external = resolvePart(name, config).kind === 'external';
    progress.step(name, external ? 'external; nothing to stop' : 'not running');
    return { part: name, outcome: external ? 'external' : 'not-running', pid: undefined };
  }
  if (!isAlive(record.pid)) {
    removePidFile(pidFile);
    progress.step(name, `not running (stale pid file for ${record.pid} removed)`);
    return { part: name, outcome: 'not-running', pid: record.pid };
  }
  const cmdline = readCmdline(record.pid) ?? '';
  if (!cmdline.includes(record.signature)) {
    removePidFile(pidFile);
    progress.milestone(name, `pid ${record.pid} is no longer ours (${cmdline.slice(0, 80)}); left it alone, removed the pid file`);
    return { part: name, outcome: 'not-ours', pid: record.pid };
  }
  progress.step(name, `stopping pid ${record.pid}`);
  const outcome = await stopProcess(record.pid, config.stopTimeoutMs);
  removePidFile(pidFile);
  progress.step(
    name,
    outcome === 'killed' ? `killed pid ${record.pid} (no exit within ${seconds(config.stopTimeoutMs)} of SIGTERM)` : `stopped`,
  );
  return { part: name, outcome, pid: record.pid };
}

/** Stops what `up` started (per pid file), optionally deleting data. */
export async function stackDown(options: StackDownOptions = {}): Promise<PartDownResult[]> {
  const config = loadStackConfig(options.env);
  const progress = createProgress({ quiet: options.quiet ?? false });
  const parts = selectParts(config, options.parts);
  const results = await Promise.all(parts.map((name) => stopPart(name, config, progress)));
  // Backing servers (PostgreSQL behind FerretDB) stop after their part, which is their client.
  const backings = parts.flatMap((name) => {
    const resolved = resolvePart(name, config);
    return resolved.kind === 'local' && resolved.part.backing ? [{ name, backing: resolved.part.backing }] : [];
  });
  await Promise.all(
    backings.map(({ backing, name }) =>
      backing.stop({ config, progress }).catch((error: unknown) => {
        progress.milestone(name, `stopping ${backing.name} failed: ${(error as Error).message}`);
      }),
    ),
  );
  if (options.wipe) {
    // The cluster's size and id go with node 1's data: a wiped cluster may be formatted at another size.
    if (parts.includes('kafka')) rmSync(config.paths.kafkaClusterFile, { force: true });
    for (const name of parts) {
      rmSync(config.paths.dataDir(name), { recursive: true, force: true });
      rmSync(join(config.paths.runDir, name), { recursive: true, force: true });
      progress.step(name, `deleted ${config.paths.dataDir(name)}`);
    }
    for (const { name, backing } of backings) {
      rmSync(backing.dataDir, { recursive: true, force: true });
      progress.step(name, `deleted ${backing.dataDir}`);
    }
  }
  return results;
}

async function statusOf(name: PartName, config: StackConfig): Promise<PartStatus> {
  const resolved = resolvePart(name, config);
  if (resolved.kind === 'external') {
    const health = await probe(() => resolved.part.health());
    return {
      part: name,
      state: 'external',
      pid: undefined,
      address: resolved.part.address,
      healthy: health.ok,
      detail: health.detail,
      logFile: undefined,
      backing: undefined,
    };
  }
  const { part } = resolved;
  const record = findOwnProcess(config.paths.pidFile(name));
  const [health, backing] = await Promise.all([
    record ? probe(() => part.health()) : Promise.resolve<Health>(unhealthy('not running')),
    part.backing?.status(),
  ]);
  return {
    backing: backing?.detail,
    part: name,
    state: record ? 'running' : 'stopped',
    pid: record?.pid,
    address: part.address,
    healthy: health.ok,
    detail: health.detail,
    logFile: config.paths.logFile(name),
  };
}

/** State and health of each part. */
export async function stackStatus(options: StackStatusOptions = {}): Promise<PartStatus[]> {
  const config = loadStackConfig(options.env);
  return Promise.all(selectParts(config, options.parts).map((name) => statusOf(name, config)));
}
