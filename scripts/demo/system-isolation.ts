// A whole ODX system on a shared stack without seeing or disturbing other runs: its own topic prefix, MongoDB
// database and consumer groups, the catalog's ACLs for them when the stack has Kafka users, and everything
// removed afterwards. What tests/system/support/system-kit.ts does for the system tests, as functions the
// compose dry run (scripts/compose/dry-run.ts) uses too.
import { MongoClient } from 'mongodb';
import {
  DEFAULT_GROUPS,
  catalogAcls,
  createClusterAdmin,
  createLogger,
  loadRuntimeConfig,
  specFromCatalog,
  type AclRule,
  type ClusterAdmin,
} from '@odx/runtime';
import { loadCatalog } from '@odx/schemas';
import { KAFKA_USERS_ENV } from '../stack/kafka-users.js';

/** The variable that names each service's consumer group (replay-dlq has none: it works on every group). */
export const GROUP_VARIABLES: Readonly<Record<string, string>> = {
  'odoo-outbox-poller': 'ODX_WRITEBACK_GROUP',
  'wms-bridge': 'ODX_WMS_BRIDGE_GROUP',
  'tms-bridge': 'ODX_TMS_BRIDGE_GROUP',
  'edi-gateway': 'ODX_EDI_GROUP',
  'analytics-sink': 'ODX_SINK_GROUP',
  'order-orchestrator': 'ODX_ORCHESTRATOR_GROUP',
  'webhook-dispatcher': 'ODX_WEBHOOKS_GROUP',
  'api-gateway': 'ODX_API_GROUP',
};

/** One isolated system on the stack. */
export interface SystemScope {
  id: string;
  /** ODX_TOPIC_PREFIX of this system. */
  prefix: string;
  /** MongoDB database its services share. */
  database: string;
}

export function systemScope(id: string, prefix = `test.sys-${id}.`): SystemScope {
  return { id, prefix, database: `odx_system_${id.replace(/[^A-Za-z0-9_]/g, '_')}` };
}

/** The consumer group id a service of system `id` runs with: `sys-<id>-<its default group>`. */
export function systemGroup(id: string, service: string): string {
  return `sys-${id}-${DEFAULT_GROUPS[service] ?? service}`;
}

/** The settings that keep a service of this system apart: topic prefix, database, its consumer group. */
export function isolationEnv(scope: SystemScope, service: string): Record<string, string> {
  const group = GROUP_VARIABLES[service];
  return {
    ODX_TOPIC_PREFIX: scope.prefix,
    ODX_MONGO_DB: scope.database,
    ...(group ? { [group]: systemGroup(scope.id, service) } : {}),
  };
}

/** The stack's addresses and admin login from an environment (what endpointsEnv puts in `npm test`'s). */
export function stackEnvOf(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return {
    ODX_KAFKA_BROKERS: env['ODX_KAFKA_BROKERS'] ?? '127.0.0.1:9092',
    ODX_SCHEMA_REGISTRY_URL: env['ODX_SCHEMA_REGISTRY_URL'] ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
    ODX_MONGO_URL: env['ODX_MONGO_URL'] ?? 'mongodb://127.0.0.1:27017/',
    // The stack's admin login and users file (a SASL stack): each service gets its own user from serviceKafkaEnv.
    ...Object.fromEntries(
      Object.entries(env).filter(
        (e): e is [string, string] => (e[0].startsWith('ODX_KAFKA_SASL_') || e[0] === KAFKA_USERS_ENV) && e[1] !== undefined,
      ),
    ),
  };
}

/** The catalog's ACLs for this system's topics (its prefix) and consumer groups. */
export function systemAcls(scope: SystemScope): AclRule[] {
  const catalog = loadCatalog();
  return catalogAcls(catalog, {
    topicPrefix: scope.prefix,
    groups: Object.fromEntries(catalog.services.map((s) => [s, systemGroup(scope.id, s)])),
  });
}

/** Runs `work` on a ClusterAdmin of the stack's admin login. */
export async function withCluster<T>(stackEnv: Record<string, string>, work: (cluster: ClusterAdmin) => Promise<T>): Promise<T> {
  const config = loadRuntimeConfig('system-test', { ...process.env, ...stackEnv });
  const cluster = createClusterAdmin(config.kafka, createLogger({ service: 'system-test', level: 'error' }));
  try {
    return await work(cluster);
  } finally {
    await cluster.close();
  }
}

/** Creates the system's catalog topics (one partition each) before any service starts. */
export async function createSystemTopics(stackEnv: Record<string, string>, prefix: string): Promise<void> {
  await withCluster(stackEnv, (cluster) =>
    cluster.ensureTopics(loadCatalog().topics.map((def) => ({ ...specFromCatalog(def, 1), name: `${prefix}${def.name}` }))),
  );
}

/** Deletes the topics named with `prefix` and the consumer groups whose id starts with `groupPrefix`. */
export async function removeSystemFromKafka(stackEnv: Record<string, string>, prefix: string, groupPrefix: string): Promise<void> {
  await withCluster(stackEnv, async (cluster) => {
    const groups = (await cluster.listGroups()).map((g) => g.groupId).filter((g) => g.startsWith(groupPrefix));
    await cluster.deleteGroups(groups);
    const topics = (await cluster.listTopics()).filter((name) => name.startsWith(prefix));
    // In slices: one request for hundreds of topics outlasts the broker's request timeout on a busy machine.
    for (let i = 0; i < topics.length; i += 50) await cluster.deleteTopics(topics.slice(i, i + 50));
  });
}

/**
 * Sets the system up on the stack (topics; ACLs when the stack has Kafka users) and returns what removes it
 * again: ACLs, topics, groups and the database. Removal problems are warnings (the run's result stands).
 */
export async function provisionSystem(stackEnv: Record<string, string>, scope: SystemScope): Promise<() => Promise<void>> {
  const acls = stackEnv[KAFKA_USERS_ENV] ? systemAcls(scope) : [];
  const remove = async (): Promise<void> => {
    if (acls.length > 0)
      await withCluster(stackEnv, (cluster) => cluster.removeAcls(acls.filter((r) => r.name !== '*'))).catch((err: unknown) =>
        console.warn(`system ${scope.id}: could not remove its ACLs: ${String(err)}`),
      );
    await removeSystemFromKafka(stackEnv, scope.prefix, `sys-${scope.id}-`).catch((err: unknown) =>
      console.warn(`system ${scope.id}: could not remove its topics and groups: ${String(err)}`),
    );
    const mongo = new MongoClient(stackEnv['ODX_MONGO_URL'] ?? 'mongodb://127.0.0.1:27017/', { serverSelectionTimeoutMS: 5_000 });
    await mongo
      .connect()
      .then(() => mongo.db(scope.database).dropDatabase())
      .catch(() => undefined)
      .finally(() => mongo.close());
  };
  try {
    await createSystemTopics(stackEnv, scope.prefix);
    if (acls.length > 0) await withCluster(stackEnv, (cluster) => cluster.applyAcls(acls));
  } catch (err) {
    await remove();
    throw err;
  }
  return remove;
}
