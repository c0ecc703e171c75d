import { setTimeout as sleep } from 'node:timers/promises';
import type { EventType } from '@odx/schemas';
import { BatchProcessor } from './consumer/batch-processor.js';
import { compileConsumerOptions, type CompiledConsumerOptions, type ConsumerRunnerOptions } from './consumer/consumer-options.js';
import { EventExecution } from './consumer/event-execution.js';
import { FailureRouter } from './consumer/failure-router.js';
import { provisionFailureTopics, retryTopicsOf, type RetryTopicOrigin } from './consumer/failure-topics.js';
import type { GroupClient, GroupClientFactory } from './consumer/group-client.js';
import { GroupMembership } from './consumer/group-membership.js';
import { LagSampler } from './consumer/lag-sampler.js';
import { kafkajsGroupClient } from './consumer/kafkajs-group-client.js';
import { EventListeners, type ConsumerRunnerEventMap } from './consumer/outcome-events.js';
import { OutcomeRecorder } from './consumer/outcome-recorder.js';
import { PartitionPauses } from './consumer/partition-pauses.js';
import { isRetriableClientError } from '../resilience/errors.js';

export type { ConsumerRunnerOptions } from './consumer/consumer-options.js';
export { isMembershipError } from './consumer/membership-errors.js';

/** A started consumer as its owner holds it, whatever event types it reads. */
export interface RunningConsumer {
  start(): Promise<void>;
  close(): Promise<void>;
  /** Whether it is a working member of its group (/readyz). */
  readonly health: { ok: boolean; detail: string };
  /** The originals and their retry topics. */
  readonly subscribedTopics: string[];
}

/**
 * Runs a consumer group over canonical topics: eachBatch with heartbeats, one
 * partition's messages in order, partitions concurrently (bounded), offsets
 * committed only after the effect and its idempotency record are done (or the
 * failure was handed to a retry/DLQ topic and acknowledged). Transient failures
 * go to `<topic>.<group>.retry.<n>` and come back after a delay without blocking
 * the partition; permanent and poison ones go to `<topic>.<group>.dlq`. One bad
 * message never stops the loop.
 */
export class ConsumerRunner<T extends EventType = EventType> implements RunningConsumer {
  private readonly options: CompiledConsumerOptions<T>;
  private readonly client: GroupClient;
  private readonly retryTopics: ReadonlyMap<string, RetryTopicOrigin>;
  private readonly membership: GroupMembership;
  private readonly pauses: PartitionPauses;
  private readonly listeners: EventListeners<ConsumerRunnerEventMap>;
  private readonly batches: BatchProcessor<T>;
  private readonly lag: LagSampler | undefined;
  private readonly abort = new AbortController();
  private circuitWatches: Array<() => void> = [];
  private starting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  /**
   * @param createClient the Kafka client to run on (tests, another client library)
   * @default a kafkajs consumer on `options.kafka`
   * @throws ConsumerOptionsError naming each option that is out of range
   */
  constructor(options: ConsumerRunnerOptions<T>, createClient: GroupClientFactory = kafkajsGroupClient(options.kafka)) {
    this.options = compileConsumerOptions(options);
    const { groupId, topics, retryDelaysMs, sessionTimeoutMs, metrics, logger, producer, circuits } = this.options;
    this.retryTopics = retryTopicsOf(topics, groupId, retryDelaysMs.length);
    this.membership = new GroupMembership(sessionTimeoutMs);
    this.pauses = new PartitionPauses(circuits, logger);
    this.listeners = new EventListeners((event, err) => logger.warn('a consumer runner listener threw', { group: groupId, event, err }));
    const recorder = new OutcomeRecorder(groupId, metrics, this.listeners);
    const router = new FailureRouter({ producer, logger, metrics, groupId, retryDelaysMs });
    const execution = new EventExecution({ options: this.options, router, recorder, signal: this.abort.signal });
    this.batches = new BatchProcessor({
      options: this.options,
      retryTopics: this.retryTopics,
      execution,
      router,
      recorder,
      pauses: this.pauses,
      signal: this.abort.signal,
    });
    const client = createClient(
      { groupId, sessionTimeoutMs },
      {
        heartbeat: () => this.membership.heartbeat(),
        joined: (assignment) => {
          this.membership.joined();
          this.lag?.assign(assignment);
          metrics?.consumerRebalances.inc({ group: groupId });
        },
        crashed: (error, restarting) => this.onCrash(error, restarting),
      },
    );
    this.client = client;
    this.lag =
      metrics && this.options.lagSampleMs > 0
        ? new LagSampler({ groupId, gauge: metrics.consumerLag, admin: () => client.admin(), logger, everyMs: this.options.lagSampleMs })
        : undefined;
  }

  /**
   * Whether this runner is a working member of its group: started, joined at
   * least once and not crashed. /readyz reports it.
   */
  get health(): { ok: boolean; detail: string } {
    return this.membership.health();
  }

  /** All topics this runner reads: the originals and their retry topics. */
  get subscribedTopics(): string[] {
    return [...this.options.topics, ...this.retryTopics.keys()];
  }

  /** Listens to the runner's events: `outcome` once per finished message (ok, duplicate, retry, dlq, skipped). A listener that throws is logged. */
  on<K extends keyof ConsumerRunnerEventMap>(event: K, listener: (payload: ConsumerRunnerEventMap[K]) => void): this {
    this.listeners.on(event, listener);
    return this;
  }

  /** Removes a listener added with `on`. */
  off<K extends keyof ConsumerRunnerEventMap>(event: K, listener: (payload: ConsumerRunnerEventMap[K]) => void): this {
    this.listeners.off(event, listener);
    return this;
  }

  /**
   * Provisions retry/DLQ topics, joins the group and starts consuming. Calls
   * while a start is under way share it; after a failed start, `start()` tries
   * again from the beginning.
   */
  start(): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`consumer ${this.options.groupId} is closed: a closed runner does not start again`));
    this.starting ??= this.startRetrying().catch((err: unknown) => {
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  /**
   * Starts, trying again while the client calls the error retriable and the
   * window lasts: services start side by side, and one may subscribe to a
   * topic another created a moment ago, before the broker hosts its partitions.
   */
  private async startRetrying(): Promise<void> {
    const { startRetryWindowMs, logger, groupId } = this.options;
    const deadline = Date.now() + startRetryWindowMs;
    for (let attempt = 1, pauseMs = 250; ; attempt++, pauseMs = Math.min(pauseMs * 2, 5_000)) {
      try {
        return await this.startOnce();
      } catch (err) {
        if (this.closed || !isRetriableClientError(err) || Date.now() + pauseMs > deadline) throw err;
        logger.warn('consumer start failed on a retriable error; trying again', { group: groupId, attempt, retryInMs: pauseMs, err });
        await sleep(pauseMs, undefined, { signal: this.abort.signal }).catch(() => undefined);
        if (this.closed) return;
      }
    }
  }

  private async startOnce(): Promise<void> {
    const { options, client } = this;
    try {
      if (options.provisionTopics)
        await provisionFailureTopics(client.admin(), options.topics, options.groupId, options.retryDelaysMs.length);
      if (options.idempotency) await options.idempotency.init();
      await options.producer.connect();
      if (this.closed) return;
      await client.connect();
      await client.subscribe(this.subscribedTopics, options.fromBeginning);
      // close() ran meanwhile, and its disconnect may have come before our connect.
      if (this.closed) return await client.disconnect();
      this.circuitWatches = this.pauses.watchCircuits((circuit, state) => {
        options.metrics?.circuitState.set({ circuit: circuit.name }, state === 'open' ? 2 : state === 'half-open' ? 1 : 0);
      });
      await client.run({ partitionConcurrency: options.partitionConcurrency, eachBatch: (batch) => this.batches.process(batch) });
      this.lag?.start();
      if (this.closed) await client.disconnect();
    } catch (err) {
      // Undone, so the next start() begins from a clean client.
      this.stopWatchingCircuits();
      await client.disconnect().catch(() => undefined);
      // A start cut short by close() did not fail: the owner asked for the stop.
      if (this.closed) return;
      throw err;
    }
  }

  private get closed(): boolean {
    return this.abort.signal.aborted;
  }

  private stopWatchingCircuits(): void {
    for (const unwatch of this.circuitWatches) unwatch();
    this.circuitWatches = [];
  }

  private onCrash(error: Error, restarting: boolean): void {
    const { groupId, metrics, logger, onFatal } = this.options;
    metrics?.consumerCrashes.inc({ group: groupId, restart: String(restarting) });
    if (restarting) {
      logger.warn('consumer crashed; the client restarts it', { group: groupId, err: error });
      return;
    }
    if (this.closed || !this.membership.crashed(error)) return;
    logger.error('consumer crashed and will not restart: the group has lost this member', { group: groupId, err: error });
    onFatal(error);
  }

  /** Stops fetching, lets the message in hand finish, commits what is done and leaves the group. Idempotent; a failed close can be retried. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.abort.abort();
      this.stopWatchingCircuits();
      await this.lag?.stop();
      await this.client.disconnect();
    })().catch((err: unknown) => {
      this.closing = undefined;
      throw err;
    });
    return this.closing;
  }
}
