import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackConfig } from '../config.js';
import { StackError } from '../errors.js';
import { healthy, unhealthy, type Health } from '../health.js';
import { installAtomically, isInstalled } from '../install-dir.js';
import { findJava } from '../java.js';
import { kafkaHealth } from '../kafka-probe.js';
import { renderTemplate } from '../templates.js';
import { lastLines, requireTool, runCapture, runToLog, serialMaven } from '../tools.js';
import type { ExternalPart, LocalPart, PartContext } from './part.js';

export const KAFKA_VERSION = '4.1.2';
const STARTED_MARKER = 'Kafka Server started';

/** Kafka 4, KRaft single node (broker + controller) on loopback. */
export function localKafka(config: StackConfig): LocalPart {
  const { paths, ports } = config;
  const dataDir = paths.dataDir('kafka');
  const confDir = join(paths.runDir, 'kafka');
  const distDir = join(paths.distDir, `kafka-${KAFKA_VERSION}`);
  const libs = join(distDir, 'libs');
  const installLog = paths.installLog('kafka');
  const templates = join(paths.infraDir, 'kafka');
  const pom = () => renderTemplate(join(templates, 'pom.xml'), { KAFKA_VERSION });
  const fingerprint = () => createHash('sha256').update(pom()).digest('hex');
  const health = () => kafkaHealth('127.0.0.1', ports.kafka);

  return {
    name: 'kafka',
    address: `127.0.0.1:${ports.kafka}`,
    signature: dataDir,
    ports: [
      { port: ports.kafka, hint: 'stop it, set ODX_STACK_KAFKA_PORT to another port, or set ODX_KAFKA_BROKERS to use that server' },
      { port: ports.kafkaController, hint: 'stop it or set ODX_STACK_KAFKA_CONTROLLER_PORT to another port' },
    ],

    async install({ progress }: PartContext) {
      if (isInstalled(distDir, fingerprint())) return;
      const mvn = requireTool('kafka', 'mvn', `download the Kafka ${KAFKA_VERSION} jars from Maven Central`);
      progress.milestone('kafka', `installing Kafka ${KAFKA_VERSION} jars with Maven into ${distDir} (~54 MB, about a minute)`);
      const stop = progress.heartbeat('kafka', 'still downloading Kafka jars');
      const started = Date.now();
      try {
        await installAtomically(distDir, fingerprint(), async (staging) => {
          writeFileSync(join(staging, 'pom.xml'), pom());
          writeFileSync(installLog, `# ${new Date().toISOString()} mvn dependency:copy-dependencies (Kafka ${KAFKA_VERSION})\n`);
          const code = await serialMaven(() =>
            runToLog({
              command: mvn,
              args: ['-q', '-B', 'dependency:copy-dependencies', '-DoutputDirectory=libs', '-DincludeScope=runtime'],
              cwd: staging,
              logFile: installLog,
            }),
          );
          const jar = `kafka_2.13-${KAFKA_VERSION}.jar`;
          if (code !== 0 || !existsSync(join(staging, 'libs', jar))) {
            throw new StackError(
              `downloading the Kafka jars failed (mvn exited with ${code}). Last lines of Maven's output:\n${lastLines(installLog, 15)}`,
              { reason: 'download-failed', part: 'kafka', logFile: installLog },
            );
          }
        });
      } finally {
        stop();
      }
      const count = readdirSync(libs).length;
      progress.milestone('kafka', `installed ${count} jars in ${Math.round((Date.now() - started) / 1000)} s`);
    },

    async prepare({ progress }: PartContext) {
      const java = findJava('kafka', 17, ['ODX_KAFKA_JAVA_HOME', 'JAVA_HOME']);
      mkdirSync(confDir, { recursive: true });
      mkdirSync(dataDir, { recursive: true });
      const serverProperties = join(confDir, 'server.properties');
      const log4j = join(confDir, 'log4j2.yaml');
      writeFileSync(
        serverProperties,
        renderTemplate(join(templates, 'server.properties'), {
          PORT: ports.kafka,
          CONTROLLER_PORT: ports.kafkaController,
          DATA_DIR: dataDir,
        }),
      );
      writeFileSync(log4j, readFileSync(join(templates, 'log4j2.yaml')));
      const jvm = [`-Dlog4j2.configurationFile=${log4j}`, '-cp', join(libs, '*')];

      if (!existsSync(join(dataDir, 'meta.properties'))) {
        progress.step('kafka', `formatting storage in ${dataDir}`);
        try {
          const output = await runCapture(java.executable, [...jvm, 'kafka.tools.StorageTool', 'random-uuid']);
          // Log lines may precede the id on stdout; the id is the last line.
          const clusterId = output.trim().split('\n').at(-1)?.trim() ?? '';
          if (!/^[A-Za-z0-9_-]{22}$/.test(clusterId))
            throw new Error(`StorageTool random-uuid printed no cluster id: ${output.slice(-500)}`);
          const code = await runToLog({
            command: java.executable,
            args: [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', serverProperties],
            cwd: confDir,
            logFile: installLog,
          });
          if (code !== 0) throw new Error(`StorageTool format exited with ${code}:\n${lastLines(installLog, 10)}`);
        } catch (error) {
          throw new StackError(`formatting Kafka storage failed: ${(error as Error).message}`, {
            reason: 'setup-failed',
            part: 'kafka',
            logFile: installLog,
            cause: error,
          });
        }
      }

      return {
        command: java.executable,
        args: [
          '-Xms256m',
          // Kafka's own default heap (kafka-server-start.sh): at 512 MB the old generation stood at 80 % while the
          // suite held about 2,000 partitions (jstat, 2026-12-07), and a full suite in CI lost its broker mid-run.
          '-Xmx1g',
          '-XX:+UseG1GC',
          '-Djava.awt.headless=true',
          `-Dodx.stack.data=${dataDir}`,
          ...jvm,
          'kafka.Kafka',
          serverProperties,
        ],
        cwd: confDir,
      };
    },

    health,
    // The JVM prints a thread dump to stdout (the part's log) and keeps running.
    sigquitDump: 'keeps-running',

    async ready(logFile: string): Promise<Health> {
      const probe = await health();
      if (!probe.ok) return probe;
      const started = readFileSync(logFile, 'utf8').includes(STARTED_MARKER);
      return started ? probe : unhealthy(`broker answers but the log has no "${STARTED_MARKER}" yet`);
    },
  };
}

/** Brokers from ODX_KAFKA_BROKERS; healthy when any of them answers. */
export function externalKafka(brokers: string[]): ExternalPart {
  return {
    name: 'kafka',
    address: brokers.join(','),
    async health() {
      const failures: string[] = [];
      for (const broker of brokers) {
        const sep = broker.lastIndexOf(':');
        const result = await kafkaHealth(broker.slice(0, sep), Number(broker.slice(sep + 1)));
        if (result.ok) return healthy(`${broker}: ${result.detail}`);
        failures.push(result.detail);
      }
      return unhealthy(failures.join('; '));
    },
  };
}
