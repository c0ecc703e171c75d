import type { IndexedEvent } from '../ingest/event-record.js';

/** Columns of the BI export, in order. */
export const EXPORT_COLUMNS = [
  'id',
  'event_id',
  'entry',
  'type',
  'time',
  'topic',
  'partition',
  'offset',
  'original_topic',
  'key',
  'trace_id',
  'source',
  'service',
  'correlation_id',
  'order_ids',
  'shipment_ids',
  'links',
  'error_class',
  'error_message',
] as const;

export type ExportRow = Record<(typeof EXPORT_COLUMNS)[number], string | number | null>;

function ids(links: readonly string[], prefix: string): string {
  return links
    .filter((t) => t.startsWith(prefix))
    .map((t) => t.slice(prefix.length))
    .join(';');
}

/** One flat row per index entry. */
export function exportRow(e: IndexedEvent): ExportRow {
  return {
    id: e._id,
    event_id: e.eventId,
    entry: e.entry,
    type: e.type,
    time: e.time.toISOString(),
    topic: e.topic,
    partition: e.partition,
    offset: e.offset,
    original_topic: e.originalTopic,
    key: e.key,
    trace_id: e.traceId,
    source: e.source,
    service: e.ceSource,
    correlation_id: e.correlationId,
    order_ids: ids(e.links, 'order:'),
    shipment_ids: ids(e.links, 'shipment:'),
    links: e.links.join(';'),
    error_class: e.error?.errorClass ?? null,
    error_message: e.error?.message ?? null,
  };
}

/**
 * One RFC 4180 field: quoted when it holds a comma, quote, CR or LF (quotes
 * doubled). Text that a spreadsheet would run as a formula (starting with
 * = + - @, tab or CR) gets a leading apostrophe (OWASP CSV injection advice);
 * numbers are written as they are.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  let s = value;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvHeader(): string {
  return `${EXPORT_COLUMNS.join(',')}\r\n`;
}

export function csvLine(row: ExportRow): string {
  return `${EXPORT_COLUMNS.map((c) => csvField(row[c])).join(',')}\r\n`;
}

export function ndjsonLine(row: ExportRow): string {
  return `${JSON.stringify(row)}\n`;
}
