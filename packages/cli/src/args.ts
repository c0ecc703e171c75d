import { UsageError } from './exit-codes.js';

/** `0,1,2` -> [0, 1, 2] */
export function parsePartitions(s: string): number[] {
  if (!/^\d{1,6}(,\d{1,6})*$/.test(s.trim())) throw new UsageError(`--partitions takes comma-separated partition numbers, got "${s}"`);
  return [...new Set(s.trim().split(',').map(Number))];
}

/** `0:120,1:98` -> { "0": "120", "1": "98" } */
export function parseCursor(s: string, flag = '--cursor'): Record<string, string> {
  if (!/^\d{1,6}:\d{1,19}(,\d{1,6}:\d{1,19})*$/.test(s.trim()))
    throw new UsageError(`${flag} takes PARTITION:OFFSET[,PARTITION:OFFSET...], got "${s}"`);
  return Object.fromEntries(
    s
      .trim()
      .split(',')
      .map((p) => p.split(':') as [string, string]),
  );
}

export function formatCursor(c: Record<string, string> | null | undefined): string | null {
  return c
    ? Object.entries(c)
        .map(([p, o]) => `${p}:${o}`)
        .join(',')
    : null;
}

/** `--offset 0:17` given one or more times (commas allowed too) -> selection */
export function parseSelection(values: string[]): Array<{ partition: number; offset: string }> {
  const seen = new Set<string>();
  const out: Array<{ partition: number; offset: string }> = [];
  for (const v of values) {
    if (!/^\d{1,6}:\d{1,19}(,\d{1,6}:\d{1,19})*$/.test(v.trim()))
      throw new UsageError(`--offset takes PARTITION:OFFSET[,PARTITION:OFFSET...], got "${v}"`);
    for (const pair of v.trim().split(',')) {
      if (seen.has(pair)) continue;
      seen.add(pair);
      const [p, o] = pair.split(':') as [string, string];
      out.push({ partition: Number(p), offset: o });
    }
  }
  return out;
}

/** `0:100-200,1:50-` -> ranges (`to` exclusive, open end = up to the end of the log) */
export function parseRanges(s: string): Array<{ partition: number; from: string; to?: string }> {
  if (!/^\d{1,6}:\d{1,19}-(\d{1,19})?(,\d{1,6}:\d{1,19}-(\d{1,19})?)*$/.test(s.trim()))
    throw new UsageError(`--ranges takes PARTITION:FROM-[TO][,...] (TO exclusive), got "${s}"`);
  return s
    .trim()
    .split(',')
    .map((r) => {
      const [p, span] = r.split(':') as [string, string];
      const [from, to] = span.split('-') as [string, string];
      return { partition: Number(p), from, ...(to ? { to } : {}) };
    });
}

/** A datetime flag: ISO-8601 (with offset or Z) or epoch milliseconds; kept as given for the server. */
export function parseDatetime(s: string, flag: string): string | number {
  const t = s.trim();
  if (/^\d{1,15}$/.test(t)) return Number(t);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(t) && !Number.isNaN(Date.parse(t))) {
    // The API wants seconds; kafka-consumer-groups users often leave them out.
    return /T\d{2}:\d{2}(Z|[+-])/.test(t) ? t.replace(/(T\d{2}:\d{2})/, '$1:00') : t;
  }
  throw new UsageError(`${flag} takes an ISO-8601 time with a zone (2026-11-26T10:00:00Z) or epoch milliseconds, got "${s}"`);
}

export function parseNonNegativeInt(s: string, flag: string): number {
  if (!/^\d{1,15}$/.test(s.trim())) throw new UsageError(`${flag} takes a non-negative integer, got "${s}"`);
  return Number(s);
}

/** `--dry-run` is the default; `--execute` applies; both is a mistake. */
export function executeFlag(o: { execute?: boolean; dryRun?: boolean }): boolean {
  if (o.execute && o.dryRun) throw new UsageError('--dry-run and --execute exclude each other');
  return o.execute === true;
}
