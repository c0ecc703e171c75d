import { KAFKA_NODE_PARTS, type PartName, type StackConfig } from '../config.js';
import { externalKafka, localKafka } from './kafka.js';
import { externalMongo, localMongo } from './mongo.js';
import type { ExternalPart, LocalPart } from './part.js';
import { externalRegistry, localRegistry } from './registry.js';

export type Resolved = { kind: 'local'; part: LocalPart } | { kind: 'external'; part: ExternalPart };

/** The part the configuration asks for: one the launcher runs, or the user's server. */
export function resolvePart(name: PartName, config: StackConfig): Resolved {
  const { external } = config;
  switch (name) {
    case 'kafka':
      return external.kafka ? { kind: 'external', part: externalKafka(external.kafka) } : { kind: 'local', part: localKafka(config) };
    case 'kafka-2':
    case 'kafka-3':
      // Only selected in a cluster of that size, which external Kafka never is (config.ts).
      return { kind: 'local', part: localKafka(config, KAFKA_NODE_PARTS.indexOf(name) + 1) };
    case 'registry':
      return external.registry
        ? { kind: 'external', part: externalRegistry(external.registry) }
        : { kind: 'local', part: localRegistry(config) };
    case 'mongo':
      return external.mongo
        ? { kind: 'external', part: externalMongo(external.mongo, config.probeTimeoutMs) }
        : { kind: 'local', part: localMongo(config) };
  }
}
