// When a failed delivery is tried again, and when the subscription has failed for good.

/** Default pauses after the 1st, 2nd, ... failed attempt: about 15.5 hours in all, then the subscription is disabled. */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = Object.freeze([
  5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000, 28_800_000,
]);

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Parses `5s,30s,2m,1h` (units ms, s, m, h; a bare number is ms) into pauses; throws naming the bad part. */
export function parseRetrySchedule(text: string): number[] {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0 || parts.length > 50) throw new Error('must list 1 to 50 pauses, e.g. 5s,30s,2m,10m,1h');
  return parts.map((p) => {
    const m = /^(\d{1,9})(ms|s|m|h)?$/.exec(p);
    if (!m) throw new Error(`"${p.slice(0, 20)}" is not a pause (a whole number with ms, s, m or h)`);
    return Number(m[1]) * UNIT_MS[m[2] ?? 'ms']!;
  });
}

/**
 * What to do after the `failedAttempts`-th failure in a row: try again after a
 * pause (the schedule's step, with up to ±`jitter` of it so that receivers that
 * come back are not hit by every waiting key at once), or give up.
 */
export function nextAttempt(
  schedule: readonly number[],
  failedAttempts: number,
  random: () => number = Math.random,
  jitter = 0.1,
): { type: 'retry'; delayMs: number } | { type: 'give-up' } {
  const step = schedule[failedAttempts - 1];
  if (step === undefined || failedAttempts < 1) return { type: 'give-up' };
  const spread = step * jitter * (2 * random() - 1);
  return { type: 'retry', delayMs: Math.max(0, Math.round(step + spread)) };
}

/** How the receiver's answer is taken. */
export type AttemptVerdict = 'delivered' | 'retry' | 'gone';

/**
 * 2xx is delivered; 410 Gone means the endpoint is retired (disable the
 * subscription, as Standard Webhooks senders do); everything else, including
 * timeouts and other 4xx (a receiver's bad deploy often answers 400/404), is retried.
 */
export function verdictOf(status: number | undefined): AttemptVerdict {
  if (status === undefined) return 'retry';
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 410) return 'gone';
  return 'retry';
}
