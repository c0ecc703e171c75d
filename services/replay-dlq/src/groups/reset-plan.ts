import { z } from 'zod';

const offset = z
  .union([z.string().regex(/^\d{1,19}$/, 'an offset is a non-negative integer'), z.number().int().nonnegative()])
  .transform((v) => BigInt(v));
const shift = z.union([z.string().regex(/^-?\d{1,19}$/, 'a whole number, may be negative'), z.number().int()]).transform((v) => BigInt(v));

/** How to move a group's offsets: exactly one strategy, as kafka-consumer-groups offers them. */
export const resetStrategySchema = z.union([
  z.strictObject({ toEarliest: z.literal(true) }),
  z.strictObject({ toLatest: z.literal(true) }),
  z.strictObject({ toOffset: offset }),
  z.strictObject({
    toDatetime: z
      .union([z.iso.datetime({ offset: true }), z.number().int().nonnegative()])
      .transform((v) => (typeof v === 'number' ? v : Date.parse(v))),
  }),
  z.strictObject({ shiftBy: shift }),
]);
export type ResetStrategy = z.output<typeof resetStrategySchema>;

export interface PartitionState {
  partition: number;
  /** Committed offset, or null when the group has none for this partition. */
  committed: bigint | null;
  low: bigint;
  high: bigint;
}

export interface PlannedReset {
  partition: number;
  current: string | null;
  target: string;
  /** True when the asked-for offset was outside [low, high] and was moved to the nearest end. */
  clamped: boolean;
}

/**
 * The new offset of each partition. Out-of-range results are clamped to the
 * log's start or end (as kafka-consumer-groups does); shifting a partition
 * without a committed offset starts from the log start.
 */
export function planReset(parts: PartitionState[], s: ResetStrategy, atTime?: Map<number, bigint>): PlannedReset[] {
  return parts.map((p) => {
    let want: bigint;
    if ('toEarliest' in s) want = p.low;
    else if ('toLatest' in s) want = p.high;
    else if ('toOffset' in s) want = s.toOffset;
    else if ('toDatetime' in s) {
      const at = atTime?.get(p.partition);
      if (at === undefined) throw new Error(`no offset by time for partition ${p.partition}`);
      want = at;
    } else want = (p.committed ?? p.low) + s.shiftBy;
    const target = want < p.low ? p.low : want > p.high ? p.high : want;
    return {
      partition: p.partition,
      current: p.committed === null ? null : p.committed.toString(),
      target: target.toString(),
      clamped: target !== want,
    };
  });
}
