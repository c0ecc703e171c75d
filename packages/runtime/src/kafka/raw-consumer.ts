import type { Consumer, EachBatchPayload } from 'kafkajs';
import { consumerDefaultsOf, kafkaClientOf, type ClusterAdmin } from './cluster-admin.js';
import { toRawMessage, type RawMessage } from './raw-message.js';
import { DEFAULT_SESSION_TIMEOUT_MS } from './consumer/consumer-options.js';
import { heartbeatWhile } from './consumer/heartbeat-while.js';

export interface RawBatch {
  topic: string;
  partition: number;
  /** Never empty; in offset order. */
  messages: RawMessage[];
}

export interface RawConsumerOptions {
  groupId: string;
  /** The topics read (a fixed set: a new set needs a new RawConsumer). */
  topics: string[];
  /**
   * Called with each batch of one partition. Its offsets are committed after it
   * resolves; when it throws, the client restarts and the batch comes again.
   */
  onBatch: (batch: RawBatch) => Promise<void>;
  /** Where a group with no committed offset starts. @default true */
  fromBeginning?: boolean;
  /** How long a silent member keeps its partitions. @default the cluster's (a service's ODX_KAFKA_SESSION_TIMEOUT_MS), else 10000 */
  sessionTimeoutMs?: number;
  /** @default min(3000, sessionTimeoutMs / 10) */
  heartbeatIntervalMs?: number;
  /** Partitions processed at once. @default 3 */
  partitionConcurrency?: number;
  /** How long a fetch waits for data. @default 500 */
  maxWaitMs?: number;
  /** Closes the consumer when aborted. */
  signal?: AbortSignal;
  /** Called once when the client stopped for good after a crash it does not recover from. @default nothing */
  onFatal?: (error: Error) => void;
}

type CompiledRawConsumerOptions = Required<Omit<RawConsumerOptions, 'signal'>> & Pick<RawConsumerOptions, 'signal'>;

function compileRawConsumerOptions(o: RawConsumerOptions, defaults: { sessionTimeoutMs?: number }): CompiledRawConsumerOptions {
  const sessionTimeoutMs = o.sessionTimeoutMs ?? defaults.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
  return {
    groupId: o.groupId,
    topics: [...o.topics],
    onBatch: o.onBatch,
    fromBeginning: o.fromBeginning ?? true,
    sessionTimeoutMs,
    heartbeatIntervalMs: o.heartbeatIntervalMs ?? Math.min(3_000, Math.floor(sessionTimeoutMs / 10)),
    partitionConcurrency: o.partitionConcurrency ?? 3,
    maxWaitMs: o.maxWaitMs ?? 500,
    onFatal: o.onFatal ?? (() => undefined),
    ...(o.signal ? { signal: o.signal } : {}),
  };
}

/**
 * A plain consumer-group member that hands over records undecoded, for readers
 * of messages that are not (or no longer) canonical events: retry and DLQ
 * copies, whose bytes may be what made them fail. No retry topics, no
 * idempotency keys: the callback's effect must be idempotent itself (a crash
 * redelivers from the last commit).
 */
export class RawConsumer {
  private readonly settings: CompiledRawConsumerOptions;
  private readonly consumer: Consumer;
  private starting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(cluster: ClusterAdmin, options: RawConsumerOptions) {
    this.settings = compileRawConsumerOptions(options, consumerDefaultsOf(cluster));
    this.consumer = kafkaClientOf(cluster).consumer({
      groupId: this.settings.groupId,
      maxWaitTimeInMs: this.settings.maxWaitMs,
      allowAutoTopicCreation: false,
      sessionTimeout: this.settings.sessionTimeoutMs,
      heartbeatInterval: this.settings.heartbeatIntervalMs,
    });
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      if (!e.payload.restart && !this.closing) this.settings.onFatal(e.payload.error);
    });
    this.settings.signal?.addEventListener('abort', () => void this.close(), { once: true });
  }

  get topics(): string[] {
    return [...this.settings.topics];
  }

  /** Joins the group and starts delivering batches; a failed start can be retried. */
  start(): Promise<void> {
    if (this.closing) return Promise.reject(new Error('RawConsumer is closed'));
    this.starting ??= (async () => {
      await this.consumer.connect();
      await this.consumer.subscribe({ topics: this.settings.topics, fromBeginning: this.settings.fromBeginning });
      await this.consumer.run({
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.settings.partitionConcurrency,
        eachBatch: (p) => this.eachBatch(p),
      });
    })().catch(async (err: unknown) => {
      await this.consumer.disconnect().catch(() => undefined);
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  private async eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0 || !isRunning() || isStale()) return;
    await heartbeatWhile(heartbeat, () =>
      this.settings.onBatch({
        topic: batch.topic,
        partition: batch.partition,
        messages: batch.messages.map((m) => toRawMessage(batch.topic, batch.partition, m)),
      }),
    );
    resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
    await heartbeat();
  }

  /** Leaves the group after the batches in hand (their offsets committed); idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.starting?.catch(() => undefined);
      await this.consumer.disconnect();
    })().catch((err: unknown) => {
      this.closing = undefined; // a failed close can be retried
      throw err;
    });
    return this.closing;
  }
}
