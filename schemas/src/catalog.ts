import { parse as parseYaml } from 'yaml';
import type { AvroField, AvroRecordSchema, AvroSchema } from './avro-schema.js';
import type { SchemaRepository } from './schema-repository.js';

export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';
const CLEANUP_POLICIES: readonly CleanupPolicy[] = ['delete', 'compact', 'compact,delete'];

/** One Kafka topic as the catalog declares it, with defaults applied and Kafka configs derived. */
export interface TopicDefinition {
  readonly name: string;
  /** Aggregate id used as the message key, e.g. `orderId`. */
  readonly key: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly cleanupPolicy: CleanupPolicy;
  /** Retention of delete policies, in milliseconds. */
  readonly retentionMs?: number;
  /** Service accountable for the topic. */
  readonly owner: string;
  /** Every service allowed to write (owner included). */
  readonly producers: readonly string[];
  /** Simple names of the event types published on the topic. */
  readonly eventTypes: readonly string[];
  /** Event type -> dotted path of the key inside its payload, e.g. `order.orderId`. */
  readonly keyPaths: Readonly<Record<string, string>>;
  readonly consumers: readonly string[];
  /**
   * Services that will read the topic once their side is built, but have no
   * consumer group on it yet (so no read ACLs). Disjoint from `consumers`;
   * a service moves from here to `consumers` when it subscribes.
   */
  readonly plannedConsumers?: readonly string[];
  readonly description: string;
  /** Kafka topic configs: `cleanup.policy`, `retention.ms`, plus any listed under `config`. */
  readonly config: Readonly<Record<string, string>>;
  /** Set once a successor topic exists (docs/deprecation-policy.md). */
  readonly deprecated?: TopicDeprecation;
  /** Day (UTC, `YYYY-MM-DD`) after which the topic gets no new events; only on a deprecated topic. */
  readonly sunset?: string;
}

/** Why and since when a topic is deprecated. */
export interface TopicDeprecation {
  /** Day (UTC, `YYYY-MM-DD`) the successor became available. */
  readonly since: string;
  /** The catalog topic that replaces this one (published alongside it until the sunset). */
  readonly replacedBy: string;
  readonly note?: string;
}

/** Least time between a topic's deprecation and its sunset (docs/deprecation-policy.md). */
export const MIN_SUNSET_NOTICE_DAYS = 90;

export interface TopicCatalog {
  readonly defaults: { readonly partitions: number; readonly replicationFactor: number };
  /** Service names that may appear as owner, producer or consumer. */
  readonly services: readonly string[];
  readonly topics: readonly TopicDefinition[];
}

/** The catalog breaks a rule; names the topic (when there is one) and the field. */
export class CatalogError extends Error {
  override readonly name = 'CatalogError';
  constructor(
    readonly file: string,
    readonly topic: string | undefined,
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${file}: ${topic ? `topic "${topic}": ` : ''}field "${field}": ${detail}`);
  }
}

const TOPIC_NAME = /^odx\.[a-z0-9]+(?:\.[a-z0-9-]+)*\.v[1-9][0-9]*$/;
const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const TOPIC_FIELDS = new Set([
  'name',
  'description',
  'key',
  'partitions',
  'replicationFactor',
  'cleanupPolicy',
  'retention',
  'owner',
  'producers',
  'consumers',
  'plannedConsumers',
  'events',
  'config',
  'deprecated',
  'sunset',
]);
const DEPRECATION_FIELDS = new Set(['since', 'replacedBy', 'note']);
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Parses and validates the catalog YAML against the schemas: every event
 * type exists and belongs to exactly one topic, every key path names a
 * non-null string field, every service is declared.
 */
export function parseCatalog(text: string, schemas: SchemaRepository, file = 'schemas/catalog/topics.yaml'): TopicCatalog {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new CatalogError(file, undefined, '(document)', `invalid YAML: ${(err as Error).message}`);
  }
  const root = asObject(doc, file, undefined, '(document)');
  const defaultsRaw = asObject(root['defaults'] ?? {}, file, undefined, 'defaults');
  const defaults = {
    partitions: positiveInt(defaultsRaw['partitions'] ?? 6, file, undefined, 'defaults.partitions'),
    replicationFactor: positiveInt(defaultsRaw['replicationFactor'] ?? 3, file, undefined, 'defaults.replicationFactor'),
  };
  const services = stringList(root['services'], file, undefined, 'services');
  const topicsRaw = root['topics'];
  if (!Array.isArray(topicsRaw) || topicsRaw.length === 0) {
    throw new CatalogError(file, undefined, 'topics', 'expected a non-empty list of topics');
  }

  const topicOfEvent = new Map<string, string>();
  const names = new Set<string>();
  const topics = topicsRaw.map((raw, index): TopicDefinition => {
    const t = asObject(raw, file, `#${index + 1}`, '(topic)');
    const name = t['name'];
    if (typeof name !== 'string' || !TOPIC_NAME.test(name)) {
      throw new CatalogError(file, `#${index + 1}`, 'name', `expected a topic name like odx.<area>.v<n>, got ${JSON.stringify(name)}`);
    }
    const err = (field: string, detail: string): CatalogError => new CatalogError(file, name, field, detail);
    if (names.has(name)) throw err('name', 'topic listed twice');
    names.add(name);
    for (const k of Object.keys(t)) if (!TOPIC_FIELDS.has(k)) throw err(k, `unknown field; known: ${[...TOPIC_FIELDS].join(', ')}`);

    const description = nonEmptyString(t['description'], file, name, 'description');
    const key = nonEmptyString(t['key'], file, name, 'key');
    const partitions = positiveInt(t['partitions'] ?? defaults.partitions, file, name, 'partitions');
    const replicationFactor = positiveInt(t['replicationFactor'] ?? defaults.replicationFactor, file, name, 'replicationFactor');

    const cleanupPolicy = t['cleanupPolicy'] ?? 'delete';
    if (typeof cleanupPolicy !== 'string' || !(CLEANUP_POLICIES as readonly string[]).includes(cleanupPolicy)) {
      throw err('cleanupPolicy', `expected one of ${CLEANUP_POLICIES.join(' | ')}, got ${JSON.stringify(cleanupPolicy)}`);
    }
    const policy = cleanupPolicy as CleanupPolicy;
    let retentionMs: number | undefined;
    if (t['retention'] !== undefined) {
      if (policy === 'compact')
        throw err('retention', 'a compact topic keeps the latest value per key forever; use cleanupPolicy "compact,delete" to also expire');
      const m = typeof t['retention'] === 'string' ? DURATION.exec(t['retention']) : null;
      if (!m?.[1] || !m[2]) throw err('retention', `expected a duration like 7d, 12h, 30m, got ${JSON.stringify(t['retention'])}`);
      retentionMs = Number(m[1]) * (UNIT_MS[m[2]] ?? 1);
      if (retentionMs <= 0) throw err('retention', 'must be positive');
    } else if (policy !== 'compact') {
      throw err('retention', `required for cleanupPolicy "${policy}" (e.g. 7d)`);
    }

    const checkService = (field: string, service: string): void => {
      if (!services.includes(service)) throw err(field, `unknown service "${service}"; declared services: ${services.join(', ')}`);
    };
    const owner = nonEmptyString(t['owner'], file, name, 'owner');
    checkService('owner', owner);
    const producers = stringList(t['producers'] ?? [owner], file, name, 'producers');
    producers.forEach((p) => checkService('producers', p));
    if (!producers.includes(owner)) throw err('producers', `must include the owner "${owner}"`);
    const consumers = stringList(t['consumers'] ?? [], file, name, 'consumers', true);
    consumers.forEach((c) => checkService('consumers', c));
    const plannedConsumers = stringList(t['plannedConsumers'] ?? [], file, name, 'plannedConsumers', true);
    plannedConsumers.forEach((c) => checkService('plannedConsumers', c));
    const subscribed = plannedConsumers.find((c) => consumers.includes(c));
    if (subscribed) throw err('plannedConsumers', `"${subscribed}" is already in consumers; list a service in one of them`);

    const events = asObject(t['events'], file, name, 'events');
    const eventTypes = Object.keys(events);
    if (eventTypes.length === 0) throw err('events', 'a topic needs at least one event type');
    const keyPaths: Record<string, string> = {};
    for (const eventType of eventTypes) {
      if (!schemas.hasEventType(eventType)) {
        throw err(`events.${eventType}`, `no schema schemas/avro/events/${eventType}.avsc`);
      }
      const other = topicOfEvent.get(eventType);
      if (other) throw err(`events.${eventType}`, `event type already belongs to topic "${other}"; each event type has exactly one topic`);
      topicOfEvent.set(eventType, name);
      const keyPath = events[eventType];
      if (typeof keyPath !== 'string' || keyPath === '') {
        throw err(
          `events.${eventType}`,
          `expected the dotted path of the key in the payload (e.g. order.${key}), got ${JSON.stringify(keyPath)}`,
        );
      }
      const problem = checkKeyPath(schemas.eventSchema(eventType), keyPath);
      if (problem) throw err(`events.${eventType}`, `key path "${keyPath}": ${problem}`);
      keyPaths[eventType] = keyPath;
    }

    const extra = t['config'] === undefined ? {} : asObject(t['config'], file, name, 'config');
    const config: Record<string, string> = {};
    for (const [k, v] of Object.entries(extra)) {
      if (k === 'cleanup.policy' || k === 'retention.ms') throw err(`config.${k}`, 'set it through cleanupPolicy / retention instead');
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw err(`config.${k}`, 'expected a scalar value');
      config[k] = String(v);
    }
    config['cleanup.policy'] = policy;
    if (retentionMs !== undefined) config['retention.ms'] = String(retentionMs);

    const deprecated = t['deprecated'] === undefined ? undefined : parseDeprecation(t['deprecated'], file, name);
    let sunset: string | undefined;
    if (t['sunset'] !== undefined) {
      sunset = day(t['sunset'], file, name, 'sunset');
      if (!deprecated)
        throw err('sunset', 'a sunset date needs "deprecated" (since, replacedBy): consumers are told of the successor first');
      const notice = (Date.parse(sunset) - Date.parse(deprecated.since)) / 86_400_000;
      if (notice < MIN_SUNSET_NOTICE_DAYS) {
        throw err(
          'sunset',
          `${sunset} is ${notice} days after deprecated.since ${deprecated.since}; the policy gives consumers at least ${MIN_SUNSET_NOTICE_DAYS} days (docs/deprecation-policy.md)`,
        );
      }
    }

    return Object.freeze({
      name,
      key,
      partitions,
      replicationFactor,
      cleanupPolicy: policy,
      ...(retentionMs === undefined ? {} : { retentionMs }),
      owner,
      producers: Object.freeze(producers),
      eventTypes: Object.freeze(eventTypes),
      keyPaths: Object.freeze(keyPaths),
      consumers: Object.freeze(consumers),
      ...(plannedConsumers.length > 0 ? { plannedConsumers: Object.freeze(plannedConsumers) } : {}),
      description,
      config: Object.freeze(config),
      ...(deprecated ? { deprecated } : {}),
      ...(sunset ? { sunset } : {}),
    });
  });

  for (const t of topics) {
    const successor = t.deprecated?.replacedBy;
    if (successor === undefined) continue;
    const target = topics.find((o) => o.name === successor);
    if (!target)
      throw new CatalogError(file, t.name, 'deprecated.replacedBy', `no topic "${successor}" in the catalog; add the successor first`);
    if (target.name === t.name) throw new CatalogError(file, t.name, 'deprecated.replacedBy', 'a topic cannot replace itself');
    if (target.deprecated) {
      throw new CatalogError(
        file,
        t.name,
        'deprecated.replacedBy',
        `"${successor}" is itself deprecated; point at the topic that replaces it`,
      );
    }
  }

  const orphans = schemas.eventTypes.filter((e) => !topicOfEvent.has(e));
  if (orphans.length > 0) {
    throw new CatalogError(
      file,
      undefined,
      'topics',
      `event types without a topic: ${orphans.join(', ')} (add each to exactly one topic's events)`,
    );
  }
  return Object.freeze({ defaults: Object.freeze(defaults), services: Object.freeze(services), topics: Object.freeze(topics) });
}

/** Returns why `path` does not lead to a non-null string field of `schema`, or undefined when it does. */
function checkKeyPath(schema: AvroRecordSchema, path: string): string | undefined {
  let current: AvroSchema = schema;
  const named = new Map<string, AvroRecordSchema>();
  collectRecords(schema, named);
  const segments = path.split('.');
  for (const [i, segment] of segments.entries()) {
    if (typeof current === 'string' && named.has(current)) current = named.get(current) as AvroRecordSchema;
    if (typeof current !== 'object' || Array.isArray(current) || current.type !== 'record') {
      return `"${segments.slice(0, i).join('.')}" is not a record`;
    }
    const field: AvroField | undefined = current.fields.find((f) => f.name === segment);
    if (!field) return `no field "${segment}" in ${current.name}`;
    current = field.type;
  }
  const leaf = typeof current === 'object' && !Array.isArray(current) && current.type === 'string' ? 'string' : current;
  return leaf === 'string' ? undefined : `must end at a non-null string field, found ${JSON.stringify(current)}`;
}

function collectRecords(schema: AvroSchema, out: Map<string, AvroRecordSchema>): void {
  if (typeof schema === 'string') return;
  if (Array.isArray(schema)) {
    schema.forEach((s) => collectRecords(s, out));
    return;
  }
  if (schema.type === 'record') {
    out.set(schema.namespace ? `${schema.namespace}.${schema.name}` : schema.name, schema);
    schema.fields.forEach((f) => collectRecords(f.type, out));
  } else if (schema.type === 'array') collectRecords(schema.items, out);
  else if (schema.type === 'map') collectRecords(schema.values, out);
}

function parseDeprecation(value: unknown, file: string, topic: string): TopicDeprecation {
  const d = asObject(value, file, topic, 'deprecated');
  for (const k of Object.keys(d)) {
    if (!DEPRECATION_FIELDS.has(k))
      throw new CatalogError(file, topic, `deprecated.${k}`, `unknown field; known: ${[...DEPRECATION_FIELDS].join(', ')}`);
  }
  const since = day(d['since'], file, topic, 'deprecated.since');
  const replacedBy = d['replacedBy'];
  if (typeof replacedBy !== 'string' || !TOPIC_NAME.test(replacedBy)) {
    throw new CatalogError(
      file,
      topic,
      'deprecated.replacedBy',
      `expected the successor's topic name (odx.<area>.v<n>), got ${JSON.stringify(replacedBy)}`,
    );
  }
  const note = d['note'] === undefined ? undefined : nonEmptyString(d['note'], file, topic, 'deprecated.note');
  return Object.freeze({ since, replacedBy, ...(note === undefined ? {} : { note }) });
}

/** A calendar day `YYYY-MM-DD` that exists (2026-02-30 does not). */
function day(value: unknown, file: string, topic: string, field: string): string {
  const m = typeof value === 'string' ? DAY.exec(value) : null;
  const parsed = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!m || !parsed || parsed.toISOString().slice(0, 10) !== value) {
    throw new CatalogError(file, topic, field, `expected a day as YYYY-MM-DD (quoted in YAML is safest), got ${JSON.stringify(value)}`);
  }
  return value as string;
}

function asObject(value: unknown, file: string, topic: string | undefined, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CatalogError(file, topic, field, `expected a mapping, got ${JSON.stringify(value)}`);
  }
  return value as Record<string, unknown>;
}

function nonEmptyString(value: unknown, file: string, topic: string | undefined, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new CatalogError(file, topic, field, `expected a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

function positiveInt(value: unknown, file: string, topic: string | undefined, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new CatalogError(file, topic, field, `expected a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function stringList(value: unknown, file: string, topic: string | undefined, field: string, allowEmpty = false): string[] {
  if (!Array.isArray(value) || (!allowEmpty && value.length === 0) || value.some((v) => typeof v !== 'string' || v === '')) {
    throw new CatalogError(file, topic, field, `expected a ${allowEmpty ? '' : 'non-empty '}list of names, got ${JSON.stringify(value)}`);
  }
  const list = value as string[];
  const dup = list.find((v, i) => list.indexOf(v) !== i);
  if (dup) throw new CatalogError(file, topic, field, `"${dup}" listed twice`);
  return list;
}
