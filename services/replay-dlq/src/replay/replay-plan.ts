import { z } from 'zod';
import { InvalidRequest } from '../errors.js';

const offset = z
  .union([z.string().regex(/^\d{1,19}$/, 'an offset is a non-negative integer'), z.number().int().nonnegative()])
  .transform((v) => BigInt(v));
const time = z
  .union([z.iso.datetime({ offset: true }), z.number().int().nonnegative()])
  .transform((v) => (typeof v === 'number' ? v : Date.parse(v)));
const topic = z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'a legal Kafka topic name');

/** POST /replays body. */
export const replayRequestSchema = z
  .strictObject({
    sourceTopic: topic,
    targetTopic: topic,
    /** Explicit offset ranges `[from, to)`; `to` defaults to the end at planning time. */
    ranges: z
      .array(z.strictObject({ partition: z.number().int().nonnegative(), from: offset, to: offset.optional() }))
      .min(1)
      .max(10_000)
      .optional(),
    /** Only these partitions (with a time window or the whole topic). */
    partitions: z.array(z.number().int().nonnegative()).min(1).max(10_000).optional(),
    /** Time window `[fromTime, toTime)` on the message timestamp, ISO-8601 or epoch ms. */
    fromTime: time.optional(),
    toTime: time.optional(),
    keys: z.array(z.string().max(1_000)).min(1).max(10_000).optional(),
    /** ce_type values, full (com.odx.events.OrderConfirmed) or simple (OrderConfirmed) names. */
    eventTypes: z.array(z.string().min(1).max(300)).min(1).max(100).optional(),
    /** Messages per second; absent = as fast as Kafka takes them. */
    ratePerSec: z.number().int().positive().max(1_000_000).optional(),
    execute: z.boolean().default(false),
  })
  .superRefine((r, ctx) => {
    if (r.ranges && (r.fromTime !== undefined || r.toTime !== undefined || r.partitions))
      ctx.addIssue({ code: 'custom', path: ['ranges'], message: 'use either ranges or partitions/fromTime/toTime' });
    if (r.fromTime !== undefined && r.toTime !== undefined && r.toTime <= r.fromTime)
      ctx.addIssue({ code: 'custom', path: ['toTime'], message: 'must be after fromTime' });
    if (r.sourceTopic === r.targetTopic)
      ctx.addIssue({
        code: 'custom',
        path: ['targetTopic'],
        message: 'must differ from sourceTopic (a replay into its own source never ends)',
      });
    for (const [i, x] of (r.ranges ?? []).entries())
      if (x.to !== undefined && x.to < x.from)
        ctx.addIssue({ code: 'custom', path: ['ranges', i, 'to'], message: 'must not be before from' });
  });
export type ReplayRequest = z.output<typeof replayRequestSchema>;

export interface PlannedRange {
  partition: number;
  from: bigint;
  to: bigint;
}

/** A replay request that does not fit the topic (a partition it lacks, one named twice). */
export class PlanError extends InvalidRequest {
  override readonly name = 'PlanError';
}

/**
 * Works out the `[from, to)` offsets of each partition to replay, clamped to
 * what the topic still holds. `offsetAt(ms)` answers the first offset per
 * partition whose timestamp is at or after `ms` (the end when there is none).
 */
export async function planRanges(
  req: ReplayRequest,
  wm: Map<number, { low: bigint; high: bigint }>,
  offsetAt: (ms: number) => Promise<Map<number, bigint>>,
): Promise<PlannedRange[]> {
  const clamp = (v: bigint, lo: bigint, hi: bigint): bigint => (v < lo ? lo : v > hi ? hi : v);
  if (req.ranges) {
    const seen = new Set<number>();
    return req.ranges
      .map((r) => {
        const w = wm.get(r.partition);
        if (!w) throw new PlanError(`${req.sourceTopic} has no partition ${r.partition}`);
        if (seen.has(r.partition)) throw new PlanError(`partition ${r.partition} is named twice`);
        seen.add(r.partition);
        return { partition: r.partition, from: clamp(r.from, w.low, w.high), to: clamp(r.to ?? w.high, w.low, w.high) };
      })
      .map((r) => (r.to < r.from ? { ...r, to: r.from } : r));
  }
  for (const p of req.partitions ?? []) if (!wm.has(p)) throw new PlanError(`${req.sourceTopic} has no partition ${p}`);
  const parts = [...wm.keys()].filter((p) => !req.partitions || req.partitions.includes(p)).sort((a, b) => a - b);
  const fromAt = req.fromTime !== undefined ? await offsetAt(req.fromTime) : undefined;
  const toAt = req.toTime !== undefined ? await offsetAt(req.toTime) : undefined;
  return parts.map((partition) => {
    const w = wm.get(partition)!;
    const from = clamp(fromAt?.get(partition) ?? w.low, w.low, w.high);
    const to = clamp(toAt?.get(partition) ?? w.high, from, w.high);
    return { partition, from, to };
  });
}
