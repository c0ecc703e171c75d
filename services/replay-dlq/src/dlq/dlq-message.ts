import { ERROR_HEADERS } from '@odx/runtime';

/** The failure context a consumer runner wrote on a dead-lettered message. */
export interface FailureInfo {
  errorClass: string | null;
  kind: string | null;
  message: string | null;
  originalTopic: string | null;
  originalPartition: number | null;
  originalOffset: string | null;
  consumerGroup: string | null;
  attempt: number | null;
  firstFailureTime: string | null;
  lastFailureTime: string | null;
}

/** Reads the `odx.errors.*` headers (null for any that are missing or malformed). */
export function readFailure(headers: Record<string, string>): FailureInfo {
  const int = (v: string | undefined): number | null => (v !== undefined && /^\d{1,10}$/.test(v) ? Number(v) : null);
  return {
    errorClass: headers[ERROR_HEADERS.errorClass] ?? null,
    kind: headers[ERROR_HEADERS.kind] ?? null,
    message: headers[ERROR_HEADERS.message] ?? null,
    originalTopic: headers[ERROR_HEADERS.originalTopic] ?? null,
    originalPartition: int(headers[ERROR_HEADERS.originalPartition]),
    originalOffset:
      headers[ERROR_HEADERS.originalOffset] !== undefined && /^\d{1,19}$/.test(headers[ERROR_HEADERS.originalOffset]!)
        ? headers[ERROR_HEADERS.originalOffset]!
        : null,
    consumerGroup: headers[ERROR_HEADERS.consumerGroup] ?? null,
    attempt: int(headers[ERROR_HEADERS.attempt]),
    firstFailureTime: headers[ERROR_HEADERS.firstFailureTime] ?? null,
    lastFailureTime: headers[ERROR_HEADERS.lastFailureTime] ?? null,
  };
}

/** Headers added to every redriven message. */
export const REDRIVE_HEADERS = {
  source: 'odx.redrive.source',
  id: 'odx.redrive.id',
  by: 'odx.redrive.by',
} as const;

/**
 * Headers for a redriven copy: the failure and retry bookkeeping goes (the
 * consumer starts counting attempts afresh), the CloudEvents headers (`ce_id`
 * above all, so consumers' idempotency drops duplicates), traceparent and any
 * other header stay, and the redrive's provenance is added.
 */
export function redriveHeaders(
  headers: Record<string, string>,
  source: { topic: string; partition: number; offset: string },
  redriveId: string,
  actor: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  const failurePrefixes = ['odx.errors.', 'odx.retry.', 'odx.redrive.'];
  for (const [k, v] of Object.entries(headers)) {
    if (failurePrefixes.some((p) => k.startsWith(p))) continue;
    out[k] = v;
  }
  out[REDRIVE_HEADERS.source] = `${source.topic}/${source.partition}/${source.offset}`;
  out[REDRIVE_HEADERS.id] = redriveId;
  out[REDRIVE_HEADERS.by] = actor;
  return out;
}

/** The record id that marks one DLQ message as redriven. */
export function redriveRecordId(topic: string, partition: number, offset: string): string {
  return `${topic}/${partition}/${offset}`;
}
