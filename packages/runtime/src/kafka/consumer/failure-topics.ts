// The retry and DLQ topics of a consumer group: their names, which original
// each retry topic stands for, and their creation at start.
import type { ClusterAdmin } from '../cluster-admin.js';
import type { TopicSpec } from '../topic-admin.js';
import { dlqTopicName, retryTopicName } from '../topic-names.js';

/** The original topic a retry topic carries, and which retry it is (1-based). */
export interface RetryTopicOrigin {
  original: string;
  n: number;
}

/** Every retry topic of `topics` for `groupId`, by name: one per configured retry delay. */
export function retryTopicsOf(topics: readonly string[], groupId: string, retries: number): Map<string, RetryTopicOrigin> {
  const out = new Map<string, RetryTopicOrigin>();
  for (const original of topics) {
    for (let n = 1; n <= retries; n++) out.set(retryTopicName(original, groupId, n), { original, n });
  }
  return out;
}

/**
 * The retry and DLQ topics of one original, with its partition count (a retried
 * message keeps its partition) and a replication factor the cluster can give.
 */
export function failureTopicSpecs(
  original: { name: string; partitions: number },
  groupId: string,
  retries: number,
  brokers: number,
): TopicSpec[] {
  const base = { partitions: original.partitions, replicationFactor: Math.min(3, brokers) };
  const specs: TopicSpec[] = [];
  for (let n = 1; n <= retries; n++) specs.push({ ...base, name: retryTopicName(original.name, groupId, n), config: {} });
  // DLQs keep messages until someone redrives or purges them.
  specs.push({ ...base, name: dlqTopicName(original.name, groupId), config: { 'retention.ms': '-1' } });
  return specs;
}

/** Creates the missing retry and DLQ topics of `topics`; closes `admin` when done. */
export async function provisionFailureTopics(
  admin: ClusterAdmin,
  topics: readonly string[],
  groupId: string,
  retries: number,
): Promise<void> {
  try {
    const [brokers, partitions] = await Promise.all([admin.brokers(), Promise.all(topics.map((t) => admin.partitions(t)))]);
    const specs = topics.flatMap((name, i) => {
      const count = partitions[i]?.length ?? 0;
      if (count === 0)
        throw new Error(`topic ${name} does not exist: create it (from the topic catalog) before starting consumer group ${groupId}`);
      return failureTopicSpecs({ name, partitions: count }, groupId, retries, brokers.length);
    });
    await admin.ensureTopics(specs);
  } finally {
    await admin.close();
  }
}
