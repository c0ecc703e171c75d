/** Retry topic number `n` (1-based) for a consumer group: `<topic>.<group>.retry.<n>`. */
export function retryTopicName(topic: string, group: string, n: number): string {
  return `${topic}.${group}.retry.${n}`;
}

/** Dead-letter topic for a consumer group: `<topic>.<group>.dlq`. */
export function dlqTopicName(topic: string, group: string): string {
  return `${topic}.${group}.dlq`;
}

/** Parses a retry or DLQ topic name back into its parts; undefined for other topics. */
export function parseDerivedTopic(name: string): { topic: string; group: string; retry?: number; dlq?: true } | undefined {
  const retry = /^(.+)\.([^.]+)\.retry\.(\d+)$/.exec(name);
  if (retry) return { topic: retry[1]!, group: retry[2]!, retry: Number(retry[3]) };
  const dlq = /^(.+)\.([^.]+)\.dlq$/.exec(name);
  if (dlq) return { topic: dlq[1]!, group: dlq[2]!, dlq: true };
  return undefined;
}

const LEGAL = /^[a-zA-Z0-9._-]{1,249}$/;

/** Throws a clear error for names Kafka would refuse. */
export function assertTopicName(name: string): void {
  if (!LEGAL.test(name) || name === '.' || name === '..') {
    throw new Error(`"${name}" is not a legal Kafka topic name (1-249 of [a-zA-Z0-9._-])`);
  }
}

const PREFIX = /^[a-zA-Z0-9._-]{0,100}$/;

/**
 * The name a catalog topic has in this deployment: `ODX_TOPIC_PREFIX` followed
 * by the catalog name (`odx.orders.v1` stays as it is when the prefix is
 * unset). A prefix gives a whole ODX system its own topics on a shared cluster
 * (a staging copy, a tenant, a system test); every service of that system gets
 * the same prefix.
 */
export function catalogTopicName(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const prefix = env['ODX_TOPIC_PREFIX']?.trim() ?? '';
  if (!PREFIX.test(prefix))
    throw new Error(`invalid configuration:\n  - ODX_TOPIC_PREFIX: must be up to 100 of [a-zA-Z0-9._-], got "${prefix}"`);
  return `${prefix}${name}`;
}
