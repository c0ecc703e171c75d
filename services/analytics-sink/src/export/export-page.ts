import type { ExportQuery } from './export-query.js';

/** One response's share of an export window's rows. */
export interface ExportPage<T> {
  rows: T[];
  /** Rows in the whole window. */
  total: number;
  /** The offset of the next page, or null when this one ends the window. */
  nextOffset: number | null;
}

/** The rows `q.offset` to `q.offset + q.limit` of the window's `entries`. */
export function exportPage<T>(entries: readonly T[], q: Pick<ExportQuery, 'limit' | 'offset'>): ExportPage<T> {
  const end = q.offset + q.limit;
  return { rows: entries.slice(q.offset, end), total: entries.length, nextOffset: end < entries.length ? end : null };
}

/** The `link` header value naming the next page (RFC 8288), with the same parameters and the next offset. */
export function nextPageLink(path: string, q: ExportQuery, nextOffset: number): string {
  const params = new URLSearchParams({
    day: q.day,
    days: String(q.days),
    format: q.format,
    limit: String(q.limit),
    offset: String(nextOffset),
  });
  return `<${path}?${params.toString()}>; rel="next"`;
}
