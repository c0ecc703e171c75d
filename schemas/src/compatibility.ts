import type { AvroSchema } from './avro-schema.js';
import { parseAvroSchema } from './logical-types.js';
import type { SchemaRepository } from './schema-repository.js';

export type CompatibilityResult = { compatible: true } | { compatible: false; reason: string };

/**
 * BACKWARD compatibility: can a reader using `newSchema` read data written
 * with `oldSchema`? Uses avsc's schema resolution (`new.createResolver(old)`),
 * including the ODX decimal and timestamp logical types.
 */
export function checkBackwardCompatibility(newSchema: AvroSchema, oldSchema: AvroSchema): CompatibilityResult {
  const reader = parseAvroSchema(newSchema as object);
  const writer = parseAvroSchema(oldSchema as object);
  try {
    reader.createResolver(writer);
    return { compatible: true };
  } catch (err) {
    return { compatible: false, reason: (err as Error).message };
  }
}

/** A change from the base revision that breaks consumers. */
export interface SchemaChangeProblem {
  eventType: string;
  problem: string;
}

/** Event type -> topic name, for detecting event types that moved topic (and so changed subject). */
export type EventTopicMap = ReadonlyMap<string, string>;

/**
 * Compares every event schema of `current` with `base`. New event types pass;
 * removed ones, ones that moved to another topic, and ones a new reader
 * cannot read old data with fail.
 */
export function findBackwardIncompatibilities(
  base: SchemaRepository,
  current: SchemaRepository,
  topics: { base?: EventTopicMap; current?: EventTopicMap } = {},
): SchemaChangeProblem[] {
  const problems: SchemaChangeProblem[] = [];
  for (const eventType of base.eventTypes) {
    if (!current.hasEventType(eventType)) {
      problems.push({
        eventType,
        problem: 'removed: consumers and replays still read this type; keep it (deprecate in its doc) or move to a .v2 topic',
      });
      continue;
    }
    const result = checkBackwardCompatibility(current.eventSchema(eventType), base.eventSchema(eventType));
    if (!result.compatible) {
      problems.push({ eventType, problem: `not BACKWARD compatible with the base version: ${result.reason}` });
    }
    const before = topics.base?.get(eventType);
    const after = topics.current?.get(eventType);
    if (before && after && before !== after) {
      problems.push({ eventType, problem: `moved from topic ${before} to ${after}; that changes its subject and key order` });
    }
  }
  return problems;
}
