import { context, trace as otelTrace, type Span, type Tracer } from '@opentelemetry/api';
import { topicForEventType } from '@odx/schemas';
import { CompressionTypes, type Kafka, type Message, type Producer, type RecordMetadata } from 'kafkajs';
import type { Logger } from '../logging/logger.js';
import { OdxError } from '../resilience/errors.js';
import { toCloudEventHeaders, AVRO_CONTENT_TYPE } from '../serde/cloudevents.js';
import type { EventSerde } from '../serde/event-serde.js';
import type { RuntimeMetrics } from '../telemetry/metrics.js';
import { orderIdOf, orderTraceContext } from '../telemetry/order-trace.js';
import { SpanKind, injectTraceHeaders, withSpan } from '../telemetry/tracing.js';
import { catalogTopicName } from './topic-names.js';

/** The meta record every canonical event starts with. */
export interface EventMetaLike {
  eventId: string;
  occurredAt: Date;
  source: string;
  correlationId: string;
  causationId?: string | null;
  company: string;
}

export interface OutgoingEvent<T extends { meta: EventMetaLike } = { meta: EventMetaLike }> {
  eventType: string;
  /** Message key: the aggregate id, so one aggregate's events stay in order. */
  key: string;
  payload: T;
  /** @default the catalog topic of `eventType` */
  topic?: string;
  /** Extra headers (CloudEvents and traceparent are added). */
  headers?: Record<string, string>;
}

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
  /** @default CompressionTypes.None (kafkajs ships only gzip built in) */
  compression?: CompressionTypes;
}

/**
 * Idempotent producer (acks=all, one in-flight request, so retries never
 * duplicate or reorder) that encodes canonical events with Avro and adds
 * CloudEvents binary-mode headers and W3C traceparent.
 */
export class EventProducer {
  private readonly producer: Producer;
  private connected: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private readonly tracer: Tracer = otelTrace.getTracer('@odx/runtime');

  constructor(private readonly options: EventProducerOptions) {
    // Unlimited retries (each capped at 30 s apart) as kafkajs's idempotent producer
    // wants: a send waits out a broker outage instead of failing and being resent
    // by the caller under a new producer sequence.
    this.producer = options.kafka.producer({
      idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 30_000 },
    });
  }

  connect(): Promise<void> {
    if (this.closing) return Promise.reject(new Error('producer is closed'));
    this.connected ??= this.producer.connect().catch((err: unknown) => {
      this.connected = undefined; // let the next call try again
      throw err;
    });
    return this.connected;
  }

  /** Encodes and sends `events` in one batch; resolves once Kafka acknowledged all of them. */
  async publish(events: OutgoingEvent[]): Promise<RecordMetadata[]> {
    if (events.length === 0) return [];
    await this.connect();
    return withSpan('odx publish', { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'kafka', 'messaging.batch.message_count': events.length } }, async (publishSpan) => {
      const batchTrace = injectTraceHeaders();
      const orderSpans: Span[] = [];
      const byTopic = new Map<string, Message[]>();
      for (const e of events) {
        // An event about an order travels in the order's trace (see order-trace.ts);
        // its own producer span there links back to this publish span.
        const orderId = orderIdOf(e.payload);
        let trace = batchTrace;
        if (orderId) {
          const span = this.tracer.startSpan(`odx publish ${e.eventType}`, {
            kind: SpanKind.PRODUCER, links: [{ context: publishSpan.spanContext() }],
            attributes: { 'messaging.system': 'kafka', 'odx.order_id': orderId },
          }, orderTraceContext(e.payload.meta.company, orderId));
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
        let list = byTopic.get(topic);
        if (!list) byTopic.set(topic, (list = []));
        list.push({ key: e.key, value, headers });
      }
      try {
        return await this.sendBatch(byTopic);
      } finally {
        for (const span of orderSpans) span.end();
      }
    });
  }

  /** Sends pre-encoded messages as they are (used for retry, DLQ and redrive). */
  async publishRaw(messages: RawOutgoingMessage[]): Promise<RecordMetadata[]> {
    if (messages.length === 0) return [];
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
    return this.sendBatch(byTopic);
  }

  private async sendBatch(byTopic: Map<string, Message[]>): Promise<RecordMetadata[]> {
    const started = process.hrtime.bigint();
    const result = await this.producer.sendBatch({
      acks: -1,
      compression: this.options.compression ?? CompressionTypes.None,
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
    return result;
  }

  /** Flushes nothing (sends are synchronous to the ack) and disconnects; idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.connected) await this.producer.disconnect();
    })();
    return this.closing;
  }
}

export interface BatchingPublisherOptions {
  /** Events per Kafka request. @default 500 */
  maxBatchSize?: number;
  /** How long the first queued event waits for company. @default 5 */
  lingerMs?: number;
}

/**
 * kafkajs has no linger.ms: this collects events published close together into
 * one request. `publish` resolves when the batch holding the event is acknowledged.
 */
export class BatchingPublisher {
  private queue: Array<{ event: OutgoingEvent; resolve: () => void; reject: (e: unknown) => void }> = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight = new Set<Promise<void>>();
  private readonly maxBatchSize: number;
  private readonly lingerMs: number;

  constructor(private readonly producer: EventProducer, options: BatchingPublisherOptions = {}) {
    this.maxBatchSize = options.maxBatchSize ?? 500;
    this.lingerMs = options.lingerMs ?? 5;
  }

  publish(event: OutgoingEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      if (this.queue.length >= this.maxBatchSize) this.flushNow();
      else this.timer ??= setTimeout(() => this.flushNow(), this.lingerMs);
    });
  }

  /** Sends whatever is queued and waits for every batch in flight. */
  async flush(): Promise<void> {
    this.flushNow();
    await Promise.all([...this.inFlight]);
  }

  private flushNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.queue.length);
    const sending = this.producer
      .publish(batch.map((b) => b.event))
      .then(
        () => batch.forEach((b) => b.resolve()),
        async (err: unknown) => {
          // One invalid event must not fail the others that shared its request.
          if (batch.length > 1 && err instanceof OdxError && err.errorClass === 'serde.invalid') {
            for (const b of batch) await this.producer.publish([b.event]).then(b.resolve, b.reject);
          } else batch.forEach((b) => b.reject(err));
        },
      )
      .finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
  }
}
