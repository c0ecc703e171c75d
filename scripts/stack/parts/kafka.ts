import { createHash, randomBytes } from 'node:crypto';
import { catalogAcls, createClusterAdmin, createLogger } from '@odx/runtime';
import { loadCatalog } from '@odx/schemas';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KAFKA_NODE_PARTS, readKafkaCluster, type KafkaClusterRecord, type KafkaNodePart, type StackConfig } from '../config.js';
import { StackError } from '../errors.js';
import { healthy, unhealthy, waitForHealthy, type Health } from '../health.js';
import { spawnDetached, stopProcess, type ExitInfo } from '../process-control.js';
import { installAtomically, isInstalled } from '../install-dir.js';
import { findJava } from '../java.js';
import { kafkaHealth, kafkaSaslListenerHealth } from '../kafka-probe.js';
import { KAFKA_ADMIN_USER, SCRAM_MECHANISM, ensureKafkaUsers, forgetInKafka, markInKafka } from '../kafka-users.js';
import { renderTemplate } from '../templates.js';
import { lastLines, requireTool, runToLog, serialMaven } from '../tools.js';
import type { ExternalPart, LocalPart, PartContext } from './part.js';

export const KAFKA_VERSION = '4.1.2';
const STARTED_MARKER = 'Kafka Server started';

/**
 * Kafka 4 in KRaft mode on loopback: node `node` (1-based) of the configured
 * cluster, each node a broker and a controller. One node by default; three
 * with `up --brokers 3` (a quorum of three voters, replication factor 3,
 * min.insync.replicas 2). Node 1 is the part `kafka`, the others `kafka-<n>`.
 */
export function localKafka(config: StackConfig, node = 1): LocalPart {
  const { paths } = config;
  const part = KAFKA_NODE_PARTS[node - 1];
  const own = config.ports.kafkaNodes[node - 1];
  if (!part || !own) throw new Error(`Kafka node ${node} is not part of a ${config.kafkaNodes}-node cluster`);
  const name: KafkaNodePart = part;
  const nodes = config.kafkaNodes;
  const ports = { kafka: own.client, kafkaController: own.controller };
  const dataDir = paths.dataDir(name);
  const confDir = join(paths.runDir, name);
  const distDir = join(paths.distDir, `kafka-${KAFKA_VERSION}`);
  const libs = join(distDir, 'libs');
  const installLog = paths.installLog(name);
  const templates = join(paths.infraDir, 'kafka');
  const pom = () => renderTemplate(join(templates, 'pom.xml'), { KAFKA_VERSION });
  const fingerprint = () => createHash('sha256').update(pom()).digest('hex');
  const sasl = config.kafkaSecurity === 'sasl';
  // A SASL listener answers nothing but ApiVersions and the handshake before a login.
  const health = () => (sasl ? kafkaSaslListenerHealth('127.0.0.1', ports.kafka) : kafkaHealth('127.0.0.1', ports.kafka));
  const usersFile = paths.kafkaUsersFile;
  const voters = config.ports.kafkaNodes.map((n, i) => `${i + 1}@127.0.0.1:${n.controller}`).join(',');
  const serverValues = (clientListener: string, security: string): Record<string, string | number> => ({
    NODE_ID: node,
    VOTERS: voters,
    PORT: ports.kafka,
    CONTROLLER_PORT: ports.kafkaController,
    DATA_DIR: dataDir,
    CLIENT_LISTENER: clientListener,
    SECURITY: security,
    REPLICATION: Math.min(3, nodes),
    MIN_ISR: nodes >= 3 ? 2 : 1,
  });

  /** Runs one of Kafka's command-line tools; throws with the end of its output when it fails. */
  const runTool = async (java: string, jvm: string[], args: string[], what: string): Promise<void> => {
    const code = await runToLog({ command: java, args: [...jvm, ...args], cwd: confDir, logFile: installLog });
    if (code !== 0)
      throw new StackError(
        `${what} failed (exit code ${code}); \`npm run stack -- down --wipe kafka\` formats Kafka again with every user. ` +
          `Last lines:\n${lastLines(installLog, 10)}`,
        { reason: 'setup-failed', part: name, logFile: installLog },
      );
  };

  const addAdminOnPlaintext = async (java: string, jvm: string[], password: string): Promise<void> => {
    const properties = join(confDir, 'server-plaintext-once.properties');
    writeFileSync(properties, renderTemplate(join(templates, 'server.properties'), serverValues('PLAINTEXT', PLAINTEXT_NOTE)));
    const started = await spawnDetached({ command: java, args: [...jvm, 'kafka.Kafka', properties], cwd: confDir, logFile: installLog });
    let exit: ExitInfo | undefined;
    void started.exited.then((info) => (exit = info));
    try {
      const outcome = await waitForHealthy(() => kafkaHealth('127.0.0.1', ports.kafka), {
        timeoutMs: config.startTimeoutMs,
        interrupted: () => exit,
      });
      if (outcome.kind !== 'healthy')
        throw new StackError(`the broker did not start on PLAINTEXT to add the admin user. Last lines:\n${lastLines(installLog, 10)}`, {
          reason: 'setup-failed',
          part: name,
          logFile: installLog,
        });
      await runTool(
        java,
        jvm,
        userArgs(`127.0.0.1:${ports.kafka}`, undefined, KAFKA_ADMIN_USER, password),
        `adding Kafka user ${KAFKA_ADMIN_USER}`,
      );
    } finally {
      await stopProcess(started.pid, config.stopTimeoutMs);
      rmSync(properties, { force: true });
    }
  };

  async function installJars({ progress }: PartContext): Promise<void> {
    if (isInstalled(distDir, fingerprint())) return;
    const mvn = requireTool(name, 'mvn', `download the Kafka ${KAFKA_VERSION} jars from Maven Central`);
    progress.milestone(name, `installing Kafka ${KAFKA_VERSION} jars with Maven into ${distDir} (~54 MB, about a minute)`);
    const stop = progress.heartbeat(name, 'still downloading Kafka jars');
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
            { reason: 'download-failed', part: name, logFile: installLog },
          );
        }
      });
    } finally {
      stop();
    }
    const count = readdirSync(libs).length;
    progress.milestone(name, `installed ${count} jars in ${Math.round((Date.now() - started) / 1000)} s`);
  }

  const portVar = node === 1 ? 'ODX_STACK_KAFKA' : `ODX_STACK_KAFKA_${node}`;
  return {
    name,
    address: `127.0.0.1:${ports.kafka}`,
    signature: dataDir,
    ports: [
      { port: ports.kafka, hint: `stop it, set ${portVar}_PORT to another port, or set ODX_KAFKA_BROKERS to use that server` },
      { port: ports.kafkaController, hint: `stop it or set ${portVar}_CONTROLLER_PORT to another port` },
    ],

    install(ctx: PartContext) {
      // The nodes of a cluster start in parallel and share one install: the first one does it, the others wait.
      let running = installs.get(distDir);
      if (!running) {
        running = installJars(ctx).finally(() => installs.delete(distDir));
        installs.set(distDir, running);
      }
      return running;
    },

    async prepare({ progress }: PartContext) {
      const java = findJava(name, 17, ['ODX_KAFKA_JAVA_HOME', 'JAVA_HOME']);
      const cluster = ensureClusterRecord(config);
      mkdirSync(confDir, { recursive: true });
      mkdirSync(dataDir, { recursive: true });
      const serverProperties = join(confDir, 'server.properties');
      const log4j = join(confDir, 'log4j2.yaml');
      const users = sasl ? ensureKafkaUsers(usersFile) : undefined;
      writeFileSync(
        serverProperties,
        renderTemplate(
          join(templates, 'server.properties'),
          serverValues(
            users ? 'SASL_PLAINTEXT' : 'PLAINTEXT',
            users ? securityProperties(users.passwords[KAFKA_ADMIN_USER] ?? '') : PLAINTEXT_NOTE,
          ),
        ),
        { mode: 0o600 }, // it holds the admin's password
      );
      chmodSync(serverProperties, 0o600); // mode applies to new files only
      writeFileSync(log4j, readFileSync(join(templates, 'log4j2.yaml')));
      const jvm = [`-Dlog4j2.configurationFile=${log4j}`, '-cp', join(libs, '*')];

      if (!existsSync(join(dataDir, 'meta.properties'))) {
        progress.step(name, `formatting storage in ${dataDir} (node ${node} of ${nodes}, cluster ${cluster.clusterId})`);
        const { clusterId } = cluster;
        try {
          // SCRAM users go in at format time (KIP-900), so the broker starts with its admin and every service user.
          // Every node formats with the same bootstrap records; node 1 keeps the users file's bookkeeping.
          if (users && node === 1) forgetInKafka(usersFile, users);
          const scram = users ? Object.entries(users.passwords).flatMap(([name, pw]) => ['--add-scram', scramConfig(name, pw)]) : [];
          const code = await runToLog({
            command: java.executable,
            args: [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', serverProperties, ...scram],
            cwd: confDir,
            logFile: installLog,
          });
          if (code !== 0) throw new Error(`StorageTool format exited with ${code}:\n${lastLines(installLog, 10)}`);
          if (users && node === 1) markInKafka(usersFile, users, Object.keys(users.passwords));
        } catch (error) {
          throw new StackError(`formatting Kafka storage failed: ${(error as Error).message}`, {
            reason: 'setup-failed',
            part: name,
            logFile: installLog,
            cause: error,
          });
        }
      }

      if (users && node === 1 && nodes === 1 && !users.inKafka.includes(KAFKA_ADMIN_USER)) {
        // Storage formatted before SASL (an earlier ODX): no user exists and SCRAM users cannot be added through the
        // controller listener. Start the broker once on PLAINTEXT without an authorizer, add the admin, stop it.
        progress.milestone(name, 'data formatted without SASL users: adding the admin user once (about 30 s)');
        await addAdminOnPlaintext(java.executable, jvm, users.passwords[KAFKA_ADMIN_USER] ?? '');
        markInKafka(usersFile, users, [KAFKA_ADMIN_USER]);
      }

      return {
        command: java.executable,
        args: [
          '-Xms256m',
          // Kafka's own default heap (kafka-server-start.sh): at 512 MB the old generation stood at 80 % while the
          // suite held about 2,000 partitions (jstat, 2026-12-07), and a full suite in CI lost its broker mid-run.
          // Three nodes share the load (and the machine's memory): 768 MB each.
          nodes === 1 ? '-Xmx1g' : '-Xmx768m',
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

    async afterHealthy({ progress }: PartContext) {
      // Node 1 speaks for the cluster: users, topics and ACLs are cluster-wide.
      if (node !== 1) return;
      if (nodes > 1)
        await waitForBrokers(`127.0.0.1:${ports.kafka}`, nodes, sasl ? ensureKafkaUsers(usersFile) : undefined, config.startTimeoutMs);
      if (!sasl) return;
      const users = ensureKafkaUsers(usersFile);
      const java = findJava(name, 17, ['ODX_KAFKA_JAVA_HOME', 'JAVA_HOME']);
      if (!users.inKafka.includes(KAFKA_ADMIN_USER))
        throw new StackError(
          'Kafka runs without its admin user (it was started before the launcher added users): ' +
            '`npm run stack -- down kafka` and `up` again add it',
          { reason: 'setup-failed', part: name },
        );
      const missing = Object.keys(users.passwords).filter((name) => !users.inKafka.includes(name));
      if (missing.length > 0) {
        // Users the catalog gained after the storage was formatted: added by the admin.
        const commandConfig = join(confDir, 'admin-client.properties');
        writeFileSync(commandConfig, adminClientProperties(users.passwords[KAFKA_ADMIN_USER] ?? ''), { mode: 0o600 });
        const jvm = [`-Dlog4j2.configurationFile=${join(confDir, 'log4j2.yaml')}`, '-cp', join(libs, '*')];
        for (const missingUser of missing) {
          progress.step(name, `adding SCRAM user ${missingUser}`);
          const args = userArgs(`127.0.0.1:${ports.kafka}`, commandConfig, missingUser, users.passwords[missingUser] ?? '');
          await runTool(java.executable, jvm, args, `adding Kafka user ${missingUser}`);
          markInKafka(usersFile, users, [missingUser]);
        }
      }
      const summary = await applyCatalogAccess(`127.0.0.1:${ports.kafka}`, KAFKA_ADMIN_USER, users.passwords[KAFKA_ADMIN_USER] ?? '');
      progress.step(name, summary);
    },

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

const PLAINTEXT_NOTE = '# No authentication: ODX_STACK_KAFKA_SECURITY=plaintext (the dev switch).';

/** Jar installs in progress, by dist dir (a cluster's nodes share one). */
const installs = new Map<string, Promise<void>>();

/** A KRaft cluster id: 16 random bytes, base64url without padding (as Kafka's Uuid prints one; never starting with "-"). */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * The cluster every node formats into: its id and size, recorded once (the first node to format writes
 * `kafka-cluster.json`; the others read it). Data formatted at another size is refused with what to do: a KRaft
 * quorum's voters cannot change under a static configuration.
 */
function ensureClusterRecord(config: StackConfig): KafkaClusterRecord {
  const file = config.paths.kafkaClusterFile;
  const nodeOneMeta = join(config.paths.dataDir('kafka'), 'meta.properties');
  let record = readKafkaCluster(file);
  if (!record && existsSync(nodeOneMeta)) {
    // Formatted by a launcher that kept no record: always a single node.
    const id = /^cluster\.id=(.+)$/m.exec(readFileSync(nodeOneMeta, 'utf8'))?.[1]?.trim() ?? '';
    record = { nodes: 1, clusterId: id };
    writeFileSync(file, `${JSON.stringify(record)}\n`);
  }
  if (!record) {
    mkdirSync(join(file, '..'), { recursive: true });
    const fresh = { nodes: config.kafkaNodes, clusterId: newClusterId() };
    try {
      writeFileSync(file, `${JSON.stringify(fresh)}\n`, { flag: 'wx' });
      record = fresh;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      record = readKafkaCluster(file) ?? fresh;
    }
  }
  if (record.nodes !== config.kafkaNodes)
    throw new StackError(
      `Kafka's data in ${config.paths.home} is a ${record.nodes}-node cluster; to run ${config.kafkaNodes} node(s), ` +
        `\`npm run stack -- down --wipe kafka\` (deletes Kafka's topics and offsets) and \`up --brokers ${config.kafkaNodes}\``,
      { reason: 'invalid-config', part: 'kafka' },
    );
  return record;
}

/** Waits until every node of the cluster is registered as a broker, so topics get their full replication factor. */
async function waitForBrokers(
  broker: string,
  count: number,
  users: ReturnType<typeof ensureKafkaUsers> | undefined,
  timeoutMs: number,
): Promise<void> {
  const password = users?.passwords[KAFKA_ADMIN_USER];
  const cluster = createClusterAdmin(
    {
      brokers: [broker],
      clientId: 'odx-stack',
      ssl: false,
      sasl: password !== undefined ? { mechanism: 'scram-sha-512', username: KAFKA_ADMIN_USER, password } : undefined,
    },
    createLogger({ service: 'odx-stack', level: 'error' }),
  );
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const seen = await cluster.brokers().then(
        (b) => b.length,
        () => 0,
      );
      if (seen >= count) return;
      if (Date.now() > deadline)
        throw new StackError(`only ${seen} of ${count} Kafka brokers registered within ${Math.round(timeoutMs / 1000)} s`, {
          reason: 'timeout',
          part: 'kafka',
        });
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await cluster.close();
  }
}

/** kafka-configs arguments that give `name` a SCRAM password (through `commandConfig`'s login, if any). */
function userArgs(broker: string, commandConfig: string | undefined, name: string, password: string): string[] {
  return [
    'kafka.admin.ConfigCommand',
    '--bootstrap-server',
    broker,
    ...(commandConfig ? ['--command-config', commandConfig] : []),
    '--alter',
    '--add-config',
    `${SCRAM_MECHANISM}=[password=${password}]`,
    '--entity-type',
    'users',
    '--entity-name',
    name,
  ];
}

/** Client properties of the admin's login, for Kafka's command-line tools. */
export function adminClientProperties(password: string): string {
  return [
    'security.protocol=SASL_PLAINTEXT',
    `sasl.mechanism=${SCRAM_MECHANISM}`,
    `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${KAFKA_ADMIN_USER}" password="${password}";`,
    '',
  ].join('\n');
}

/** `--add-scram` value of StorageTool: passwords are base64url, so no quoting is needed. */
function scramConfig(name: string, password: string): string {
  return `${SCRAM_MECHANISM}=[name=${name},password=${password}]`;
}

/**
 * SCRAM on the client listener, the KRaft authorizer, and nothing allowed without an ACL. The admin is a super user;
 * so is ANONYMOUS, which only the controller listener (loopback, PLAINTEXT) yields: the broker's own connections to
 * its controller arrive as ANONYMOUS and need cluster actions.
 */
function securityProperties(adminPassword: string): string {
  return [
    '# SASL/SCRAM users and ACLs (ODX_STACK_KAFKA_SECURITY=sasl, the default); users are in kafka-users.json.',
    `sasl.enabled.mechanisms=${SCRAM_MECHANISM}`,
    `sasl.mechanism.inter.broker.protocol=${SCRAM_MECHANISM}`,
    `listener.name.sasl_plaintext.${SCRAM_MECHANISM.toLowerCase()}.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${KAFKA_ADMIN_USER}" password="${adminPassword}";`,
    'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    `super.users=User:${KAFKA_ADMIN_USER};User:ANONYMOUS`,
    'allow.everyone.if.no.acl.found=false',
  ].join('\n');
}

/**
 * As the admin: creates the missing catalog topics (services see them but may not create them) and the catalog's
 * ACLs (docs/consumer-guide.md, "Kafka access"). Rules are only added: one the catalog stopped implying stays until
 * Kafka's data is wiped.
 */
async function applyCatalogAccess(broker: string, username: string, password: string): Promise<string> {
  const logger = createLogger({ service: 'odx-stack', level: 'error' });
  const cluster = createClusterAdmin(
    { brokers: [broker], clientId: 'odx-stack', ssl: false, sasl: { mechanism: 'scram-sha-512', username, password } },
    logger,
  );
  try {
    const created = await cluster.provisionCatalogTopics();
    const rules = catalogAcls(loadCatalog());
    const acls = await cluster.applyAcls(rules);
    return `catalog topics: ${created.length} created; ACLs: ${rules.length} rules, ${acls} entries added`;
  } finally {
    await cluster.close();
  }
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
        const [host, port] = [broker.slice(0, sep), Number(broker.slice(sep + 1))];
        let result = await kafkaHealth(host, port);
        // A SASL listener closes the connection on a metadata request before a login; ApiVersions it answers.
        if (!result.ok && /closed the connection/.test(result.detail)) result = await kafkaSaslListenerHealth(host, port);
        if (result.ok) return healthy(`${broker}: ${result.detail}`);
        failures.push(result.detail);
      }
      return unhealthy(failures.join('; '));
    },
  };
}

/** How to run one of the local Kafka's command-line tools (e.g. `org.apache.kafka.tools.AclCommand`): java and class path. */
export function kafkaToolCommand(config: StackConfig): { java: string; classpath: string[] } {
  const libs = join(config.paths.distDir, `kafka-${KAFKA_VERSION}`, 'libs');
  const log4j = join(config.paths.runDir, 'kafka', 'log4j2.yaml');
  return {
    java: findJava('kafka', 17, ['ODX_KAFKA_JAVA_HOME', 'JAVA_HOME']).executable,
    classpath: [`-Dlog4j2.configurationFile=${log4j}`, '-cp', join(libs, '*')],
  };
}
