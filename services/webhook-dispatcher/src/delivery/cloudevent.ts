// What a receiver gets: the event as CloudEvents 1.0 JSON (structured mode), with the
// Avro payload as plain JSON data.

/** The parts of a consumed canonical event the envelope needs. */
export interface EnvelopeSource {
  eventId: string;
  /** Simple type name, e.g. OrderConfirmed. */
  eventType: string;
  /** Full record name, e.g. com.odx.events.OrderConfirmed (the CloudEvents `type`). */
  fullName: string;
  topic: string;
  key: string | null;
  headers: Record<string, string>;
  payload: unknown;
}

/** JSON for Avro values: Dates as ISO-8601 (their toJSON), bytes as base64, bigints as text; decimals are already strings. */
function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (
    value &&
    typeof value === 'object' &&
    (value as { type?: unknown }).type === 'Buffer' &&
    Array.isArray((value as { data?: unknown }).data)
  )
    return Buffer.from((value as { data: number[] }).data).toString('base64');
  return value;
}

/** Whether the value holds something plain JSON.stringify gets wrong (bytes) or refuses (bigint). */
function needsReplacer(value: unknown, depth = 0): boolean {
  if (typeof value === 'bigint') return true;
  if (value === null || typeof value !== 'object' || value instanceof Date) return false;
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value) || depth > 64) return true;
  if (Array.isArray(value)) return value.some((v) => needsReplacer(v, depth + 1));
  for (const v of Object.values(value)) if (needsReplacer(v, depth + 1)) return true;
  return false;
}

/** The time the event says it happened (meta.occurredAt), else now. */
function occurredAt(payload: unknown): string {
  const meta = payload && typeof payload === 'object' ? (payload as { meta?: { occurredAt?: unknown } }).meta : undefined;
  const at = meta?.occurredAt;
  if (at instanceof Date && !Number.isNaN(at.getTime())) return at.toISOString();
  return new Date().toISOString();
}

/** The delivery body, CloudEvents JSON: `id` is the event id (also the webhook-id), `subject` the message key. */
export function cloudEventBody(e: EnvelopeSource): string {
  const envelope = {
    specversion: '1.0',
    id: e.eventId,
    source: e.headers['ce_source'] || `odx/${e.topic}`,
    type: e.headers['ce_type'] || e.fullName,
    ...(e.key !== null ? { subject: e.key } : {}),
    time: e.headers['ce_time'] || occurredAt(e.payload),
    datacontenttype: 'application/json',
    odxtopic: e.topic,
    odxeventtype: e.eventType,
    data: e.payload,
  };
  // A replacer function makes stringify several times slower; canonical payloads rarely need one.
  return needsReplacer(e.payload) ? JSON.stringify(envelope, jsonValue) : JSON.stringify(envelope);
}
