/**
 * Nearest-rank percentile: the smallest value such that at least p% of the
 * values are <= it, i.e. the value at 1-based rank ceil(p/100 * n) of the
 * sorted values. Always one of the inputs (no interpolation), so results are
 * exact and reproducible. null for no values.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.max(0, rank - 1)]!;
}

/** p50/p95 (nearest rank), count, min and max of a sample of durations. */
export interface DurationSummary {
  count: number;
  p50Ms: number | null;
  p95Ms: number | null;
  minMs: number | null;
  maxMs: number | null;
}

export function summarize(values: readonly number[]): DurationSummary {
  let min: number | null = null;
  let max: number | null = null;
  for (const v of values) {
    if (min === null || v < min) min = v;
    if (max === null || v > max) max = v;
  }
  return { count: values.length, p50Ms: percentile(values, 50), p95Ms: percentile(values, 95), minMs: min, maxMs: max };
}

/** numerator / denominator with both kept, so a rate is never shown without its base; null rate for 0/0. */
export interface Rate {
  numerator: number;
  denominator: number;
  rate: number | null;
}

export function rate(numerator: number, denominator: number): Rate {
  if (numerator < 0 || denominator < 0 || numerator > denominator) throw new RangeError(`invalid rate ${numerator}/${denominator}`);
  return { numerator, denominator, rate: denominator === 0 ? null : numerator / denominator };
}
