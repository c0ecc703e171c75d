// odx_consumer_lag for the partitions this member holds: each partition's high
// watermark minus the group's committed offset, sampled on a timer. Set only
// when a batch arrived, the gauge went stale exactly when it mattered: a held
// or slow partition gets no new batches, and a partition that moved to another
// member kept its last value here (the chaos run, 2026-12-07: 0 on tms-bridge
// while its group was thousands of messages behind).
import type { Gauge } from 'prom-client';
import type { Logger } from '../../logging/logger.js';
import type { ClusterAdmin } from '../cluster-admin.js';

export interface LagSamplerOptions {
  groupId: string;
  gauge: Gauge<'topic' | 'partition' | 'group'>;
  /** A fresh admin on the group's cluster; the sampler keeps one and closes it on stop. */
  admin: () => ClusterAdmin;
  logger: Logger;
  /** How often the lag is sampled. */
  everyMs: number;
}

/** Lag of one partition: what is on it past the committed offset (no commit yet: everything still on it). */
export function partitionLag(watermarks: { low: bigint; high: bigint }, committed: bigint | null): number {
  const from = committed === null || committed < watermarks.low ? watermarks.low : committed;
  const lag = watermarks.high - from;
  return lag > 0n ? Number(lag) : 0;
}

export class LagSampler {
  /** The partitions this member was assigned at its last join, per topic. */
  private assigned = new Map<string, readonly number[]>();
  /** Label sets this sampler has set, so a partition that moved away is removed, not left stale. */
  private reported = new Map<string, { topic: string; partition: string }>();
  private admin: ClusterAdmin | undefined;
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> | undefined;

  constructor(private readonly options: LagSamplerOptions) {}

  /** The member's assignment after a (re)join: the next sample covers these partitions only. */
  assign(assignment: Readonly<Record<string, readonly number[]>>): void {
    this.assigned = new Map(Object.entries(assignment).filter(([, partitions]) => partitions.length > 0));
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sample(), this.options.everyMs);
    this.timer.unref();
  }

  /** Samples now (one sample at a time; a failed one is logged at debug level and the gauge keeps its values). */
  sample(): Promise<void> {
    const running =
      this.sampling ??
      this.sampleOnce()
        .catch((err: unknown) => void this.options.logger.debug('consumer lag sample failed', { group: this.options.groupId, err }))
        .finally(() => {
          this.sampling = undefined;
        });
    this.sampling = running;
    return running;
  }

  private async sampleOnce(): Promise<void> {
    const { groupId, gauge } = this.options;
    const assigned = this.assigned;
    const seen = new Set<string>();
    if (assigned.size > 0) {
      this.admin ??= this.options.admin();
      const admin = this.admin;
      const committed = await admin.committedOffsets(groupId, [...assigned.keys()]);
      const offsetOf = (topic: string, partition: number): bigint | null =>
        committed.find((t) => t.topic === topic)?.partitions.find((p) => p.partition === partition)?.offset ?? null;
      for (const [topic, partitions] of assigned) {
        const marks = await admin.watermarks(topic);
        for (const partition of partitions) {
          const w = marks.get(partition);
          if (!w) continue;
          const labels = { topic, partition: String(partition), group: groupId };
          gauge.set(labels, partitionLag(w, offsetOf(topic, partition)));
          const key = `${topic}\0${partition}`;
          seen.add(key);
          this.reported.set(key, { topic, partition: String(partition) });
        }
      }
    }
    for (const [key, labels] of this.reported) {
      if (seen.has(key)) continue;
      gauge.remove({ ...labels, group: groupId });
      this.reported.delete(key);
    }
  }

  /** Stops sampling, removes this member's samples (its partitions are someone else's now) and closes the admin. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sampling;
    for (const labels of this.reported.values()) this.options.gauge.remove({ ...labels, group: this.options.groupId });
    this.reported.clear();
    await this.admin?.close().catch(() => undefined);
    this.admin = undefined;
  }
}
