/** The longest duration a policy file may set: 90 days (longer is a typo, not an SLA). */
export const MAX_DURATION_MS = 90 * 24 * 60 * 60 * 1000;

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const WHOLE = /^(?:\d{1,9}(?:ms|s|m|h|d))+$/;
const PART = /(\d+)(ms|s|m|h|d)/g;

/**
 * Milliseconds of a duration written as in the policy files: one or more
 * `<integer><unit>` parts, units ms, s, m, h, d ("90s", "30m", "4h", "1h30m").
 * Returns a message instead of a number when the text is not one, is zero or
 * is longer than {@link MAX_DURATION_MS}.
 */
export function parseDuration(text: string): number | { problem: string } {
  const t = text.trim();
  if (!WHOLE.test(t))
    return {
      problem: `expected a duration like 30m (integer and unit: ms, s, m, h or d; e.g. 90s, 4h, 1h30m), got ${JSON.stringify(text)}`,
    };
  let ms = 0;
  for (const [, n, unit] of t.matchAll(PART)) ms += Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS];
  if (ms <= 0) return { problem: `must be longer than 0, got ${JSON.stringify(text)}` };
  if (ms > MAX_DURATION_MS) return { problem: `must be at most 90d, got ${JSON.stringify(text)}` };
  return ms;
}

/** A duration in the policy files' notation, largest units first ("1h30m", "90s" becomes "1m30s"). */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  let left = Math.round(ms);
  let out = '';
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
    ['ms', 1],
  ] as const) {
    const n = Math.floor(left / size);
    if (n > 0) out += `${n}${unit}`;
    left -= n * size;
  }
  return out;
}
