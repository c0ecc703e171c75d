import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { ClaimOutcome, IdempotencyStore } from '../idempotency/idempotency-store.js';
import { withLogContext } from '../logging/log-context.js';
import type { Logger } from '../logging/logger.js';
import type { Circuit } from '../resilience/circuit-breaker.js';
import { classifyError, type FailureClassification } from '../resilience/errors.js';
import type { EventSerde } from '../serde/event-serde.js';
import type { RuntimeMetrics } from '../telemetry/metrics.js';
import { SpanKind, extractTraceContext, withSpan } from '../telemetry/tracing.js';
import type { EventProducer } from './event-producer.js';
import { headersToStrings } from './headers.js';
import { buildDlqHeaders, buildRetryHeaders, readRetryState } from './failure-headers.js';
import { ensureTopics } from './topic-admin.js';
import { dlqTopicName, retryTopicName } from './topic-names.js';

/** One decoded event as a handler sees it. */
export interface ConsumedEvent<T = unknown> {
  /** The topic the event was first published to (also for retried deliveries). */
  topic: string;
  /** Where this delivery came from (the original topic or one of its retry topics). */
  receivedFrom: { topic: string; partition: number; offset: string };
  key: string | null;
  eventType: string;
  fullName: string;
  eventId: string;
  payload: T;
  headers: Record<string, string>;
  /** 1 for the first delivery, 2 for the first retry, ... */
  attempt: number;
  /**
   * `<group>:<eventId>`. Pass it to external systems as their idempotency key
   * (Idempotency-Key header, external reference) so that an effect repeated after
   * a crash between "effect done" and "key completed" is deduplicated there too.
   */
  idempotencyKey: string;
  signal: AbortSignal;
}

export type EventHandler = (event: ConsumedEvent) => Promise<void>;

export interface ConsumerRunnerOptions {
  kafka: Kafka;
  serde: EventSerde;
  /** Used to route failures to retry and DLQ topics. */
  producer: EventProducer;
  logger: Logger;
  metrics?: RuntimeMetrics;
  groupId: string;
  topics: string[];
  handler: EventHandler;
  /** Claim/complete keys per (group, eventId); `false` turns deduplication off. */
  idempotency: IdempotencyStore | false;
  /** Delay of each retry topic; the count is the number of retries before the DLQ. @default [1000, 10000, 60000] */
  retryDelaysMs?: number[];
  /** Partitions processed at once (messages of one partition stay in order). @default 3 */
  partitionConcurrency?: number;
  /** Where a group with no committed offset starts. @default true */
  fromBeginning?: boolean;
  /** Circuits guarding the handler's downstream: while one is open the consumer pauses. */
  circuits?: Circuit[];
  /** Create the retry and DLQ topics at start. @default true */
  provisionTopics?: boolean;
  /** @default 30000 */
  sessionTimeoutMs?: number;
}

type Outcome =
  | { type: 'done'; label: 'ok' | 'duplicate' | 'retry' | 'dlq' }
  | { type: 'hold'; reason: 'circuit' | 'delay' | 'stopping'; untilMs?: number };

/**
 * Runs a consumer group over canonical topics: eachBatch with heartbeats, one
 * partition's messages in order, partitions concurrently (bounded), offsets
 * committed only after the effect and its idempotency record are done (or the
 * failure was handed to a retry/DLQ topic and acknowledged). Transient failures
 * go to `<topic>.<group>.retry.<n>` and come back after a delay without blocking
 * the partition; permanent and poison ones go to `<topic>.<group>.dlq`. One bad
 * message never stops the loop.
 */
export class ConsumerRunner {
  private readonly consumer: Consumer;
  private readonly o: Required<Omit<ConsumerRunnerOptions, 'metrics' | 'circuits'>> & Pick<ConsumerRunnerOptions, 'metrics'> & { circuits: Circuit[] };
  private readonly retryTopics = new Map<string, { original: string; n: number }>();
  private readonly abort = new AbortController();
  private circuitPaused = false;
  private readonly unsubscribers: Array<() => void> = [];
  private closing: Promise<void> | undefined;
  private started = false;

  constructor(options: ConsumerRunnerOptions) {
    this.o = {
      retryDelaysMs: [1_000, 10_000, 60_000],
      partitionConcurrency: 3,
      fromBeginning: true,
      provisionTopics: true,
      sessionTimeoutMs: 30_000,
      ...options,
      circuits: options.circuits ?? [],
    };
    for (const topic of this.o.topics) {
      this.o.retryDelaysMs.forEach((_, i) => this.retryTopics.set(retryTopicName(topic, this.o.groupId, i + 1), { original: topic, n: i + 1 }));
    }
    this.consumer = this.o.kafka.consumer({
      groupId: this.o.groupId,
      sessionTimeout: this.o.sessionTimeoutMs,
      heartbeatInterval: Math.min(3_000, Math.floor(this.o.sessionTimeoutMs / 10)),
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 500,
    });
  }

  /** All topics this runner reads: the originals and their retry topics. */
  get subscribedTopics(): string[] {
    return [...this.o.topics, ...this.retryTopics.keys()];
  }

  /** Provisions retry/DLQ topics, joins the group and starts consuming. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.o.provisionTopics) await this.provisionFailureTopics();
    if (this.o.idempotency) await this.o.idempotency.init();
    await this.o.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.subscribedTopics, fromBeginning: this.o.fromBeginning });
    for (const circuit of this.o.circuits) {
      this.unsubscribers.push(circuit.onStateChange((state) => {
        this.o.metrics?.circuitState.set({ circuit: circuit.name }, state === 'open' ? 2 : state === 'half-open' ? 1 : 0);
        if (state !== 'open') this.resumeFromCircuit();
      }));
    }
    await this.consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.o.partitionConcurrency,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  private async provisionFailureTopics(): Promise<void> {
    const admin = this.o.kafka.admin();
    await admin.connect();
    try {
      const meta = await admin.fetchTopicMetadata({ topics: this.o.topics });
      const { brokers } = await admin.describeCluster();
      const specs = meta.topics.flatMap((t) => {
        const base = { partitions: t.partitions.length, replicationFactor: Math.min(3, brokers.length) };
        return [
          ...this.o.retryDelaysMs.map((_, i) => ({ ...base, name: retryTopicName(t.name, this.o.groupId, i + 1), config: {} })),
          // DLQs keep messages until someone redrives or purges them.
          { ...base, name: dlqTopicName(t.name, this.o.groupId), config: { 'retention.ms': '-1' } },
        ];
      });
      await ensureTopics(admin, specs);
    } finally {
      await admin.disconnect();
    }
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const lag = batch.offsetLag();
    this.o.metrics?.consumerLag.set({ topic: batch.topic, partition: String(batch.partition), group: this.o.groupId }, Number(lag));
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || this.abort.signal.aborted) return;
      if (this.circuitPaused) return; // leave the rest unresolved: re-fetched after resume
      const outcome = await this.process(batch.topic, batch.partition, message, heartbeat);
      if (outcome.type === 'hold') {
        if (outcome.reason === 'delay') {
          const resume = payload.pause();
          const wait = Math.max(0, (outcome.untilMs ?? Date.now()) - Date.now());
          setTimeout(resume, wait).unref();
        } else if (outcome.reason === 'circuit') {
          if (this.o.circuits.length > 0) this.pauseForCircuit();
          else {
            // A breaker the runner was not told about: back off this partition.
            const resume = payload.pause();
            setTimeout(resume, 5_000).unref();
          }
        }
        return;
      }
      resolveOffset(message.offset);
      await heartbeat();
    }
  }

  private async process(receivedTopic: string, partition: number, message: KafkaMessage, heartbeat: () => Promise<void>): Promise<Outcome> {
    const started = process.hrtime.bigint();
    const headers = headersToStrings(message.headers);
    const retryOf = this.retryTopics.get(receivedTopic);
    const originalTopic = retryOf?.original ?? receivedTopic;
    const state = readRetryState(headers);
    const attempt = retryOf ? state.attempt : 1;
    if (retryOf && state.notBefore > Date.now()) return { type: 'hold', reason: 'delay', untilMs: state.notBefore };

    const label = (l: 'ok' | 'duplicate' | 'retry' | 'dlq'): Outcome => {
      this.o.metrics?.messagesConsumed.inc({ topic: originalTopic, group: this.o.groupId, outcome: l });
      this.o.metrics?.messageProcessingSeconds.observe({ topic: originalTopic, group: this.o.groupId }, Number(process.hrtime.bigint() - started) / 1e9);
      return { type: 'done', label: l };
    };

    let decoded;
    try {
      decoded = await this.o.serde.decode(message.value);
    } catch (err) {
      const c = classifyError(err);
      if (c.errorClass === 'serde.registry-unavailable') {
        this.o.logger.warn('schema registry unavailable; holding partition', { topic: receivedTopic, partition, err });
        return { type: 'hold', reason: 'delay', untilMs: Date.now() + 2_000 };
      }
      await this.toDlq(originalTopic, receivedTopic, partition, message, headers, attempt, c);
      return label('dlq');
    }
    const payload = decoded.payload as { meta?: { eventId?: string; correlationId?: string } } | null;
    const eventId = headers['ce_id'] ?? payload?.meta?.eventId ?? `${originalTopic}-${partition}-${message.offset}`;
    const correlationId = headers['ce_correlationid'] ?? payload?.meta?.correlationId;
    const event: ConsumedEvent = {
      topic: originalTopic,
      receivedFrom: { topic: receivedTopic, partition, offset: message.offset },
      key: message.key ? message.key.toString('utf8') : null,
      eventType: decoded.eventType,
      fullName: decoded.fullName,
      eventId,
      payload: decoded.payload,
      headers,
      attempt,
      idempotencyKey: `${this.o.groupId}:${eventId}`,
      signal: this.abort.signal,
    };

    return withLogContext({ eventId, ...(correlationId ? { correlationId } : {}) }, () =>
      withSpan(
        `odx process ${decoded.eventType}`,
        {
          kind: SpanKind.CONSUMER,
          parent: extractTraceContext(message.headers),
          attributes: {
            'messaging.system': 'kafka',
            'messaging.destination.name': receivedTopic,
            'messaging.kafka.consumer.group': this.o.groupId,
            'messaging.kafka.destination.partition': partition,
            'messaging.kafka.message.offset': Number(message.offset),
            'messaging.message.id': eventId,
            'odx.attempt': attempt,
          },
        },
        async (span): Promise<Outcome> => {
          const store = this.o.idempotency;
          let claim: Extract<ClaimOutcome, { claim: unknown }>['claim'] | undefined;
          if (store) {
            let outcome = await store.claim(this.o.groupId, eventId);
            while (outcome.status === 'busy') {
              // Another member (or a crashed one) holds it: wait out its lease.
              this.o.metrics?.idempotencyOutcomes.inc({ consumer: this.o.groupId, outcome: 'busy' });
              if (this.abort.signal.aborted) return { type: 'hold', reason: 'stopping' };
              await sleep(Math.min(outcome.retryAfterMs + 50, 1_000));
              await heartbeat();
              outcome = await store.claim(this.o.groupId, eventId);
            }
            this.o.metrics?.idempotencyOutcomes.inc({ consumer: this.o.groupId, outcome: outcome.status });
            if (outcome.status === 'duplicate') {
              span.setAttribute('odx.duplicate', true);
              return label('duplicate');
            }
            if (outcome.status === 'taken-over') {
              this.o.logger.warn('took over an expired idempotency lease', { previous_owner: outcome.previousOwner });
            }
            claim = outcome.claim;
          }
          try {
            await this.o.handler(event);
          } catch (err) {
            if (store && claim) await store.release(claim).catch(() => undefined);
            const c = classifyError(err);
            if (c.circuitOpen) return { type: 'hold', reason: 'circuit' };
            if (c.kind === 'transient' && attempt <= this.o.retryDelaysMs.length) {
              await this.toRetry(originalTopic, receivedTopic, partition, message, headers, attempt, c);
              return label('retry');
            }
            await this.toDlq(originalTopic, receivedTopic, partition, message, headers, attempt, c);
            return label('dlq');
          }
          if (store && claim && !(await store.complete(claim))) {
            this.o.logger.warn('idempotency claim was taken over while the effect ran (lease too short?)');
          }
          return label('ok');
        },
      ),
    );
  }

  private async toRetry(original: string, received: string, partition: number, message: KafkaMessage, headers: Record<string, string>, attempt: number, c: FailureClassification): Promise<void> {
    const delay = Math.max(this.o.retryDelaysMs[attempt - 1] ?? 0, c.retryAfterMs ?? 0);
    const target = retryTopicName(original, this.o.groupId, attempt);
    this.o.logger.warn('handler failed (transient); routed to retry topic', { topic: received, partition, offset: message.offset, target, error_class: c.errorClass, error: c.message, attempt });
    await this.o.producer.publishRaw([{
      topic: target,
      key: message.key,
      value: message.value,
      headers: buildRetryHeaders(headers, { originalTopic: original, receivedTopic: received, partition, offset: message.offset, attempt, notBefore: Date.now() + delay, failure: c }),
    }]);
    this.o.metrics?.retriesRouted.inc({ topic: original, group: this.o.groupId, target });
  }

  private async toDlq(original: string, received: string, partition: number, message: KafkaMessage, headers: Record<string, string>, attempt: number, c: FailureClassification): Promise<void> {
    const target = dlqTopicName(original, this.o.groupId);
    this.o.logger.error('message sent to the DLQ', { topic: received, partition, offset: message.offset, target, error_kind: c.kind, error_class: c.errorClass, error: c.message, attempt });
    await this.o.producer.publishRaw([{
      topic: target,
      key: message.key,
      value: message.value,
      headers: buildDlqHeaders(headers, { originalTopic: original, receivedTopic: received, partition, offset: message.offset, attempt, group: this.o.groupId, failure: c }),
    }]);
    this.o.metrics?.dlqRouted.inc({ topic: original, group: this.o.groupId, error_class: c.errorClass });
  }

  private pauseForCircuit(): void {
    if (this.circuitPaused) return;
    if (this.o.circuits.every((c) => c.state !== 'open')) return; // already recovered
    this.circuitPaused = true;
    this.o.logger.warn('downstream circuit open: pausing consumption');
    this.consumer.pause(this.subscribedTopics.map((topic) => ({ topic })));
  }

  private resumeFromCircuit(): void {
    if (!this.circuitPaused) return;
    this.circuitPaused = false;
    this.o.logger.info('downstream circuit no longer open: resuming consumption');
    this.consumer.resume(this.subscribedTopics.map((topic) => ({ topic })));
  }

  /** Stops fetching, lets the message in hand finish, commits what is done and leaves the group. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.abort.abort();
      for (const unsubscribe of this.unsubscribers) unsubscribe();
      await this.consumer.disconnect();
    })();
    return this.closing;
  }
}


