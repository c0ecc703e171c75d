import { z } from 'zod';
import type { FailureInfo } from './dlq-message.js';

const isoOrEpoch = z
  .union([z.iso.datetime({ offset: true }), z.coerce.number().int().nonnegative()])
  .transform((v) => (typeof v === 'number' ? v : Date.parse(v)));

/** Filters for browsing and redriving DLQ messages; every field is optional and they combine with AND. */
export const dlqFilterSchema = z.strictObject({
  key: z.string().max(1_000).optional(),
  errorClass: z.string().max(200).optional(),
  originalTopic: z.string().max(249).optional(),
  eventType: z.string().max(300).optional(),
  /** Message timestamp (time it was dead-lettered) at or after, ISO-8601 or epoch ms. */
  since: isoOrEpoch.optional(),
  /** Message timestamp strictly before. */
  until: isoOrEpoch.optional(),
});
export type DlqFilter = z.output<typeof dlqFilterSchema>;

export interface FilterSubject {
  key: string | null;
  timestamp: number;
  failure: FailureInfo;
  /** ce_type header (full record name) when present. */
  eventType: string | null;
}

/** True when an event type names the same record as `wanted` (full or simple name). */
export function sameEventType(actual: string | null, wanted: string): boolean {
  if (!actual) return false;
  return actual === wanted || actual.endsWith(`.${wanted}`);
}

export function matchesFilter(s: FilterSubject, f: DlqFilter): boolean {
  if (f.key !== undefined && s.key !== f.key) return false;
  if (f.errorClass !== undefined && s.failure.errorClass !== f.errorClass) return false;
  if (f.originalTopic !== undefined && s.failure.originalTopic !== f.originalTopic) return false;
  if (f.eventType !== undefined && !sameEventType(s.eventType, f.eventType)) return false;
  if (f.since !== undefined && s.timestamp < f.since) return false;
  if (f.until !== undefined && s.timestamp >= f.until) return false;
  return true;
}
