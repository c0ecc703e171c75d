import { z } from 'zod';

/**
 * Caps on one export request, each a setting: how many days it covers, how many rows one response holds (more
 * are paged with `offset`), and how long a parameter may be. A request over one is a 400 naming the parameter,
 * the cap and its setting.
 */
export interface ExportLimits {
  /** Consecutive UTC days one export covers at most (`days`). @default 7 */
  maxDays: number;
  /** Rows one response holds at most (`limit`; the rest: `offset`). @default 100000 */
  maxRows: number;
  /** Characters one query parameter may have. @default 64 */
  maxParamLength: number;
}

export const DEFAULT_EXPORT_LIMITS: Readonly<ExportLimits> = { maxDays: 7, maxRows: 100_000, maxParamLength: 64 };

/** The environment variable of each cap. */
export const EXPORT_LIMIT_SETTINGS: Readonly<Record<keyof ExportLimits, string>> = {
  maxDays: 'ODX_SINK_EXPORT_MAX_DAYS',
  maxRows: 'ODX_SINK_EXPORT_MAX_ROWS',
  maxParamLength: 'ODX_SINK_EXPORT_MAX_PARAM_LENGTH',
};

/** The largest `offset` accepted (far beyond any index; keeps the number exact). */
export const MAX_EXPORT_OFFSET = 1_000_000_000;

/** GET /v1/export's parameters, validated and defaulted. */
export interface ExportQuery {
  /** The first UTC day, YYYY-MM-DD. */
  day: string;
  /** Days from `day` on. @default 1 */
  days: number;
  /** @default 'ndjson' */
  format: 'ndjson' | 'csv';
  /** Rows in this response at most. @default the maxRows cap */
  limit: number;
  /** Rows of the window skipped (the next page's is in the `link` header). @default 0 */
  offset: number;
}

function capNote(cap: keyof ExportLimits): string {
  return `the cap (setting ${EXPORT_LIMIT_SETTINGS[cap]})`;
}

/** A whole number in [min, max] written as digits; `overMax` says why max is the max. */
function count(text: z.ZodString, min: number, max: number, overMax: string) {
  return text
    .regex(/^\d+$/, 'must be a whole number, e.g. 1')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}: ${overMax}`));
}

/**
 * The schema of the query `limits` allow: unknown and repeated parameters are refused, each value is checked
 * for length before anything else, `days` and `limit` against their caps.
 */
export function exportQuerySchema(limits: ExportLimits) {
  const text = (): z.ZodString =>
    z
      .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be given once, as text') })
      .max(limits.maxParamLength, `must be at most ${limits.maxParamLength} characters: ${capNote('maxParamLength')}`);
  return z.strictObject({
    day: text().pipe(z.iso.date({ message: 'must be a day as YYYY-MM-DD' })),
    days: count(text(), 1, limits.maxDays, `days one export covers, ${capNote('maxDays')}`).default(1),
    format: text()
      .pipe(z.enum(['ndjson', 'csv'], { message: 'must be ndjson or csv' }))
      .default('ndjson'),
    limit: count(text(), 1, limits.maxRows, `rows one response holds, ${capNote('maxRows')}; page with offset`).default(limits.maxRows),
    offset: count(text(), 0, MAX_EXPORT_OFFSET, 'the largest offset').default(0),
  });
}

/** Validates GET /v1/export's query against `limits`; throws the ZodError the runtime answers as a 400 naming each field. */
export function parseExportQuery(query: unknown, limits: ExportLimits): ExportQuery {
  return exportQuerySchema(limits).parse(query);
}

const DAY_MS = 86_400_000;

/** The business-time window [from, to) of an export: `days` UTC days from `day`. */
export function exportWindow(q: Pick<ExportQuery, 'day' | 'days'>): { from: Date; to: Date } {
  const from = new Date(`${q.day}T00:00:00.000Z`);
  return { from, to: new Date(from.getTime() + q.days * DAY_MS) };
}

/** The download's file name: `odx-events-2026-01-05.csv`, or `odx-events-2026-01-05_2026-01-11.csv` for several days. */
export function exportFileName(q: Pick<ExportQuery, 'day' | 'days' | 'format'>): string {
  const last = new Date(exportWindow(q).to.getTime() - DAY_MS).toISOString().slice(0, 10);
  return `odx-events-${q.day}${q.days > 1 ? `_${last}` : ''}.${q.format}`;
}
