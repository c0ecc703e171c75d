import { loadCatalog, type TopicDefinition } from '@odx/schemas';
import type { Admin, ITopicConfig } from 'kafkajs';
import type { ClusterAdmin } from './cluster-admin.js';
import { assertTopicName, catalogTopicName } from './topic-names.js';

export interface TopicSpec {
  name: string;
  partitions: number;
  replicationFactor: number;
  config: Record<string, string>;
}

export function specFromCatalog(def: TopicDefinition, replicationFactorCap?: number): TopicSpec {
  return {
    name: def.name,
    partitions: def.partitions,
    replicationFactor: replicationFactorCap ? Math.min(def.replicationFactor, replicationFactorCap) : def.replicationFactor,
    config: def.config,
  };
}

/** A kafkajs Admin is what the runtime's own consumer runner holds (and the deprecated `ServiceRuntime.admin`). */
function isClusterAdmin(on: ClusterAdmin | Admin): on is ClusterAdmin {
  return 'watermarks' in on;
}

/**
 * Creates the topics that do not exist yet (existing ones are left alone: their
 * partition count is never silently changed). Returns the names created.
 */
export async function ensureTopics(on: ClusterAdmin | Admin, specs: TopicSpec[]): Promise<string[]> {
  if (isClusterAdmin(on)) return on.ensureTopics(specs);
  const admin = on;
  for (const s of specs) assertTopicName(s.name);
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.name));
  if (missing.length === 0) return [];
  const topics: ITopicConfig[] = missing.map((s) => ({
    topic: s.name,
    numPartitions: s.partitions,
    replicationFactor: s.replicationFactor,
    configEntries: Object.entries(s.config).map(([name, value]) => ({ name, value })),
  }));
  try {
    await admin.createTopics({ topics, waitForLeaders: true });
  } catch (err) {
    // A concurrent creator is fine, and so is the broker's metadata lagging the
    // creation (kafkajs then reports UNKNOWN_TOPIC_OR_PARTITION while waiting for
    // leaders): the topics show up within moments, or within many seconds on a
    // busy broker (over 10 s seen in CI with a few hundred new partitions).
    // Anything else is an error.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const again = new Set(await admin.listTopics());
      if (missing.every((s) => again.has(s.name))) break;
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return missing.map((s) => s.name);
}

/**
 * Provisions every catalog topic, capping the replication factor at the broker
 * count so a single-node dev stack accepts a catalog written for production.
 */
export async function provisionCatalogTopics(on: ClusterAdmin | Admin): Promise<string[]> {
  if (isClusterAdmin(on)) return on.provisionCatalogTopics();
  const { brokers } = await on.describeCluster();
  return ensureTopics(
    on,
    loadCatalog().topics.map((t) => ({ ...specFromCatalog(t, brokers.length), name: catalogTopicName(t.name) })),
  );
}
