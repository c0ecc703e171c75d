/**
 * @odx/schemas: the canonical Avro event schemas, the topic catalog, the
 * generated TypeScript types and the logical types that keep money,
 * quantities and times exact.
 */
import { readFileSync } from 'node:fs';
import type avsc from 'avsc';
import type { AvroRecordSchema } from './avro-schema.js';
import { parseCatalog, type TopicCatalog, type TopicDefinition } from './catalog.js';
import { EventDecoder, type EventDecoderOptions } from './decode.js';
import { EVENT_TYPES, type EventPayloads, type EventType } from './generated/types.js';
import { parseAvroSchema } from './logical-types.js';
import { AVRO_DIR, CATALOG_FILE } from './paths.js';
import { EVENTS_NAMESPACE, SchemaRepository } from './schema-repository.js';

export * from './generated/types.js';
export type {
  AvroArraySchema,
  AvroEnumSchema,
  AvroField,
  AvroFixedSchema,
  AvroMapSchema,
  AvroNamedSchema,
  AvroPrimitive,
  AvroPrimitiveSchema,
  AvroRecordSchema,
  AvroSchema,
} from './avro-schema.js';
export {
  CatalogError,
  MIN_SUNSET_NOTICE_DAYS,
  parseCatalog,
  type CleanupPolicy,
  type TopicCatalog,
  type TopicDefinition,
  type TopicDeprecation,
} from './catalog.js';
export {
  checkBackwardCompatibility,
  findBackwardIncompatibilities,
  type CompatibilityResult,
  type EventTopicMap,
  type SchemaChangeProblem,
} from './compatibility.js';
export { AvroBoundsError, MAX_ZERO_SIZE_ITEMS, avroBoundsChecker } from './avro-bounds.js';
export { DecodeError, EventDecoder, type DecodedOdxEvent, type DecodeFailure, type SchemaLookup } from './decode.js';
export { DecimalError, formatDecimal, parseDecimal, type DecimalSpec } from './decimal.js';
export { generateTypes } from './generate-types.js';
export { avroLogicalTypes, DecimalType, parseAvroSchema, TimestampMillisType } from './logical-types.js';
export { ASYNCAPI_FILE, AVRO_DIR, CATALOG_FILE, GENERATED_TYPES_FILE, SCHEMAS_ROOT } from './paths.js';
export { AVRO_SCHEMA_FORMAT, generateAsyncApi, type AsyncApiOptions } from './asyncapi.js';
export { registerAll, type RegisteredSchema } from './register-all.js';
export {
  DEFAULT_REGISTRY_TIMEOUT_MS,
  DEFAULT_REGISTRY_URL,
  RegistryClient,
  RegistryError,
  type CompatibilityAnswer,
  type Fetch,
  type RegistryClientOptions,
  type RegistryErrorKind,
  type RegistrySchema,
} from './registry-client.js';
export {
  COMMON_NAMESPACE,
  EVENT_META_FULL_NAME,
  EVENTS_NAMESPACE,
  SchemaRepository,
  SchemaSourceError,
  type NamedTypeDefinition,
  type SchemaSource,
} from './schema-repository.js';

let repository: SchemaRepository | undefined;
let catalog: TopicCatalog | undefined;
const parsedTypes = new Map<string, avsc.Type>();

/** The schemas of the working tree (`schemas/avro`), loaded and validated once. */
export function schemaRepository(): SchemaRepository {
  repository ??= SchemaRepository.fromDirectory(AVRO_DIR);
  return repository;
}

/** The topic catalog (`schemas/catalog/topics.yaml`), validated against the schemas; loaded once. */
export function loadCatalog(): TopicCatalog {
  catalog ??= parseCatalog(readFileSync(CATALOG_FILE, 'utf8'), schemaRepository());
  return catalog;
}

/** The definition of a topic by name; throws for a topic not in the catalog. */
export function topicByName(name: string): TopicDefinition {
  const found = loadCatalog().topics.find((t) => t.name === name);
  if (!found)
    throw new Error(
      `unknown topic "${name}"; catalog topics: ${loadCatalog()
        .topics.map((t) => t.name)
        .join(', ')}`,
    );
  return found;
}

/** The topic an event type is published on; throws for an unknown event type. */
export function topicForEventType(eventType: string): TopicDefinition {
  const found = loadCatalog().topics.find((t) => t.eventTypes.includes(eventType));
  if (!found) throw unknownEventType(eventType);
  return found;
}

/** True when `value` is the simple name of an ODX event type. */
export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

/**
 * The event's record schema, self-contained (named types inlined at first
 * use) so it registers on its own and parses with avsc. Cached; frozen.
 */
export function loadEventSchema(eventType: string): AvroRecordSchema {
  assertEventType(eventType);
  return schemaRepository().eventSchema(eventType);
}

/** Full Avro name of an event record, e.g. `com.odx.events.OrderConfirmed`. */
export function fullName(eventType: string): string {
  assertEventType(eventType);
  return `${EVENTS_NAMESPACE}.${eventType}`;
}

/** The event type of a full record name (as found in a registered schema), or undefined. */
export function eventTypeFromFullName(name: string): EventType | undefined {
  const prefix = `${EVENTS_NAMESPACE}.`;
  if (!name.startsWith(prefix)) return undefined;
  const simple = name.slice(prefix.length);
  return isEventType(simple) ? simple : undefined;
}

/** Registry subject under TopicRecordNameStrategy: `<topic>-<full record name>`. */
export function subjectFor(topic: string | TopicDefinition, eventType: string): string {
  return `${typeof topic === 'string' ? topic : topic.name}-${fullName(eventType)}`;
}

/** The avsc Type of an event, with the ODX decimal and timestamp-millis logical types. Cached. */
export function parseEventType(eventType: string): avsc.Type {
  let type = parsedTypes.get(eventType);
  if (!type) {
    type = parseAvroSchema(loadEventSchema(eventType));
    parsedTypes.set(eventType, type);
  }
  return type;
}

/** The Kafka message key of an event: the value at the catalog's key path (e.g. `order.orderId`). */
export function messageKeyFor<T extends EventType>(eventType: T, payload: EventPayloads[T]): string {
  const path = topicForEventType(eventType).keyPaths[eventType];
  if (!path) throw unknownEventType(eventType);
  let value: unknown = payload;
  for (const segment of path.split('.')) {
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[segment] : undefined;
  }
  if (typeof value !== 'string' || value === '') {
    throw new Error(`${eventType}: message key ${path} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A topic in the shape of kafkajs `admin.createTopics({ topics })`. */
export interface KafkaTopicSpec {
  topic: string;
  numPartitions: number;
  replicationFactor: number;
  configEntries: Array<{ name: string; value: string }>;
}

/**
 * Topic creation specs for every catalog topic. `maxReplicationFactor`
 * (usually the broker count) caps the catalog's replication factor so a
 * single-broker dev stack can create the topics.
 */
export function kafkaTopicSpecs(options: { maxReplicationFactor?: number } = {}): KafkaTopicSpec[] {
  const cap = options.maxReplicationFactor ?? Number.POSITIVE_INFINITY;
  return loadCatalog().topics.map((t) => ({
    topic: t.name,
    numPartitions: t.partitions,
    replicationFactor: Math.max(1, Math.min(t.replicationFactor, cap)),
    configEntries: Object.entries(t.config).map(([name, value]) => ({ name, value })),
  }));
}

function assertEventType(eventType: string): void {
  if (!schemaRepository().hasEventType(eventType)) throw unknownEventType(eventType);
}

function unknownEventType(eventType: string): Error {
  return new Error(`unknown event type "${eventType}"; known: ${schemaRepository().eventTypes.join(', ')}`);
}

/**
 * A decoder of Confluent-framed Avro messages on ODX topics: `decode(value)`
 * resolves to `{ eventType, payload }`, narrowed by `eventType` over
 * EventPayloads. Writer schemas come from `registryUrl` (a Confluent-compatible
 * API; @default DEFAULT_REGISTRY_URL) or from `schemaLookup`.
 */
export function createEventDecoder(options: Omit<EventDecoderOptions, 'readerType' | 'eventTypeOf'> = {}): EventDecoder {
  return new EventDecoder({ ...options, readerType: parseEventType, eventTypeOf: eventTypeFromFullName });
}
