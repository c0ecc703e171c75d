import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findPostgresBinDir, type StackConfig } from './config.js';
import { StackError } from './errors.js';
import { healthy, unhealthy, waitForHealthy, type Health } from './health.js';
import { ensurePortFree } from './ports.js';
import { findOwnProcess, removePidFile, rotateLog, spawnDetached, stopProcess, writePidRecord, type ExitInfo } from './process-control.js';
import type { BackingServer, PartContext } from './parts/part.js';
import { lastLines, runCapture, runToLog } from './tools.js';

/** The database FerretDB keeps its data in (one schema per MongoDB database). */
const DATABASE = 'ferretdb';
const ROLE = 'ferretdb';
/** Connections FerretDB may hold to PostgreSQL (FerretDB's own default is 50). */
const FERRETDB_POOL = 200;

/** PostgreSQL's bin dir (findPostgresBinDir), or a clear error. */
function findBinDir(env: NodeJS.ProcessEnv): string {
  const found = findPostgresBinDir(env);
  if (found === undefined) {
    throw new StackError(
      'ODX_STACK_MONGO_BACKEND=postgresql needs PostgreSQL (initdb, postgres): none under /usr/lib/postgresql; install it (apt-get install postgresql), set ODX_POSTGRES_BIN_DIR, or set ODX_STACK_MONGO_BACKEND=sqlite',
      {
        reason: 'missing-tool',
        part: 'mongo',
      },
    );
  }
  if (!existsSync(join(found, 'postgres'))) {
    throw new StackError(`ODX_POSTGRES_BIN_DIR=${found} has no "postgres" binary`, { reason: 'invalid-config', part: 'mongo' });
  }
  return found;
}

/**
 * PostgreSQL refuses to run as root. As root we run it as the `postgres` OS
 * user, keeping DAC override so it can reach a data dir under $ODX_HOME
 * (e.g. /root/.cache/odx, which that user cannot traverse) without
 * changing the permissions of the home directory.
 */
function asServerUser(command: string, args: string[]): { command: string; args: string[] } {
  if (process.getuid?.() !== 0) return { command, args };
  const caps = '+dac_override,+dac_read_search';
  return {
    command: 'setpriv',
    args: ['--reuid=postgres', '--regid=postgres', '--clear-groups', `--inh-caps=${caps}`, `--ambient-caps=${caps}`, command, ...args],
  };
}

export interface PostgresServer extends BackingServer {
  /** What FerretDB's postgresql handler connects to. */
  url: string;
  /** Initializes the cluster once, starts it unless it runs and answers, creates FerretDB's database. */
  ensureRunning(ctx: PartContext): Promise<void>;
}

/** A PostgreSQL cluster in `$ODX_HOME/data/mongo-postgresql` on loopback, for FerretDB. */
export function postgresServer(config: StackConfig, env: NodeJS.ProcessEnv = process.env): PostgresServer {
  const { paths, ports } = config;
  const dataDir = `${paths.dataDir('mongo')}-postgresql`;
  const pidFile = join(paths.runDir, 'mongo-postgresql.pid');
  const logFile = join(paths.runDir, 'mongo-postgresql.log');
  const installLog = paths.installLog('mongo');
  const port = ports.postgres;
  const bin = (name: string) => join(findBinDir(env), name);

  const ready = async (): Promise<Health> => {
    try {
      await runCapture(bin('pg_isready'), [
        '-q',
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-t',
        String(Math.ceil(config.probeTimeoutMs / 1000)),
      ]);
      return healthy(`127.0.0.1:${port} accepts connections`);
    } catch {
      return unhealthy(`127.0.0.1:${port} does not accept connections`);
    }
  };

  const initCluster = async (ctx: PartContext): Promise<void> => {
    ctx.progress.milestone('mongo', `initializing a PostgreSQL cluster in ${dataDir}`);
    const run = asServerUser(bin('initdb'), ['-D', dataDir, '-U', ROLE, '--auth=trust', '-E', 'UTF8', '--no-instructions']);
    const code = await runToLog({ ...run, cwd: paths.home, logFile: installLog });
    if (code !== 0) {
      throw new StackError(`initdb exited with ${code}. Last lines:\n${lastLines(installLog, 15)}`, {
        reason: 'setup-failed',
        part: 'mongo',
        logFile: installLog,
      });
    }
  };

  const createDatabase = async (): Promise<void> => {
    const psql = [bin('psql'), '-h', '127.0.0.1', '-p', String(port), '-U', ROLE, '-d', 'postgres', '-tAc'] as const;
    const exists = await runCapture(psql[0], [...psql.slice(1), `SELECT 1 FROM pg_database WHERE datname = '${DATABASE}'`]);
    if (exists.trim() !== '1') await runCapture(psql[0], [...psql.slice(1), `CREATE DATABASE ${DATABASE}`]);
  };

  const start = async (ctx: PartContext): Promise<void> => {
    await ensurePortFree('mongo', port, { logFile, hint: 'stop it or set ODX_STACK_POSTGRES_PORT to another port' });
    if (!existsSync(join(dataDir, 'PG_VERSION'))) await initCluster(ctx);
    rotateLog(logFile);
    const began = Date.now();
    // Loopback TCP only; no Unix socket, whose default directory needs root to create.
    const run = asServerUser(bin('postgres'), [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-h',
      '127.0.0.1',
      '-k',
      '',
      '-c',
      `max_connections=${FERRETDB_POOL + 50}`,
    ]);
    const spawned = await spawnDetached({ ...run, cwd: paths.home, logFile });
    writePidRecord(pidFile, {
      pid: spawned.pid,
      part: 'mongo',
      signature: dataDir,
      startedAt: new Date().toISOString(),
      command: [run.command, ...run.args].join(' '),
    });
    let exit: ExitInfo | undefined;
    void spawned.exited.then((info) => (exit = info));
    const outcome = await waitForHealthy(ready, { timeoutMs: config.startTimeoutMs, interrupted: () => exit });
    if (outcome.kind !== 'healthy') {
      if (outcome.kind === 'timeout') await stopProcess(spawned.pid, config.stopTimeoutMs, 'SIGINT');
      removePidFile(pidFile);
      throw new StackError(
        `PostgreSQL did not start (${outcome.kind === 'timeout' ? outcome.last.detail : 'it exited'}). Last log lines:\n${lastLines(logFile, 10)}`,
        {
          reason: outcome.kind === 'timeout' ? 'timeout' : 'process-died',
          part: 'mongo',
          logFile,
        },
      );
    }
    await createDatabase();
    ctx.progress.step(
      'mongo',
      `PostgreSQL healthy on 127.0.0.1:${port} (pid ${spawned.pid}, ${((Date.now() - began) / 1000).toFixed(1)} s)`,
    );
  };

  return {
    name: 'postgresql',
    dataDir,
    // FerretDB's pool defaults to 50 connections, and its update handler holds one per statement until the
    // command ends (docs/known-issues.md): a larger pool moves that wedge further away. PostgreSQL must allow it.
    url: `postgres://${ROLE}@127.0.0.1:${port}/${DATABASE}?pool_max_conns=${FERRETDB_POOL}`,

    async ensureRunning(ctx) {
      const running = findOwnProcess(pidFile);
      if (running) {
        const outcome = await waitForHealthy(ready, { timeoutMs: config.unhealthyGraceMs });
        if (outcome.kind === 'healthy') return;
        const detail = outcome.kind === 'timeout' ? outcome.last.detail : 'interrupted';
        ctx.progress.milestone('mongo', `PostgreSQL pid ${running.pid} does not accept connections (${detail}); restarting it`);
        await stopProcess(running.pid, config.stopTimeoutMs, 'SIGINT');
        removePidFile(pidFile);
      }
      await start(ctx);
    },

    async status() {
      const running = findOwnProcess(pidFile);
      if (!running) return { healthy: false, detail: 'postgresql: not running' };
      const health = await ready();
      return { healthy: health.ok, detail: `postgresql: pid ${running.pid}, ${health.detail}` };
    },

    async stop(ctx) {
      const running = findOwnProcess(pidFile);
      if (!running) return;
      // SIGINT is PostgreSQL's fast shutdown; SIGTERM would wait for clients to leave.
      const outcome = await stopProcess(running.pid, config.stopTimeoutMs, 'SIGINT');
      removePidFile(pidFile);
      ctx.progress.step('mongo', `PostgreSQL pid ${running.pid} ${outcome === 'killed' ? 'killed' : 'stopped'}`);
    },
  };
}
