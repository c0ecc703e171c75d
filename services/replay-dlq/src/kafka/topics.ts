import { parseDerivedTopic, type ClusterAdmin } from '@odx/runtime';
import { InvalidRequest, NotFound } from '../errors.js';

const LEGAL = /^[a-zA-Z0-9._-]{1,249}$/;

/** InvalidRequest for names Kafka would refuse, NotFound for topics that do not exist. */
export async function requireTopic(cluster: ClusterAdmin, name: string, what = 'topic'): Promise<void> {
  if (!LEGAL.test(name) || name === '.' || name === '..')
    throw new InvalidRequest(`${what} "${name.slice(0, 300)}" is not a legal Kafka topic name`);
  const topics = await cluster.listTopics();
  if (!topics.includes(name)) throw new NotFound('topic', [name], `${what} ${name} does not exist`);
}

/** As requireTopic, and the topic must be a dead-letter topic (`<topic>.<group>.dlq`). */
export async function requireDlqTopic(cluster: ClusterAdmin, name: string): Promise<{ topic: string; group: string }> {
  const parsed = parseDerivedTopic(name);
  if (!LEGAL.test(name) || !parsed?.dlq) throw new InvalidRequest(`"${name.slice(0, 300)}" is not a DLQ topic (<topic>.<group>.dlq)`);
  await requireTopic(cluster, name, 'DLQ topic');
  return { topic: parsed.topic, group: parsed.group };
}
