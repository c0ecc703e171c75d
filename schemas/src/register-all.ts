import { loadCatalog, loadEventSchema, subjectFor } from './index.js';
import { DEFAULT_REGISTRY_URL, RegistryClient, type Fetch } from './registry-client.js';

export interface RegisteredSchema {
  topic: string;
  eventType: string;
  subject: string;
  id: number;
}

/**
 * Registers every event schema of the catalog under its
 * TopicRecordNameStrategy subject in the registry at `url` (Confluent REST
 * API). Idempotent: an unchanged schema gets its existing id. Throws a
 * RegistryError carrying the registry's message (e.g. 409 incompatible) on
 * the first refusal.
 * @default url ODX_SCHEMA_REGISTRY_URL, else http://127.0.0.1:8081/apis/ccompat/v7
 */
export async function registerAll(
  url: string = process.env['ODX_SCHEMA_REGISTRY_URL'] ?? DEFAULT_REGISTRY_URL,
  options: { fetch?: Fetch; onRegistered?: (registered: RegisteredSchema) => void } = {},
): Promise<RegisteredSchema[]> {
  const registry = new RegistryClient({ url, fetch: options.fetch });
  const results: RegisteredSchema[] = [];
  for (const topic of loadCatalog().topics) {
    for (const eventType of topic.eventTypes) {
      const subject = subjectFor(topic, eventType);
      const id = await registry.register(subject, loadEventSchema(eventType));
      const result = { topic: topic.name, eventType, subject, id };
      results.push(result);
      options.onRegistered?.(result);
    }
  }
  return results;
}
