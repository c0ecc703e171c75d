import { headersToStrings, parseDerivedTopic, type EventSerde, type Logger } from '@odx/runtime';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { EventIndex } from './event-index.js';
import { failureEntryOf, type FailureMessage } from './event-record.js';

export interface FailureTopicReaderOptions {
  kafka: Kafka;
  admin: Admin;
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
 * entries, so an order's timeline shows them. A plain consumer group, not a
 * ConsumerRunner: these messages are failures already, so an undecodable one
 * is indexed from its headers instead of being dead-lettered again. Topics are
 * listed at start and every `refreshMs`; a new one restarts the consumer
 * (kafkajs subscribes to a fixed set).
 */
export class FailureTopicReader {
  private consumer: Consumer | undefined;
  private subscribed = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly o: FailureTopicReaderOptions) {}

  get topics(): string[] {
    return [...this.subscribed];
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.o.refreshMs);
    this.timer.unref();
  }

  /** Re-lists topics and resubscribes when new retry/DLQ topics appeared. Serialised. */
  refresh(): Promise<void> {
    this.chain = this.chain.then(() => this.doRefresh()).catch((err: unknown) => {
      this.o.logger.warn('retry/DLQ topic refresh failed', { err });
    });
    return this.chain;
  }

  private async doRefresh(): Promise<void> {
    if (this.closed) return;
    const found = (await this.o.admin.listTopics()).filter((t) => isFailureTopicOf(t, this.o.topics));
    if (found.length === 0 || found.every((t) => this.subscribed.has(t))) return;
    await this.consumer?.disconnect();
    if (this.closed) return;
    const consumer = this.o.kafka.consumer({
      groupId: this.o.groupId, maxWaitTimeInMs: 500, allowAutoTopicCreation: false,
      sessionTimeout: this.o.sessionTimeoutMs, heartbeatInterval: Math.min(3_000, Math.floor(this.o.sessionTimeoutMs / 10)),
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: found, fromBeginning: true });
    this.subscribed = new Set(found);
    await consumer.run({ eachBatchAutoResolve: false, partitionsConsumedConcurrently: 3, eachBatch: (p) => this.eachBatch(p) });
    this.o.logger.info('reading retry/DLQ topics', { topics: found.length });
  }

  private async eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0 || !isRunning() || isStale()) return;
    const d = parseDerivedTopic(batch.topic);
    if (!d) return;
    const entries = await Promise.all(batch.messages.map(async (m) => {
      let decoded: FailureMessage['decoded'];
      try {
        const r = await this.o.serde.decode(m.value);
        decoded = { eventType: r.eventType, payload: r.payload };
      } catch {
        decoded = undefined; // poison: indexed from its headers and key
      }
      return failureEntryOf({
        entry: d.dlq ? 'dlq' : 'retry', topic: batch.topic, partition: batch.partition, offset: m.offset,
        key: m.key ? m.key.toString('utf8') : null, headers: headersToStrings(m.headers), timestamp: Number(m.timestamp),
        originalTopic: d.topic, catalogKey: this.o.topics.get(d.topic), decoded,
      });
    }));
    const inserted = await this.o.index.insert(entries);
    this.o.onIndexed?.(d.dlq ? 'dlq' : 'retry', inserted);
    resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
    await heartbeat();
  }

  /** Stops reading; idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      if (this.timer) clearInterval(this.timer);
      await this.chain;
      await this.consumer?.disconnect();
    })();
    return this.closing;
  }
}
