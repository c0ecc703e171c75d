import { RawConsumer, parseDerivedTopic, type ClusterAdmin, type EventSerde, type Logger, type RawBatch } from '@odx/runtime';
import type { EventIndex } from './event-index.js';
import { failureEntryOf, type FailureMessage } from './event-record.js';

export interface FailureTopicReaderOptions {
  cluster: ClusterAdmin;
  serde: EventSerde;
  index: EventIndex;
  logger: Logger;
  groupId: string;
  /** Canonical topic -> its catalog key (orderId, shipmentId, ...): whose retry/DLQ topics to read. */
  topics: Map<string, string | undefined>;
  /** How often to look for new retry/DLQ topics. */
  refreshMs: number;
  sessionTimeoutMs: number;
  /** Told how many entries of a kind were new after each batch. */
  onIndexed?: (entry: 'retry' | 'dlq', inserted: number) => void;
}

/** True when `name` is a retry or DLQ topic of one of `topics` (of any consumer group). */
export function isFailureTopicOf(name: string, topics: Map<string, string | undefined>): boolean {
  const d = parseDerivedTopic(name);
  return d !== undefined && topics.has(d.topic);
}

/**
 * Indexes the retry and dead-letter copies of canonical events (every group's
 * `<topic>.<group>.retry.<n>` and `<topic>.<group>.dlq`) as `retry`/`dlq`
 * entries, so an order's timeline shows them. A RawConsumer, not a
 * ConsumerRunner: these messages are failures already, so an undecodable one
 * is indexed from its headers instead of being dead-lettered again. Topics are
 * listed at start and every `refreshMs`; a new one restarts the consumer
 * (a RawConsumer reads a fixed set).
 */
export class FailureTopicReader {
  private consumer: RawConsumer | undefined;
  private subscribed = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: FailureTopicReaderOptions) {}

  get topics(): string[] {
    return [...this.subscribed];
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.refreshMs);
    this.timer.unref();
  }

  /** Re-lists topics and resubscribes when new retry/DLQ topics appeared. Serialised. */
  refresh(): Promise<void> {
    this.chain = this.chain
      .then(() => this.doRefresh())
      .catch((err: unknown) => {
        this.options.logger.warn('retry/DLQ topic refresh failed', { err });
      });
    return this.chain;
  }

  private async doRefresh(): Promise<void> {
    if (this.closed) return;
    const found = (await this.options.cluster.listTopics()).filter((t) => isFailureTopicOf(t, this.options.topics));
    if (found.length === 0 || found.every((t) => this.subscribed.has(t))) return;
    await this.consumer?.close();
    if (this.closed) return;
    const consumer = new RawConsumer(this.options.cluster, {
      groupId: this.options.groupId,
      topics: found,
      fromBeginning: true,
      maxWaitMs: 500,
      partitionConcurrency: 3,
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      onBatch: (batch) => this.index(batch),
    });
    this.consumer = consumer;
    await consumer.start();
    this.subscribed = new Set(found);
    this.options.logger.info('reading retry/DLQ topics', { topics: found.length });
  }

  private async index(batch: RawBatch): Promise<void> {
    const d = parseDerivedTopic(batch.topic);
    if (!d) return;
    const entries = await Promise.all(
      batch.messages.map(async (m) => {
        let decoded: FailureMessage['decoded'];
        try {
          const r = await this.options.serde.decode(m.value);
          decoded = { eventType: r.eventType, payload: r.payload };
        } catch {
          decoded = undefined; // poison: indexed from its headers and key
        }
        return failureEntryOf({
          entry: d.dlq ? 'dlq' : 'retry',
          topic: batch.topic,
          partition: batch.partition,
          offset: m.offset,
          key: m.key ? m.key.toString('utf8') : null,
          headers: m.headers,
          timestamp: m.timestamp,
          originalTopic: d.topic,
          catalogKey: this.options.topics.get(d.topic),
          decoded,
        });
      }),
    );
    const inserted = await this.options.index.insert(entries);
    this.options.onIndexed?.(d.dlq ? 'dlq' : 'retry', inserted);
  }

  /** Stops reading; idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      if (this.timer) clearInterval(this.timer);
      await this.chain;
      await this.consumer?.close();
    })();
    return this.closing;
  }
}
