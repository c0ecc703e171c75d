import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackConfig } from '../config.js';
import { StackError } from '../errors.js';
import { healthy } from '../health.js';
import { mongoAddress, mongoHealth } from '../mongo-probe.js';
import { postgresServer } from '../postgres.js';
import { lastLines, requireTool, runToLog } from '../tools.js';
import type { ExternalPart, LocalPart, PartContext } from './part.js';

const WRAPPER_FILES = ['go.mod', 'go.sum', 'main.go'];

/** FerretDB 1.24 (SQLite or PostgreSQL backend) built from infra/stack/ferretdb, on loopback. */
export function localMongo(config: StackConfig): LocalPart {
  const { paths, ports, probeTimeoutMs } = config;
  const postgres = config.mongoBackend === 'postgresql' ? postgresServer(config) : undefined;
  const health = () => mongoHealth('127.0.0.1', ports.mongo, probeTimeoutMs);
  const dataDir = paths.dataDir('mongo');
  const sourceDir = join(paths.infraDir, 'ferretdb');
  const binDir = join(paths.distDir, 'ferretdb');
  const binary = join(binDir, 'ferretdb-odx');
  const hashFile = `${binary}.sha256`;
  const installLog = paths.installLog('mongo');

  const sourceHash = () => {
    const hash = createHash('sha256');
    for (const file of WRAPPER_FILES)
      hash
        .update(file)
        .update('\0')
        .update(readFileSync(join(sourceDir, file)));
    return hash.digest('hex');
  };

  return {
    name: 'mongo',
    address: `mongodb://127.0.0.1:${ports.mongo}/`,
    signature: dataDir,
    ports: [{ port: ports.mongo, hint: 'stop it, set ODX_STACK_MONGO_PORT to another port, or set ODX_MONGO_URL to use that server' }],

    async install({ progress }: PartContext) {
      const hash = sourceHash();
      const built = existsSync(binary) && existsSync(hashFile) && readFileSync(hashFile, 'utf8').trim() === hash;
      if (built) return;
      const go = requireTool('mongo', 'go', 'build the FerretDB wrapper (infra/stack/ferretdb)');
      progress.milestone('mongo', `building FerretDB 1.24.2 (${sourceDir}) with Go into ${binary} (first time about a minute)`);
      const stop = progress.heartbeat('mongo', 'still building FerretDB');
      const started = Date.now();
      mkdirSync(binDir, { recursive: true });
      const tmp = `${binary}.tmp-${process.pid}`;
      try {
        writeFileSync(installLog, `# ${new Date().toISOString()} go build (FerretDB wrapper)\n`);
        // Not stamping VCS info: the wrapper sits inside the ODX git repo.
        const code = await runToLog({
          command: go,
          args: ['build', '-buildvcs=false', '-o', tmp, '.'],
          cwd: sourceDir,
          logFile: installLog,
        });
        if (code !== 0 || !existsSync(tmp)) {
          throw new StackError(`building FerretDB failed (go build exited with ${code}). Last lines:\n${lastLines(installLog, 15)}`, {
            reason: 'build-failed',
            part: 'mongo',
            logFile: installLog,
          });
        }
        renameSync(tmp, binary);
        writeFileSync(hashFile, `${hash}\n`);
      } finally {
        stop();
        rmSync(tmp, { force: true });
      }
      progress.milestone('mongo', `built FerretDB in ${Math.round((Date.now() - started) / 1000)} s`);
    },

    async prepare(ctx: PartContext) {
      mkdirSync(dataDir, { recursive: true });
      await postgres?.ensureRunning(ctx);
      // -data is passed with either backend: it is the process's signature (see PidRecord).
      const backend = postgres ? ['-handler', 'postgresql', '-postgresql-url', postgres.url] : ['-handler', 'sqlite'];
      return {
        command: binary,
        // FerretDB logs every unsupported command with full dumps at warn level.
        args: ['-listen', `127.0.0.1:${ports.mongo}`, '-data', dataDir, ...backend, '-log-level', 'error'],
        cwd: dataDir,
        // SIGQUIT before a restart should show every goroutine, not only the running one.
        env: { ...process.env, GOTRACEBACK: 'all' },
      };
    },

    health,
    ready: health,
    sigquitDump: 'exits',
    ...(postgres ? { backing: postgres } : {}),
  };
}

/** The server from ODX_MONGO_URL. */
export function externalMongo(url: string, probeTimeoutMs: number): ExternalPart {
  const address = mongoAddress(url);
  return {
    name: 'mongo',
    address: url.replace(/\/\/[^@/]*@/, '//***@'),
    health: () =>
      address ? mongoHealth(address.host, address.port, probeTimeoutMs) : Promise.resolve(healthy('not probed (mongodb+srv URL)')),
  };
}
