import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StackConfig } from '../config.js';
import { StackError } from '../errors.js';
import { healthy, httpOk, unhealthy, type Health } from '../health.js';
import { installAtomically, isInstalled } from '../install-dir.js';
import { findJava } from '../java.js';
import { parseProperties, renderTemplate } from '../templates.js';
import { lastLines, requireTool, runToLog, serialMaven } from '../tools.js';
import type { ExternalPart, LocalPart, PartContext } from './part.js';

export const REGISTRY_VERSION = '3.3.3';
const ARTIFACT = `io.apicurio:apicurio-registry-app:${REGISTRY_VERSION}:tar.gz:all`;
const COMPATIBILITY = 'BACKWARD';

/** The Confluent-compatible API root of a registry served at `http://127.0.0.1:<port>`. */
export function ccompatUrl(port: number): string {
  return `http://127.0.0.1:${port}/apis/ccompat/v7`;
}

async function compatibilityOf(apiUrl: string): Promise<string | undefined> {
  const response = await httpOk(`${apiUrl}/config`);
  if (!response.ok || response.body === undefined) return undefined;
  const body = JSON.parse(response.body) as { compatibilityLevel?: unknown; compatibility?: unknown };
  const level = body.compatibilityLevel ?? body.compatibility;
  return typeof level === 'string' ? level : undefined;
}

/** Apicurio Registry 3 (Quarkus) with H2 on file, on loopback. */
export function localRegistry(config: StackConfig): LocalPart {
  const { paths, ports } = config;
  const dataDir = paths.dataDir('registry');
  const distDir = join(paths.distDir, `apicurio-registry-${REGISTRY_VERSION}`);
  const installLog = paths.installLog('registry');
  const apiUrl = ccompatUrl(ports.registry);
  const readyUrl = `http://127.0.0.1:${ports.registryManagement}/health/ready`;
  const fingerprint = createHash('sha256').update(ARTIFACT).digest('hex');

  const health = async (): Promise<Health> => {
    const api = await httpOk(`${apiUrl}/subjects`);
    if (!api.ok) return api;
    const level = await compatibilityOf(apiUrl);
    return healthy(`ccompat API answers, global compatibility ${level ?? '?'}`);
  };

  return {
    name: 'registry',
    address: apiUrl,
    signature: dataDir,
    ports: [
      {
        port: ports.registry,
        hint: 'stop it, set ODX_STACK_REGISTRY_PORT to another port, or set ODX_SCHEMA_REGISTRY_URL to use that server',
      },
      { port: ports.registryManagement, hint: 'stop it or set ODX_STACK_REGISTRY_MANAGEMENT_PORT to another port' },
    ],

    async install({ progress }: PartContext) {
      if (isInstalled(distDir, fingerprint)) return;
      const mvn = requireTool('registry', 'mvn', `download Apicurio Registry ${REGISTRY_VERSION} from Maven Central`);
      const tar = requireTool('registry', 'tar', 'unpack Apicurio Registry');
      progress.milestone(
        'registry',
        `downloading Apicurio Registry ${REGISTRY_VERSION} with Maven into ${distDir} (~152 MB, a few minutes)`,
      );
      const stop = progress.heartbeat('registry', 'still downloading Apicurio Registry');
      const started = Date.now();
      try {
        await installAtomically(distDir, fingerprint, async (staging) => {
          rmSync(installLog, { force: true });
          const code = await serialMaven(() =>
            runToLog({
              command: mvn,
              args: ['-q', '-B', 'dependency:copy', `-Dartifact=${ARTIFACT}`, `-DoutputDirectory=${staging}`],
              cwd: staging,
              logFile: installLog,
            }),
          );
          const archive = join(staging, `apicurio-registry-app-${REGISTRY_VERSION}-all.tar.gz`);
          if (code !== 0 || !existsSync(archive)) {
            throw new StackError(
              `downloading Apicurio Registry failed (mvn exited with ${code}). Last lines of Maven's output:\n${lastLines(installLog, 15)}`,
              { reason: 'download-failed', part: 'registry', logFile: installLog },
            );
          }
          const untar = await runToLog({ command: tar, args: ['xzf', archive, '-C', staging], cwd: staging, logFile: installLog });
          rmSync(archive, { force: true });
          if (untar !== 0 || !existsSync(join(staging, 'quarkus-run.jar'))) {
            throw new StackError(`unpacking Apicurio Registry failed (tar exited with ${untar}, or quarkus-run.jar is missing)`, {
              reason: 'download-failed',
              part: 'registry',
              logFile: installLog,
            });
          }
        });
      } finally {
        stop();
      }
      progress.milestone('registry', `installed in ${Math.round((Date.now() - started) / 1000)} s`);
    },

    async prepare() {
      // Apicurio 3.3 is compiled for Java 21 (class file 65).
      const java = findJava('registry', 21, ['ODX_REGISTRY_JAVA_HOME', 'JAVA_HOME']);
      mkdirSync(dataDir, { recursive: true });
      const settings = parseProperties(
        renderTemplate(join(paths.infraDir, 'registry', 'registry.properties'), {
          PORT: ports.registry,
          MANAGEMENT_PORT: ports.registryManagement,
          DATA_DIR: dataDir,
        }),
      );
      return {
        command: java.executable,
        args: [
          '-Xms128m',
          '-Xmx384m',
          '-XX:+UseSerialGC',
          `-Dodx.stack.data=${dataDir}`,
          ...settings.map(([key, value]) => `-D${key}=${value}`),
          '-jar',
          join(distDir, 'quarkus-run.jar'),
        ],
        cwd: dataDir,
      };
    },

    health,
    // The JVM prints a thread dump to stdout (the part's log) and keeps running.
    sigquitDump: 'keeps-running',

    async ready(): Promise<Health> {
      const probe = await httpOk(readyUrl);
      if (!probe.ok) return probe;
      return health();
    },

    async afterHealthy() {
      if ((await compatibilityOf(apiUrl)) === COMPATIBILITY) return;
      const response = await fetch(`${apiUrl}/config`, {
        method: 'PUT',
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify({ compatibility: COMPATIBILITY }),
        signal: AbortSignal.timeout(5000),
      });
      const level = await compatibilityOf(apiUrl);
      if (!response.ok || level !== COMPATIBILITY) {
        throw new StackError(
          `setting global compatibility to ${COMPATIBILITY} failed (PUT answered ${response.status}, GET says ${level ?? 'nothing'})`,
          { reason: 'setup-failed', part: 'registry', logFile: paths.logFile('registry') },
        );
      }
    },
  };
}

/** The registry from ODX_SCHEMA_REGISTRY_URL (its Confluent-compatible API root). */
export function externalRegistry(url: string): ExternalPart {
  return {
    name: 'registry',
    address: url,
    async health() {
      const probe = await httpOk(`${url}/subjects`);
      return probe.ok ? healthy(`${url} answers`) : unhealthy(probe.detail);
    },
  };
}
