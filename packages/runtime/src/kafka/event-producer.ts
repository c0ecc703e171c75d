import { context, trace as otelTrace, type Span, type Tracer } from '@opentelemetry/api';
import { topicForEventType } from '@odx/schemas';
import { CompressionTypes, Partitioners, type Admin, type Kafka, type Message, type PartitionMetadata, type Producer } from 'kafkajs';
import type { Logger } from '../logging/logger.js';
import { OdxError } from '../resilience/errors.js';
import { toCloudEventHeaders, AVRO_CONTENT_TYPE } from '../serde/cloudevents.js';
import type { EventSerde } from '../serde/event-serde.js';
import type { RuntimeMetrics } from '../telemetry/metrics.js';
import { orderIdOf, orderTraceContext } from '../telemetry/order-trace.js';
import { SpanKind, injectTraceHeaders, withSpan } from '../telemetry/tracing.js';
import type { OutgoingEvent, PublishedEvent } from './events.js';
import { catalogTopicName } from './topic-names.js';

/** How long a topic's partition count is trusted before it is read again (as the client's own metadata max age). */
const PARTITIONS_MAX_AGE_MS = 60_000;

/** An already-encoded message (retry/DLQ routing, replays). */
export interface RawOutgoingMessage {
  topic: string;
  key: Buffer | string | null;
  value: Buffer | null;
  headers: Record<string, string | Buffer>;
  partition?: number;
  timestamp?: string;
}

export interface EventProducerOptions {
  kafka: Kafka;
  serde: EventSerde;
  /** CloudEvents source: `/odx/<service>`. */
  serviceName: string;
  logger: Logger;
  metrics?: RuntimeMetrics;
  /** @default 'none' (the client ships only gzip built in) */
  compression?: 'none' | 'gzip';
}

/**
 * Idempotent producer (acks=all, one in-flight request, so retries never
 * duplicate or reorder) that encodes canonical events with Avro and adds
 * CloudEvents binary-mode headers and W3C traceparent. `publish` tells the
 * caller where each event landed: the producer picks each event's partition
 * itself (the Java-compatible murmur2 of its key, as every Kafka client does),
 * so within a partition the batch's order from the returned base offset gives
 * each event's offset.
 */
export class EventProducer {
  private readonly producer: Producer;
  private readonly admin: Admin;
  private adminConnected: Promise<void> | undefined;
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private readonly partitions = new Map<string, { at: number; list: Promise<PartitionMetadata[]> }>();
  private connected: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private readonly tracer: Tracer = otelTrace.getTracer('@odx/runtime');

  constructor(private readonly options: EventProducerOptions) {
    // Unlimited retries (each capped at 30 s apart) as kafkajs's idempotent producer
    // wants: a send waits out a broker outage instead of failing and being resent
    // by the caller under a new producer sequence.
    this.producer = options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 30_000 },
    });
    this.admin = options.kafka.admin();
  }

  connect(): Promise<void> {
    if (this.closing) return Promise.reject(new Error('producer is closed'));
    this.connected ??= this.producer.connect().catch((err: unknown) => {
      this.connected = undefined; // let the next call try again
      throw err;
    });
    return this.connected;
  }

  /**
   * Encodes and sends `events` in one request; resolves once Kafka acknowledged
   * all of them, with where each landed, in `events` order.
   */
  async publish(events: readonly OutgoingEvent[]): Promise<PublishedEvent[]> {
    if (events.length === 0) return [];
    await this.connect();
    return withSpan(
      'odx publish',
      { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'kafka', 'messaging.batch.message_count': events.length } },
      async (publishSpan) => {
        const batchTrace = injectTraceHeaders();
        const orderSpans: Span[] = [];
        const byTopic = new Map<string, Message[]>();
        const placed: Array<{ topic: string; partition: number; index: number }> = [];
        const perPartition = new Map<string, number>();
        for (const e of events) {
          // An event about an order travels in the order's trace (see order-trace.ts);
          // its own producer span there links back to this publish span.
          const orderId = orderIdOf(e.payload);
          let trace = batchTrace;
          if (orderId) {
            const span = this.tracer.startSpan(
              `odx publish ${e.eventType}`,
              {
                kind: SpanKind.PRODUCER,
                links: [{ context: publishSpan.spanContext() }],
                attributes: { 'messaging.system': 'kafka', 'odx.order_id': orderId },
              },
              orderTraceContext(e.payload.meta.company, orderId),
            );
            orderSpans.push(span);
            trace = injectTraceHeaders(otelTrace.setSpan(context.active(), span));
          }
          const topic = e.topic ?? catalogTopicName(topicForEventType(e.eventType).name);
          const { value } = await this.options.serde.encode(topic, e.eventType, e.payload);
          const meta = e.payload.meta;
          const headers = {
            ...e.headers,
            ...toCloudEventHeaders({
              specversion: '1.0',
              id: meta.eventId,
              type: this.options.serde.fullNameOf(e.eventType),
              source: `/odx/${this.options.serviceName}`,
              time: meta.occurredAt.toISOString(),
              datacontenttype: AVRO_CONTENT_TYPE,
              subject: e.key,
              correlationid: meta.correlationId,
              ...(meta.causationId ? { causationid: meta.causationId } : {}),
              company: meta.company,
            }),
            ...trace,
          };
          const partition = this.partitioner({
            topic,
            partitionMetadata: await this.partitionsOf(topic),
            message: { key: e.key, value: null },
          });
          const slot = `${topic}\u0000${partition}`;
          const index = perPartition.get(slot) ?? 0;
          perPartition.set(slot, index + 1);
          placed.push({ topic, partition, index });
          let list = byTopic.get(topic);
          if (!list) byTopic.set(topic, (list = []));
          list.push({ key: e.key, value, headers, partition });
        }
        try {
          const bases = await this.sendBatch(byTopic);
          return events.map((e, i): PublishedEvent => {
            const p = placed[i]!;
            const base = bases.get(`${p.topic}\u0000${p.partition}`);
            return {
              topic: p.topic,
              partition: p.partition,
              offset: base === undefined ? '-1' : (base + BigInt(p.index)).toString(),
              eventType: e.eventType,
              eventId: e.payload.meta.eventId,
            };
          });
        } catch (err) {
          // A topic may have been re-created or grown: read its partitions again next time.
          for (const topic of byTopic.keys()) this.partitions.delete(topic);
          throw err;
        } finally {
          for (const span of orderSpans) span.end();
        }
      },
    );
  }

  /** The partitions of `topic`, read through an admin client and kept for a minute. */
  private partitionsOf(topic: string): Promise<PartitionMetadata[]> {
    const cached = this.partitions.get(topic);
    if (cached && Date.now() - cached.at < PARTITIONS_MAX_AGE_MS) return cached.list;
    this.adminConnected ??= this.admin.connect().catch((err: unknown) => {
      this.adminConnected = undefined;
      throw err;
    });
    const list = this.adminConnected
      .then(() => this.admin.fetchTopicMetadata({ topics: [topic] }))
      .then((m) => {
        const parts = m.topics[0]?.partitions ?? [];
        if (parts.length === 0) throw new Error(`topic ${topic} has no partitions`);
        return [...parts].sort((a, b) => a.partitionId - b.partitionId);
      });
    list.catch(() => this.partitions.delete(topic));
    this.partitions.set(topic, { at: Date.now(), list });
    return list;
  }

  /** Sends pre-encoded messages as they are (used for retry, DLQ and redrive). */
  async publishRaw(messages: readonly RawOutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.connect();
    const byTopic = new Map<string, Message[]>();
    for (const m of messages) {
      let list = byTopic.get(m.topic);
      if (!list) byTopic.set(m.topic, (list = []));
      list.push({
        key: m.key,
        value: m.value,
        headers: m.headers,
        ...(m.partition !== undefined ? { partition: m.partition } : {}),
        ...(m.timestamp !== undefined ? { timestamp: m.timestamp } : {}),
      });
    }
    await this.sendBatch(byTopic);
  }

  /** Sends one request; resolves with each topic-partition's base offset. */
  private async sendBatch(byTopic: Map<string, Message[]>): Promise<Map<string, bigint>> {
    const started = process.hrtime.bigint();
    const result = await this.producer.sendBatch({
      acks: -1,
      compression: this.options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const m = this.options.metrics;
    if (m) {
      for (const [topic, messages] of byTopic) {
        m.messagesProduced.inc({ topic }, messages.length);
        m.produceSeconds.observe({ topic }, seconds);
      }
    }
    return new Map(
      result.flatMap((r) => (r.baseOffset === undefined ? [] : [[`${r.topicName}\u0000${r.partition}`, BigInt(r.baseOffset)] as const])),
    );
  }

  /** Flushes nothing (sends are synchronous to the ack) and disconnects; idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.connected) await this.producer.disconnect();
      if (this.adminConnected) await this.admin.disconnect();
    })();
    return this.closing;
  }
}

export interface BatchingPublisherOptions {
  /** Events per Kafka request. @default 500 */
  maxBatchSize?: number;
  /** How long the first queued event waits for company when no request is in flight. @default 5 */
  lingerMs?: number;
  /**
   * Requests in flight at once (the producer sends them one after the other;
   * the second is encoded while the first is on the wire). While they all
   * run, what arrives queues and goes out as one request when one of them is
   * acknowledged (group commit), so a busy publisher sends a few large
   * requests instead of one small request per linger period. @default 2
   */
  maxInFlight?: number;
}

interface PendingPublish {
  events: readonly OutgoingEvent[];
  resolve: (published: PublishedEvent[]) => void;
  reject: (err: unknown) => void;
}

/**
 * kafkajs has no linger.ms: this collects events published close together (by
 * concurrent callers) into one request. Each call resolves, once the request
 * holding its events is acknowledged, with where its events landed. One
 * caller's invalid event does not fail the others that shared its request.
 */
export class BatchingPublisher {
  private queue: PendingPublish[] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly maxBatchSize: number;
  private readonly lingerMs: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly producer: EventProducer,
    options: BatchingPublisherOptions = {},
  ) {
    this.maxBatchSize = options.maxBatchSize ?? 500;
    this.lingerMs = options.lingerMs ?? 5;
    this.maxInFlight = options.maxInFlight ?? 2;
    if (!Number.isInteger(this.maxBatchSize) || this.maxBatchSize < 1)
      throw new RangeError(`maxBatchSize must be a whole number >= 1, got ${this.maxBatchSize}`);
    if (!Number.isFinite(this.lingerMs) || this.lingerMs < 0) throw new RangeError(`lingerMs must be >= 0, got ${this.lingerMs}`);
    if (!Number.isInteger(this.maxInFlight) || this.maxInFlight < 1)
      throw new RangeError(`maxInFlight must be a whole number >= 1, got ${this.maxInFlight}`);
  }

  /** Publishes one event; resolves with where it landed. */
  async publish(event: OutgoingEvent): Promise<PublishedEvent> {
    const [published] = await this.publishAll([event]);
    return published!;
  }

  /** Publishes `events` (in one request, possibly shared with other callers); resolves with where each landed, in order. */
  publishAll(events: readonly OutgoingEvent[]): Promise<PublishedEvent[]> {
    if (events.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      this.queued += events.length;
      if (this.queued >= this.maxBatchSize) this.flushNow();
      // At the in-flight limit, the next acknowledgement sends the queue.
      else if (this.inFlight.size < this.maxInFlight) this.timer ??= setTimeout(() => this.flushNow(), this.lingerMs);
    });
  }

  /** Sends whatever is queued and waits until nothing is queued or in flight. */
  async flush(): Promise<void> {
    this.flushNow();
    while (this.inFlight.size > 0 || this.queue.length > 0) {
      await Promise.all([...this.inFlight]);
      this.flushNow();
    }
  }

  private flushNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length === 0 || this.inFlight.size >= this.maxInFlight) return;
    // Whole callers only, up to maxBatchSize events (a caller larger than that goes alone).
    let take = 0;
    let events = 0;
    while (take < this.queue.length && (take === 0 || events + this.queue[take]!.events.length <= this.maxBatchSize))
      events += this.queue[take++]!.events.length;
    const batch = this.queue.splice(0, take);
    this.queued -= events;
    const sending = this.send(batch).finally(() => {
      this.inFlight.delete(sending);
      this.flushNow();
    });
    this.inFlight.add(sending);
  }

  private async send(batch: PendingPublish[]): Promise<void> {
    let published: PublishedEvent[];
    try {
      published = await this.producer.publish(batch.flatMap((p) => p.events));
    } catch (err) {
      // One invalid event must not fail the others that shared its request.
      if (batch.length > 1 && err instanceof OdxError && err.errorClass === 'serde.invalid') {
        for (const p of batch) await this.producer.publish(p.events).then(p.resolve, p.reject);
      } else batch.forEach((p) => p.reject(err));
      return;
    }
    let at = 0;
    for (const p of batch) p.resolve(published.slice(at, (at += p.events.length)));
  }
}
