import { HttpProblem, parseDerivedTopic } from '@odx/runtime';
import type { Admin } from 'kafkajs';

const LEGAL = /^[a-zA-Z0-9._-]{1,249}$/;

/** 400 for names Kafka would refuse, 404 for topics that do not exist. */
export async function requireTopic(admin: Admin, name: string, what = 'topic'): Promise<void> {
  if (!LEGAL.test(name) || name === '.' || name === '..') throw new HttpProblem(400, 'Bad Request', `${what} "${name.slice(0, 300)}" is not a legal Kafka topic name`);
  const topics = await admin.listTopics();
  if (!topics.includes(name)) throw new HttpProblem(404, 'Not Found', `${what} ${name} does not exist`);
}

/** As requireTopic, and the topic must be a dead-letter topic (`<topic>.<group>.dlq`). */
export async function requireDlqTopic(admin: Admin, name: string): Promise<{ topic: string; group: string }> {
  const parsed = parseDerivedTopic(name);
  if (!LEGAL.test(name) || !parsed?.dlq) throw new HttpProblem(400, 'Bad Request', `"${name.slice(0, 300)}" is not a DLQ topic (<topic>.<group>.dlq)`);
  await requireTopic(admin, name, 'DLQ topic');
  return { topic: parsed.topic, group: parsed.group };
}
