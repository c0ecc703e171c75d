import {
  type ClusterAdmin,
  errorMessage,
  type EventProducer,
  type EventSerde,
  type Logger,
  type RawMessage,
  type RawOutgoingMessage,
  readRanges,
} from '@odx/runtime';
import { sameEventType } from '../dlq/dlq-filter.js';
import { MAX_REQUEST_BYTES, messageBytes } from '../kafka/produce-chunks.js';
import { READER_GROUP_PREFIX } from '../kafka/reader-group.js';
import { RateLimiter } from './rate-limiter.js';
import type { JobProgress, ReplayJob, ReplayJobStore } from './replay-jobs.js';

/** Headers added to every replayed message (all original headers, ce_id included, stay). */
export const REPLAY_HEADERS = { job: 'odx.replay.job', source: 'odx.replay.source' } as const;

export interface ReplayWorkerOptions {
  cluster: ClusterAdmin;
  serde: EventSerde;
  producer: EventProducer;
  store: ReplayJobStore;
  logger: Logger;
  instanceId: string;
  pollMs: number;
  progressMs: number;
  leaseMs: number;
  produceBatch: number;
}

/** Does a message pass the job's key, event type and time filters? */
export async function passesJobFilter(
  job: Pick<ReplayJob, 'filter'>,
  m: Pick<RawMessage, 'timestamp' | 'key' | 'value' | 'headers'>,
  serde: EventSerde,
): Promise<boolean> {
  const f = job.filter;
  if (f.fromTime && m.timestamp < f.fromTime.getTime()) return false;
  if (f.toTime && m.timestamp >= f.toTime.getTime()) return false;
  if (f.keys && !f.keys.includes(m.key?.toString('utf8') ?? '')) return false;
  if (f.eventTypes) {
    let type = m.headers['ce_type'] ?? null;
    if (!type)
      type = await serde.decode(m.value).then(
        (d) => d.fullName,
        () => null,
      );
    if (!f.eventTypes.some((t) => sameEventType(type, t))) return false;
  }
  return true;
}

/**
 * Runs replay jobs: picks up running jobs without a live lease (new ones, and
 * ones whose worker stopped), copies their ranges to the target topic under the
 * rate limit, and saves per-partition positions about once a second. A position
 * only moves past messages Kafka acknowledged, so a resumed job repeats at most
 * what was sent after the last save; the copies keep key and ce_id, so
 * consumers' idempotency drops those repeats.
 */
export class ReplayWorker {
  private readonly running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private timer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private polling: Promise<void> | undefined;

  constructor(private readonly options: ReplayWorkerOptions) {}

  start(): void {
    const tick = (): void => {
      this.timer = undefined;
      this.polling = this.poll()
        .catch((err: unknown) => {
          this.options.logger.warn('replay job poll failed', { err });
        })
        .finally(() => {
          this.polling = undefined;
          if (!this.closing) this.timer = setTimeout(tick, this.options.pollMs);
        });
    };
    tick();
  }

  /** Looks for jobs now (e.g. right after one was created) instead of at the next poll. */
  nudge(): void {
    // Only between polls: a poll in progress finds the job anyway or the next one does.
    if (this.closing || !this.timer || this.polling) return;
    clearTimeout(this.timer);
    this.start();
  }

  /** Stops a job of this process at once (the store already says cancelled). */
  stopLocal(id: string): void {
    this.running.get(id)?.abort.abort();
  }

  private async poll(): Promise<void> {
    for (const job of await this.options.store.runnable(new Date())) {
      if (this.closing || this.running.has(job._id)) continue;
      if (!(await this.options.store.claim(job, this.options.instanceId, new Date(Date.now() + this.options.leaseMs)))) continue;
      const abort = new AbortController();
      const done = this.run(job, abort.signal).finally(() => this.running.delete(job._id));
      this.running.set(job._id, { abort, done });
    }
  }

  private async run(job: ReplayJob, signal: AbortSignal): Promise<void> {
    const log = this.options.logger.child({ job: job._id });
    log.info('replay job running', { source: job.sourceTopic, target: job.targetTopic, runs: job.runs + 1 });
    const parts = new Map(job.partitions.map((p) => [p.partition, { ...p }]));
    const counts = { scanned: job.scanned, published: job.published, skipped: job.skipped };
    const snapshot = (): JobProgress => ({ ...counts, partitions: [...parts.values()].map((p) => ({ ...p })) });
    const stop = new AbortController();
    const onOuter = (): void => stop.abort();
    signal.addEventListener('abort', onOuter, { once: true });
    let lost = false;
    const save = async (): Promise<void> => {
      const ok = await this.options.store.progress(
        job._id,
        this.options.instanceId,
        snapshot(),
        new Date(Date.now() + this.options.leaseMs),
      );
      if (!ok && !stop.signal.aborted) {
        lost = true;
        stop.abort();
      }
    };
    const progressTimer = setInterval(
      () => void save().catch((err: unknown) => log.warn('saving replay progress failed', { err })),
      this.options.progressMs,
    );
    const limiter = job.ratePerSec ? new RateLimiter(job.ratePerSec) : undefined;
    const f = job.filter;
    const filtered = f.fromTime !== null || f.toTime !== null || f.keys !== null || f.eventTypes !== null;
    const chunkSize = job.ratePerSec
      ? Math.max(1, Math.min(this.options.produceBatch, Math.floor(job.ratePerSec / 10)))
      : this.options.produceBatch;
    try {
      await readRanges(this.options.cluster, {
        signal: stop.signal,
        groupPrefix: READER_GROUP_PREFIX,
        ranges: [...parts.values()].map((p) => ({
          topic: job.sourceTopic,
          partition: p.partition,
          from: BigInt(p.position),
          to: BigInt(p.to),
        })),
        onBatch: async (b) => {
          const pos = parts.get(b.partition)!;
          let out: RawOutgoingMessage[] = [];
          let outBytes = 0;
          let lastOffset: string | undefined;
          let pendingScanned = 0;
          const flush = async (): Promise<void> => {
            if (out.length > 0) {
              if (limiter) await limiter.take(out.length, stop.signal);
              if (stop.signal.aborted) return;
              await this.options.producer.publishRaw(out);
              counts.published += out.length;
            }
            counts.scanned += pendingScanned;
            counts.skipped += pendingScanned - out.length;
            if (lastOffset !== undefined) pos.position = (BigInt(lastOffset) + 1n).toString();
            out = [];
            outBytes = 0;
            pendingScanned = 0;
          };
          for (const m of b.messages) {
            if (stop.signal.aborted) return false;
            // No await per message unless the job filters (a microtask each adds up at 10^5 messages/s).
            if (!filtered || (await passesJobFilter(job, m, this.options.serde))) {
              const copy: RawOutgoingMessage = {
                topic: job.targetTopic,
                key: m.key,
                value: m.value,
                headers: {
                  ...m.headers,
                  [REPLAY_HEADERS.job]: job._id,
                  [REPLAY_HEADERS.source]: `${job.sourceTopic}/${b.partition}/${m.offset}`,
                },
              };
              const size = messageBytes(copy);
              // Flushed before this message is counted, so the saved position never passes an unsent message.
              if (out.length > 0 && outBytes + size > MAX_REQUEST_BYTES) await flush();
              if (stop.signal.aborted) return false;
              out.push(copy);
              outBytes += size;
            }
            pendingScanned++;
            lastOffset = m.offset;
            if (out.length >= chunkSize) await flush();
          }
          await flush();
          if (stop.signal.aborted) return false;
          pos.position = b.next.toString();
          return true;
        },
      });
      clearInterval(progressTimer);
      const finished = [...parts.values()].every((p) => BigInt(p.position) >= BigInt(p.to));
      if (lost || (signal.aborted && !this.closing)) log.info('replay job stopped: cancelled or taken over', counts);
      else if (finished) log.info('replay job completed', counts);
      else log.info('replay job paused for shutdown; it resumes from its saved position', counts);
      await this.options.store.finish(
        job._id,
        this.options.instanceId,
        snapshot(),
        finished && !lost ? 'completed' : signal.aborted && !lost ? (this.closing ? 'released' : 'cancelled') : 'released',
      );
    } catch (err) {
      clearInterval(progressTimer);
      log.error('replay job failed', { err, ...counts });
      await this.options.store.finish(job._id, this.options.instanceId, snapshot(), 'failed', errorMessage(err)).catch(() => undefined);
    } finally {
      signal.removeEventListener('abort', onOuter);
    }
  }

  /** Stops polling, pauses running jobs (saving their positions and releasing their leases). Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.timer) clearTimeout(this.timer);
      await this.polling;
      for (const r of this.running.values()) r.abort.abort();
      await Promise.all([...this.running.values()].map((r) => r.done));
    })();
    return this.closing;
  }
}
