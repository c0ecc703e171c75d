import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StackError } from './errors.js';

/** Every part the launcher knows; `kafka-2` and `kafka-3` run only in a three-node cluster (`up --brokers 3`). */
export const PART_NAMES = ['kafka', 'kafka-2', 'kafka-3', 'registry', 'mongo'] as const;
export type PartName = (typeof PART_NAMES)[number];

/** The Kafka nodes' parts, node 1 first (node 1 is `kafka` in either size). */
export const KAFKA_NODE_PARTS = ['kafka', 'kafka-2', 'kafka-3'] as const satisfies readonly PartName[];
export type KafkaNodePart = (typeof KAFKA_NODE_PARTS)[number];

/** Cluster sizes the launcher runs: one combined broker+controller, or three (a KRaft quorum of three voters). */
export const KAFKA_NODE_COUNTS = [1, 3] as const;

export function isPartName(value: string): value is PartName {
  return (PART_NAMES as readonly string[]).includes(value);
}

/** The parts this configuration runs, in PART_NAMES order (Kafka nodes beyond its size left out). */
export function partsOf(config: Pick<StackConfig, 'kafkaNodes'>): PartName[] {
  return PART_NAMES.filter(
    (p) => !(KAFKA_NODE_PARTS as readonly string[]).includes(p) || KAFKA_NODE_PARTS.indexOf(p as KafkaNodePart) < config.kafkaNodes,
  );
}

/**
 * The parts of a selection as this configuration runs them: "kafka" stands for
 * the whole cluster (every node), other names for themselves; nothing selected
 * means every part.
 */
export function selectParts(config: Pick<StackConfig, 'kafkaNodes'>, parts: readonly PartName[] | undefined): PartName[] {
  const all = partsOf(config);
  if (!parts || parts.length === 0) return all;
  const wanted = new Set<PartName>(parts.flatMap((p) => (p === 'kafka' ? KAFKA_NODE_PARTS.slice(0, config.kafkaNodes) : [p])));
  return all.filter((p) => wanted.has(p));
}

/** Where the launcher keeps things. Everything lives outside the repo. */
export interface StackPaths {
  /** `$ODX_HOME`. @default ~/.cache/odx */
  home: string;
  /** `$ODX_DIST_DIR`: downloads and builds, shared between homes. @default $ODX_HOME/dist */
  distDir: string;
  /** `$ODX_HOME/run`: pid files, logs, rendered config. */
  runDir: string;
  /** Root of the repo (for infra/stack templates and the FerretDB wrapper). */
  repoRoot: string;
  /** `infra/stack` in the repo. */
  infraDir: string;
  dataDir(part: PartName): string;
  pidFile(part: PartName): string;
  logFile(part: PartName): string;
  /** Output of installers (Maven, Go). */
  installLog(part: PartName): string;
  /** The local Kafka's SCRAM users and their passwords (`$ODX_HOME/data/kafka-users.json`, mode 0600). */
  kafkaUsersFile: string;
  /** The local Kafka cluster's size and id, written when its storage is formatted (`$ODX_HOME/data/kafka-cluster.json`). */
  kafkaClusterFile: string;
}

export interface StackPorts {
  /** Node 1's client listener (the bootstrap address). */
  kafka: number;
  /** Node 1's controller listener. */
  kafkaController: number;
  /** Every Kafka node's client and controller port, node 1 first (one entry per node of the configured size). */
  kafkaNodes: Array<{ client: number; controller: number }>;
  registry: number;
  registryManagement: number;
  mongo: number;
  /** PostgreSQL behind FerretDB (only with the postgresql backend). */
  postgres: number;
}

/** How clients reach the local Kafka: `sasl` (SCRAM users and ACLs, the default) or `plaintext` (the dev switch). */
export const KAFKA_SECURITY_MODES = ['sasl', 'plaintext'] as const;
export type KafkaSecurity = (typeof KAFKA_SECURITY_MODES)[number];

export const MONGO_BACKENDS = ['sqlite', 'postgresql'] as const;
/** Storage of the local FerretDB. */
export type MongoBackend = (typeof MONGO_BACKENDS)[number];

/** How `npm start`'s watchdog probes the stack. */
export interface WatchdogSettings {
  /** @default 10000 */
  intervalMs: number;
  /** Consecutive failed probes before a part is restarted. @default 6 */
  failures: number;
}

/** External servers configured by the user; the launcher starts nothing for these. */
export interface ExternalServers {
  kafka: string[] | undefined;
  registry: string | undefined;
  mongo: string | undefined;
}

/** Launcher configuration with every default applied. */
export interface StackConfig {
  paths: StackPaths;
  ports: StackPorts;
  external: ExternalServers;
  /** How long `up` waits for a started part to become healthy. @default 120000 */
  startTimeoutMs: number;
  /** How long `down` waits after SIGTERM before SIGKILL. @default 30000 */
  stopTimeoutMs: number;
  /**
   * How long `up` waits for a running but unhealthy part to recover before
   * restarting it (never less than what is left of its start timeout).
   * @default 60000
   */
  unhealthyGraceMs: number;
  /** Deadline of each step of a health probe. @default 5000 */
  probeTimeoutMs: number;
  /** @default 'sqlite' */
  mongoBackend: MongoBackend;
  /** `ODX_STACK_KAFKA_SECURITY`. @default 'sasl' */
  kafkaSecurity: KafkaSecurity;
  /**
   * Kafka nodes (each a broker and a controller): `ODX_STACK_KAFKA_NODES` (what `up --brokers N` sets), else
   * the size the data was formatted with, else 1.
   */
  kafkaNodes: number;
  watchdog: WatchdogSettings;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function makePaths(home: string, distDir: string): StackPaths {
  const runDir = join(home, 'run');
  return {
    home,
    distDir,
    runDir,
    repoRoot,
    infraDir: join(repoRoot, 'infra', 'stack'),
    dataDir: (part) => join(home, 'data', part),
    pidFile: (part) => join(runDir, `${part}.pid`),
    logFile: (part) => join(runDir, `${part}.log`),
    installLog: (part) => join(runDir, `${part}-install.log`),
    kafkaUsersFile: join(home, 'data', 'kafka-users.json'),
    kafkaClusterFile: join(home, 'data', 'kafka-cluster.json'),
  };
}

function nonEmpty(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new StackError(`${name} must be a TCP port (1-65535), got "${raw}"`, { reason: 'invalid-config' });
  }
  return value;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new StackError(`${name} must be a positive integer, got "${raw}"`, { reason: 'invalid-config' });
  }
  return value;
}

function nonNegativeInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new StackError(`${name} must be a whole number of milliseconds (0 or more), got "${raw}"`, { reason: 'invalid-config' });
  }
  return value;
}

/**
 * PostgreSQL's bin dir: $ODX_POSTGRES_BIN_DIR as given, else the newest
 * /usr/lib/postgresql/<major>/bin that has a `postgres` binary; undefined when
 * there is none.
 */
export function findPostgresBinDir(env: NodeJS.ProcessEnv): string | undefined {
  const configured = nonEmpty(env, 'ODX_POSTGRES_BIN_DIR');
  if (configured) return configured;
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return majors.map((m) => join(root, m, 'bin')).find((dir) => existsSync(join(dir, 'postgres')));
}

/**
 * FerretDB's backend. The default is PostgreSQL where it is installed: chosen
 * by measurement (docs/benchmarks.md, "Store backends"): FerretDB reads by
 * scanning on both backends, and PostgreSQL's scans stay 5-10x cheaper as a
 * stack fills (a crash's redelivery of 200 keys at 70,000 documents: 8 s
 * against 98-158 s on SQLite, long enough there for the health check to
 * restart the store). SQLite needs nothing installed, so it is the fallback.
 */
function mongoBackend(env: NodeJS.ProcessEnv): MongoBackend {
  const raw = nonEmpty(env, 'ODX_STACK_MONGO_BACKEND');
  if (raw === undefined) return findPostgresBinDir(env) ? 'postgresql' : 'sqlite';
  const value = MONGO_BACKENDS.find((b) => b === raw.toLowerCase());
  if (!value) {
    throw new StackError(`ODX_STACK_MONGO_BACKEND must be one of ${MONGO_BACKENDS.join(', ')}, got "${raw}"`, { reason: 'invalid-config' });
  }
  return value;
}

function kafkaSecurity(env: NodeJS.ProcessEnv): KafkaSecurity {
  const raw = nonEmpty(env, 'ODX_STACK_KAFKA_SECURITY');
  if (raw === undefined) return 'sasl';
  const value = KAFKA_SECURITY_MODES.find((m) => m === raw.toLowerCase());
  if (!value) {
    throw new StackError(`ODX_STACK_KAFKA_SECURITY must be one of ${KAFKA_SECURITY_MODES.join(', ')}, got "${raw}"`, {
      reason: 'invalid-config',
    });
  }
  return value;
}

function brokers(env: NodeJS.ProcessEnv): string[] | undefined {
  const raw = nonEmpty(env, 'ODX_KAFKA_BROKERS');
  if (raw === undefined) return undefined;
  const list = raw
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  for (const broker of list) {
    if (!/^[^:\s]+:\d+$/.test(broker)) {
      throw new StackError(`ODX_KAFKA_BROKERS must be a comma-separated list of host:port, got "${broker}"`, {
        reason: 'invalid-config',
      });
    }
  }
  return list;
}

/** What `kafka-cluster.json` records: how many nodes the storage was formatted for, and the cluster id. */
export interface KafkaClusterRecord {
  nodes: number;
  clusterId: string;
}

/** The recorded cluster of a home, if its Kafka storage was formatted by a launcher that records it. */
export function readKafkaCluster(file: string): KafkaClusterRecord | undefined {
  if (!existsSync(file)) return undefined;
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<KafkaClusterRecord>;
  if (!Number.isInteger(raw.nodes) || typeof raw.clusterId !== 'string')
    throw new StackError(
      `${file} is damaged (expected {"nodes": n, "clusterId": "..."}); \`npm run stack -- down --wipe kafka\` starts over`,
      {
        reason: 'invalid-config',
      },
    );
  return { nodes: raw.nodes as number, clusterId: raw.clusterId };
}

function kafkaNodes(env: NodeJS.ProcessEnv, clusterFile: string): number {
  const raw = nonEmpty(env, 'ODX_STACK_KAFKA_NODES');
  if (raw === undefined) return readKafkaCluster(clusterFile)?.nodes ?? 1;
  const value = Number(raw);
  if (!(KAFKA_NODE_COUNTS as readonly number[]).includes(value))
    throw new StackError(`ODX_STACK_KAFKA_NODES (up --brokers) must be one of ${KAFKA_NODE_COUNTS.join(', ')}, got "${raw}"`, {
      reason: 'invalid-config',
    });
  return value;
}

/** Reads the launcher configuration from the environment (the only input). */
export function loadStackConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  const home = resolve(nonEmpty(env, 'ODX_HOME') ?? join(homedir(), '.cache', 'odx'));
  const distDir = resolve(nonEmpty(env, 'ODX_DIST_DIR') ?? join(home, 'dist'));
  const paths = makePaths(home, distDir);
  // Kafka elsewhere (ODX_KAFKA_BROKERS): the launcher runs no node, and probes that cluster as one part.
  const nodes = brokers(env) ? 1 : kafkaNodes(env, paths.kafkaClusterFile);
  const kafkaPort = port(env, 'ODX_STACK_KAFKA_PORT', 9092);
  const kafkaControllerPort = port(env, 'ODX_STACK_KAFKA_CONTROLLER_PORT', 9093);
  // Node n (n > 1): ODX_STACK_KAFKA_<n>_PORT and _CONTROLLER_PORT, by default two ports further per node.
  const kafkaNodePorts = Array.from({ length: nodes }, (_, i) =>
    i === 0
      ? { client: kafkaPort, controller: kafkaControllerPort }
      : {
          client: port(env, `ODX_STACK_KAFKA_${i + 1}_PORT`, kafkaPort + 2 * i),
          controller: port(env, `ODX_STACK_KAFKA_${i + 1}_CONTROLLER_PORT`, kafkaControllerPort + 2 * i),
        },
  );
  const ports: StackPorts = {
    kafka: kafkaPort,
    kafkaController: kafkaControllerPort,
    kafkaNodes: kafkaNodePorts,
    registry: port(env, 'ODX_STACK_REGISTRY_PORT', 8081),
    registryManagement: port(env, 'ODX_STACK_REGISTRY_MANAGEMENT_PORT', 8091),
    mongo: port(env, 'ODX_STACK_MONGO_PORT', 27017),
    postgres: port(env, 'ODX_STACK_POSTGRES_PORT', 5433),
  };
  const seen = new Map<number, string>();
  const backend = mongoBackend(env);
  // The PostgreSQL port is bound only with that backend.
  const bound: Array<[string, number]> = [
    ...Object.entries(ports).filter(
      (e): e is [string, number] => typeof e[1] === 'number' && (e[0] !== 'postgres' || backend === 'postgresql'),
    ),
    ...kafkaNodePorts.slice(1).flatMap((p, i): Array<[string, number]> => [
      [`kafka node ${i + 2}`, p.client],
      [`kafka node ${i + 2} controller`, p.controller],
    ]),
  ];
  for (const [name, value] of bound) {
    const other = seen.get(value);
    if (other) {
      throw new StackError(`ports of ${other} and ${name} are both ${value}; give each part its own port`, {
        reason: 'invalid-config',
      });
    }
    seen.set(value, name);
  }
  return {
    paths,
    ports,
    external: {
      kafka: brokers(env),
      registry: nonEmpty(env, 'ODX_SCHEMA_REGISTRY_URL')?.replace(/\/+$/, ''),
      mongo: nonEmpty(env, 'ODX_MONGO_URL'),
    },
    startTimeoutMs: positiveInt(env, 'ODX_STACK_START_TIMEOUT_MS', 120_000),
    stopTimeoutMs: positiveInt(env, 'ODX_STACK_STOP_TIMEOUT_MS', 30_000),
    unhealthyGraceMs: nonNegativeInt(env, 'ODX_STACK_UNHEALTHY_GRACE_MS', 60_000),
    probeTimeoutMs: positiveInt(env, 'ODX_STACK_PROBE_TIMEOUT_MS', 5_000),
    mongoBackend: backend,
    kafkaSecurity: kafkaSecurity(env),
    kafkaNodes: nodes,
    watchdog: {
      intervalMs: positiveInt(env, 'ODX_STACK_WATCHDOG_INTERVAL_MS', 10_000),
      failures: positiveInt(env, 'ODX_STACK_WATCHDOG_FAILURES', 6),
    },
  };
}
