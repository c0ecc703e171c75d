import { randomUUID } from 'node:crypto';
import { kafkaClientOf, type ClusterAdmin } from './cluster-admin.js';
import { toRawMessage, type RawMessage } from './raw-message.js';

/** Offsets `[from, to)` of one partition to read. */
export interface PartitionRange {
  topic: string;
  partition: number;
  from: bigint;
  to: bigint;
}

export interface RangeBatch {
  topic: string;
  partition: number;
  /** Messages inside the range, in offset order. */
  messages: RawMessage[];
  /** The next offset to read after this batch (also past skipped gaps). */
  next: bigint;
}

export interface ReadRangesOptions {
  ranges: PartitionRange[];
  /** Called once per fetched batch; return `false` to stop reading every partition. */
  onBatch: (batch: RangeBatch) => Promise<boolean | void>;
  signal?: AbortSignal;
  /** Partitions fetched concurrently. @default all of them */
  concurrency?: number;
  /** @default 4 MiB */
  maxBytesPerPartition?: number;
  /** Prefix of the throwaway group's id (a random suffix follows). @default 'odx-range-reader' */
  groupPrefix?: string;
}

/**
 * Reads fixed offset ranges with a throwaway consumer group that never commits
 * (and is deleted afterwards), so reading never disturbs anyone's offsets.
 * Resolves when every range is read, `onBatch` said stop, or `signal` aborted;
 * rejects with `onBatch`'s error or the client's final crash.
 */
export async function readRanges(cluster: ClusterAdmin, o: ReadRangesOptions): Promise<void> {
  const pending = new Map<string, PartitionRange & { next: bigint }>();
  for (const r of o.ranges) if (r.to > r.from) pending.set(`${r.topic}:${r.partition}`, { ...r, next: r.from });
  if (pending.size === 0 || o.signal?.aborted) return;
  const groupId = `${o.groupPrefix ?? 'odx-range-reader'}-${randomUUID()}`;
  const consumer = kafkaClientOf(cluster).consumer({
    groupId,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 200,
    maxBytesPerPartition: o.maxBytesPerPartition ?? 4 * 1024 * 1024,
    maxBytes: 64 * 1024 * 1024,
    sessionTimeout: 30_000,
  });
  let finish!: (err?: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = (err) => (err ? reject(err) : resolve());
  });
  // A crash while `consumer.run` is still starting (e.g. the group refused by an ACL) rejects both `run` and `done`;
  // the error reaches the caller through `run`, and `done` must not become an unhandled rejection that ends the process.
  done.catch(() => undefined);
  const onAbort = (): void => finish();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  let stopped = false;
  const topics = [...new Set([...pending.values()].map((r) => r.topic))];
  try {
    await consumer.connect();
    // kafkajs restarts the consumer after retriable crashes (it resumes from the resolved offsets); only a final one ends the read.
    consumer.on(consumer.events.CRASH, (e) => {
      if (!e.payload.restart) finish(e.payload.error);
    });
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: o.concurrency ?? Math.max(1, pending.size),
      eachBatch: async ({ batch, isRunning, isStale, heartbeat, resolveOffset }) => {
        const range = pending.get(`${batch.topic}:${batch.partition}`);
        if (stopped || !isRunning() || isStale()) return;
        // Resolving (never committed: autoCommit is off) moves the fetch position on.
        if (!range) return resolveOffset(batch.lastOffset());
        const messages: RawMessage[] = [];
        for (const m of batch.messages) {
          const off = BigInt(m.offset);
          if (off >= range.next && off < range.to) messages.push(toRawMessage(batch.topic, batch.partition, m));
        }
        const batchEnd = BigInt(batch.lastOffset()) + 1n;
        const next = batchEnd > range.to ? range.to : batchEnd;
        if (next <= range.next && messages.length === 0) return resolveOffset(batch.lastOffset());
        try {
          const more = await o.onBatch({ topic: batch.topic, partition: batch.partition, messages, next });
          if (more === false) {
            stopped = true;
            return finish();
          }
        } catch (err) {
          stopped = true;
          return finish(err);
        }
        range.next = next;
        resolveOffset(batch.lastOffset());
        await heartbeat();
        if (range.next >= range.to) {
          pending.delete(`${batch.topic}:${batch.partition}`);
          consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
          if (pending.size === 0) finish();
        }
      },
    });
    // Partitions outside the ranges are paused; the rest start at their range.
    for (const topic of topics) {
      const idle = (await cluster.partitions(topic)).filter((p) => !pending.has(`${topic}:${p}`));
      if (idle.length > 0) consumer.pause([{ topic, partitions: idle }]);
    }
    for (const r of pending.values()) consumer.seek({ topic: r.topic, partition: r.partition, offset: r.from.toString() });
    await done;
  } finally {
    stopped = true;
    o.signal?.removeEventListener('abort', onAbort);
    await consumer.disconnect().catch(() => undefined);
    await cluster.deleteGroups([groupId]).catch(() => undefined);
  }
}
