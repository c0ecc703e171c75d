import { setTimeout as sleep } from 'node:timers/promises';
import { eventTypeFromFullName, type EventType } from '@odx/schemas';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Claim, ClaimOutcome, IdempotencyStore } from '../idempotency/idempotency-store.js';
import { withLogContext } from '../logging/log-context.js';
import type { Logger } from '../logging/logger.js';
import type { Circuit } from '../resilience/circuit-breaker.js';
import { PoisonMessageError, classifyError, type FailureClassification } from '../resilience/errors.js';
import type { DecodedEvent, EventSerde } from '../serde/event-serde.js';
import type { RuntimeMetrics } from '../telemetry/metrics.js';
import { SpanKind, extractTraceContext, withSpan } from '../telemetry/tracing.js';
import type { EventProducer } from './event-producer.js';
import type { ConsumedEvent, EventHandler } from './events.js';
import { headersToStrings } from './headers.js';
import { ERROR_HEADERS, buildDlqHeaders, buildRetryHeaders, readRetryState } from './failure-headers.js';
import { ensureTopics } from './topic-admin.js';
import { dlqTopicName, retryTopicName } from './topic-names.js';

export interface ConsumerRunnerOptions<T extends EventType = EventType> {
  kafka: Kafka;
  serde: EventSerde;
  /** Used to route failures to retry and DLQ topics. */
  producer: EventProducer;
  logger: Logger;
  metrics?: RuntimeMetrics;
  groupId: string;
  topics: string[];
  /** Receives each event of the types in `eventTypes` (all canonical types by default), typed by its `eventType`. */
  handler: EventHandler<T>;
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
  /** Messages whose idempotency keys are claimed in one round trip. @default 200 */
  claimBatchSize?: number;
  /**
   * When idempotency keys are marked done: 'each' right after each effect (a
   * crash repeats at most the effect in hand), or 'batch' once per claim batch
   * (fewer writes, but a crash repeats up to a batch of effects, so the effects
   * must be idempotent by `idempotencyKey`). @default 'each'
   */
  completion?: 'each' | 'batch';
  /**
   * Called once when the consumer crashed for good (the client does not restart
   * it): the service must not go on looking healthy without consuming. The
   * service runtime shuts the process down with exit code 1, so its supervisor
   * starts it again. @default log only
   */
  onFatal?: (error: Error) => void;
  /**
   * The event types (simple names) the handler acts on. Others are skipped and
   * their offsets committed before any idempotency claim, and before decoding
   * when the `ce_type` header names them: on a shared topic a service pays
   * nothing for events that are not its business (its own included).
   * @default every type
   */
  eventTypes?: readonly T[];
}

const MAX_RETRY_AFTER_MS = 15 * 60_000;

/** Kafka errors that mean this member is out of (or leaving) its group: the client must see them to rejoin. */
const MEMBERSHIP_ERRORS = new Set(['REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']);

/** Whether `err` says this member is out of its group (kafkajs puts the protocol error name in `type`). */
export function isMembershipError(err: unknown): err is Error {
  return err instanceof Error && MEMBERSHIP_ERRORS.has(String((err as { type?: unknown }).type));
}

type DoneLabel = 'ok' | 'duplicate' | 'retry' | 'dlq' | 'skipped';

interface PreparedBase {
  message: KafkaMessage;
  headers: Record<string, string>;
  receivedTopic: string;
  originalTopic: string;
  partition: number;
  attempt: number;
  started: bigint;
}

interface PreparedEvent extends PreparedBase {
  type: 'event';
  decoded: DecodedEvent;
  eventType: EventType;
  event: { eventId: string };
}

type Prepared =
  | (PreparedBase & { type: 'hold'; outcome: Extract<Outcome, { type: 'hold' }> })
  | (PreparedBase & { type: 'skip' })
  | (PreparedBase & { type: 'undecodable'; error: unknown })
  | PreparedEvent;

type Outcome =
  | { type: 'done'; label: DoneLabel }
  | { type: 'hold'; reason: 'circuit' | 'delay' | 'stopping'; untilMs?: number };

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
  private readonly consumer: Consumer;
  private readonly o: Required<Omit<ConsumerRunnerOptions<T>, 'metrics' | 'circuits' | 'eventTypes' | 'onFatal'>> & Pick<ConsumerRunnerOptions<T>, 'metrics' | 'onFatal'> & { circuits: Circuit[] };
  private readonly retryTopics = new Map<string, { original: string; n: number }>();
  private readonly abort = new AbortController();
  /** Resume functions of partitions paused for an open circuit. */
  private readonly circuitResumes = new Set<() => void>();
  private readonly unsubscribers: Array<() => void> = [];
  private closing: Promise<void> | undefined;
  private started = false;
  private readonly eventTypes: ReadonlySet<string> | undefined;
  private crashed: Error | undefined;
  private joined = false;
  /** Last sign of membership: a join or a heartbeat the coordinator accepted. */
  private lastBeatAt = 0;

  constructor(options: ConsumerRunnerOptions<T>) {
    this.eventTypes = options.eventTypes ? new Set(options.eventTypes) : undefined;
    this.o = {
      retryDelaysMs: [1_000, 10_000, 60_000],
      partitionConcurrency: 3,
      fromBeginning: true,
      provisionTopics: true,
      sessionTimeoutMs: 30_000,
      claimBatchSize: 200,
      completion: 'each',
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
    this.consumer.on(this.consumer.events.HEARTBEAT, () => {
      this.lastBeatAt = Date.now();
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.joined = true;
      this.lastBeatAt = Date.now();
      this.o.metrics?.consumerRebalances.inc({ group: this.o.groupId });
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.o.metrics?.consumerCrashes.inc({ group: this.o.groupId, restart: String(payload.restart) });
      if (payload.restart) {
        this.o.logger.warn('consumer crashed; the client restarts it', { group: this.o.groupId, err: payload.error });
        return;
      }
      if (this.abort.signal.aborted || this.crashed) return;
      this.crashed = payload.error;
      this.o.logger.error('consumer crashed and will not restart: the group has lost this member', { group: this.o.groupId, err: payload.error });
      this.o.onFatal?.(payload.error);
    });
  }

  /**
   * Whether this runner is a working member of its group: started, joined at
   * least once and not crashed. /readyz reports it.
   */
  get health(): { ok: boolean; detail: string } {
    if (this.crashed) return { ok: false, detail: `consumer crashed: ${this.crashed.message}` };
    if (!this.joined) return { ok: false, detail: 'has not joined its group yet' };
    // The client heartbeats every few seconds, also while partitions are paused; silence for two session
    // timeouts means the coordinator has dropped this member.
    const silentMs = Date.now() - this.lastBeatAt;
    if (silentMs > 2 * this.o.sessionTimeoutMs) return { ok: false, detail: `no heartbeat accepted for ${Math.round(silentMs / 1000)} s: the member may have left its group` };
    return { ok: true, detail: 'member of its group' };
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
    this.o.metrics?.consumerLag.set({ topic: batch.topic, partition: String(batch.partition), group: this.o.groupId }, Number(batch.offsetLag()));
    const messages = batch.messages;
    const store = this.o.idempotency;
    // Claims are taken a window at a time and the window closes at half the
    // lease, so no claim of ours expires while its message waits its turn.
    const windowMs = store ? store.leaseDurationMs / 2 : Number.POSITIVE_INFINITY;
    let pos = 0;
    while (pos < messages.length) {
      if (!isRunning() || isStale() || this.abort.signal.aborted) return;
      if (this.anyCircuitOpen()) return this.applyHold({ type: 'hold', reason: 'circuit' }, payload);
      const claimedAt = Date.now();
      let chunk: Prepared[] = [];
      let claims = new Map<string, ClaimOutcome>();
      const completions: Claim[] = [];
      let lastDone: string | undefined;
      let hold: Extract<Outcome, { type: 'hold' }> | undefined;
      let membership: Error | undefined;
      let index = 0;
      try {
        chunk = await Promise.all(messages.slice(pos, pos + this.o.claimBatchSize).map((m) => this.prepare(batch.topic, batch.partition, m)));
        // One round trip claims the window's keys (up to a delayed retry, which ends the window).
        const firstHold = chunk.findIndex((p) => p.type === 'hold');
        const claimable = (firstHold === -1 ? chunk : chunk.slice(0, firstHold)).flatMap((p) => (p.type === 'event' ? [p.event.eventId] : []));
        if (store && claimable.length > 0) claims = await store.claimMany(this.o.groupId, claimable);
        const seen = new Set<string>();
        for (; index < chunk.length; index++) {
          const p = chunk[index]!;
          if (!isRunning() || isStale() || this.abort.signal.aborted) {
            hold = { type: 'hold', reason: 'stopping' };
            break;
          }
          if (index > 0 && Date.now() - claimedAt > windowMs) break;
          let outcome: Outcome;
          if (p.type === 'hold') outcome = p.outcome;
          else if (p.type === 'skip') outcome = this.label(p, 'skipped');
          else if (p.type === 'undecodable') outcome = await this.undecodable(p);
          else {
            const first = !seen.has(p.event.eventId);
            seen.add(p.event.eventId);
            outcome = await this.execute(p, first ? claims.get(p.event.eventId) : { status: 'duplicate', completedAt: new Date() }, heartbeat, completions);
          }
          if (outcome.type === 'hold') {
            hold = outcome;
            break;
          }
          lastDone = p.message.offset;
          await heartbeat();
        }
      } catch (err) {
        // This member left (or is leaving) its group: only the client can rejoin, and only if it sees the
        // error. Held here, the member stayed out for good while /readyz said ready (soak, 2026-12-04).
        if (isMembershipError(err)) membership = err;
        else {
          // Mongo, Kafka or the registry failing under us: keep what is done, back off, try again.
          this.o.logger.warn('batch processing failed; holding the partition', { topic: batch.topic, partition: batch.partition, err });
          hold = { type: 'hold', reason: 'delay', untilMs: Date.now() + 2_000 };
        }
      } finally {
        if (store) {
          if (completions.length > 0) {
            const recorded = await store.completeMany(completions).catch(() => 0);
            if (recorded < completions.length) this.o.logger.warn('some idempotency keys were already done', { expected: completions.length, recorded });
          }
          // Claims taken for messages this window did not reach are given back.
          const unreached = chunk.slice(index).flatMap((p) => {
            const c = p.type === 'event' ? claims.get(p.event.eventId) : undefined;
            return c && 'claim' in c ? [c.claim] : [];
          });
          if (unreached.length > 0) await store.releaseMany(unreached).catch(() => undefined);
        }
        if (lastDone !== undefined) resolveOffset(lastDone);
      }
      if (membership) {
        this.o.logger.warn('this member is no longer in its group; handing the batch back so the client rejoins', { topic: batch.topic, partition: batch.partition, error: membership.message });
        throw membership;
      }
      if (hold) return this.applyHold(hold, payload);
      pos += index;
    }
  }

  private anyCircuitOpen(): boolean {
    return this.o.circuits.some((c) => c.state === 'open');
  }

  /** Pauses this partition for a delayed retry, an open circuit or a failure; unresolved messages are re-fetched on resume. */
  private applyHold(hold: Extract<Outcome, { type: 'hold' }>, payload: EachBatchPayload): void {
    if (hold.reason === 'stopping') return;
    const resume = payload.pause();
    let resumed = false;
    const once = (): void => {
      if (resumed) return;
      resumed = true;
      this.circuitResumes.delete(once);
      resume();
    };
    if (hold.reason === 'delay') {
      setTimeout(once, Math.max(0, (hold.untilMs ?? Date.now()) - Date.now())).unref();
      return;
    }
    // Circuit: resumed when a circuit we watch half-opens or closes; a breaker we
    // were not told about (or a half-open one refusing all but its trial call)
    // gets a timed back-off instead.
    if (this.anyCircuitOpen()) {
      if (this.circuitResumes.size === 0) this.o.logger.warn('downstream circuit open: pausing consumption');
      this.circuitResumes.add(once);
    } else {
      setTimeout(once, 1_000).unref();
    }
  }

  private resumeFromCircuit(): void {
    if (this.circuitResumes.size === 0) return;
    this.o.logger.info('downstream circuit no longer open: resuming consumption', { partitions: this.circuitResumes.size });
    for (const resume of [...this.circuitResumes]) resume();
  }

  /** Decodes one message and works out its retry state; no I/O unless a schema is new. */
  private async prepare(receivedTopic: string, partition: number, message: KafkaMessage): Promise<Prepared> {
    const started = process.hrtime.bigint();
    const headers = headersToStrings(message.headers);
    const retryOf = this.retryTopics.get(receivedTopic);
    const originalTopic = retryOf?.original ?? receivedTopic;
    const state = readRetryState(headers);
    const attempt = retryOf ? state.attempt : 1;
    const base = { message, headers, receivedTopic, originalTopic, partition, attempt, started };
    if (retryOf && state.notBefore > Date.now()) return { ...base, type: 'hold', outcome: { type: 'hold', reason: 'delay', untilMs: state.notBefore } };
    const ceType = headers['ce_type'];
    if (this.eventTypes && ceType && !this.eventTypes.has(ceType.slice(ceType.lastIndexOf('.') + 1))) return { ...base, type: 'skip' };
    let decoded: DecodedEvent;
    try {
      decoded = await this.o.serde.decode(message.value);
    } catch (error) {
      return { ...base, type: 'undecodable', error };
    }
    if (this.eventTypes && !this.eventTypes.has(decoded.eventType)) return { ...base, type: 'skip' };
    // Handlers are typed over the canonical events: a record that is not one (a foreign producer's) is kept in the DLQ.
    const eventType = eventTypeFromFullName(decoded.fullName);
    if (!eventType) {
      return { ...base, type: 'undecodable', error: new PoisonMessageError(`${decoded.fullName} (schema id ${decoded.schemaId}) is not an ODX event type`, { errorClass: 'serde.unknown-event-type' }) };
    }
    const meta = (decoded.payload as { meta?: { eventId?: unknown } } | null)?.meta;
    // Events without an id (foreign producers) are named by their first coordinates, which retries keep.
    const eventId = headers['ce_id'] ?? (typeof meta?.eventId === 'string'
      ? meta.eventId
      : `${originalTopic}-${headers[ERROR_HEADERS.originalPartition] ?? partition}-${headers[ERROR_HEADERS.originalOffset] ?? message.offset}`);
    return { ...base, type: 'event', decoded, eventType, event: { eventId } };
  }

  private label(p: PreparedBase, l: DoneLabel): Outcome {
    this.o.metrics?.messagesConsumed.inc({ topic: p.originalTopic, group: this.o.groupId, outcome: l });
    this.o.metrics?.messageProcessingSeconds.observe({ topic: p.originalTopic, group: this.o.groupId }, Number(process.hrtime.bigint() - p.started) / 1e9);
    return { type: 'done', label: l };
  }

  private async undecodable(p: PreparedBase & { error: unknown }): Promise<Outcome> {
    const c = classifyError(p.error);
    if (c.errorClass === 'serde.registry-unavailable') {
      this.o.logger.warn('schema registry unavailable; holding partition', { topic: p.receivedTopic, partition: p.partition, err: p.error });
      return { type: 'hold', reason: 'delay', untilMs: Date.now() + 2_000 };
    }
    await this.toDlq(p, c);
    return this.label(p, 'dlq');
  }

  /** Runs the handler for one decoded event under its claim, and routes failures. */
  private async execute(p: PreparedEvent, claimed: ClaimOutcome | undefined, heartbeat: () => Promise<void>, completions: Claim[]): Promise<Outcome> {
    const { message, headers, partition, decoded } = p;
    const payload = decoded.payload as { meta?: { eventId?: string; correlationId?: string } } | null;
    const eventId = p.event.eventId;
    const correlationId = headers['ce_correlationid'] ?? payload?.meta?.correlationId;
    // The one place a payload gets its type: the serde read it with the canonical schema of `eventType`,
    // and `prepare` skipped types outside `eventTypes`.
    const event = {
      topic: p.originalTopic,
      receivedFrom: { topic: p.receivedTopic, partition, offset: message.offset },
      key: message.key ? message.key.toString('utf8') : null,
      eventType: p.eventType,
      fullName: decoded.fullName,
      eventId,
      payload: decoded.payload,
      headers,
      attempt: p.attempt,
      idempotencyKey: `${this.o.groupId}:${eventId}`,
      signal: this.abort.signal,
    } as ConsumedEvent<T>;

    return withLogContext({ eventId, ...(correlationId ? { correlationId } : {}) }, () =>
      withSpan(
        `odx process ${decoded.eventType}`,
        {
          kind: SpanKind.CONSUMER,
          parent: extractTraceContext(message.headers),
          attributes: {
            'messaging.system': 'kafka',
            'messaging.destination.name': p.receivedTopic,
            'messaging.kafka.consumer.group': this.o.groupId,
            'messaging.kafka.destination.partition': partition,
            'messaging.kafka.message.offset': Number(message.offset),
            'messaging.message.id': eventId,
            'odx.attempt': p.attempt,
          },
        },
        async (span): Promise<Outcome> => {
          const store = this.o.idempotency;
          let claim: Claim | undefined;
          if (store) {
            let outcome = claimed ?? (await store.claim(this.o.groupId, eventId));
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
              return this.label(p, 'duplicate');
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
            // Shutting down: the message stays unresolved and the next owner takes it.
            if (this.abort.signal.aborted) return { type: 'hold', reason: 'stopping' };
            const c = classifyError(err);
            if (c.circuitOpen) return { type: 'hold', reason: 'circuit' };
            if (c.kind === 'transient' && p.attempt <= this.o.retryDelaysMs.length) {
              await this.toRetry(p, c);
              return this.label(p, 'retry');
            }
            await this.toDlq(p, c);
            return this.label(p, 'dlq');
          }
          if (claim && store) {
            if (this.o.completion === 'each') {
              if (!(await store.complete(claim, { verifyHolder: false }))) this.o.logger.warn('idempotency key was already done: another holder finished the same event (lease too short?)');
            } else completions.push(claim);
          }
          return this.label(p, 'ok');
        },
      ),
    );
  }

  private async toRetry(p: PreparedBase, c: FailureClassification): Promise<void> {
    // A remote's Retry-After is honoured up to 15 minutes: longer would stall the retry partition.
    const delay = Math.max(this.o.retryDelaysMs[p.attempt - 1] ?? 0, Math.min(c.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
    const target = retryTopicName(p.originalTopic, this.o.groupId, p.attempt);
    this.o.logger.warn('handler failed (transient); routed to retry topic', { topic: p.receivedTopic, partition: p.partition, offset: p.message.offset, target, error_class: c.errorClass, error: c.message, attempt: p.attempt });
    await this.o.producer.publishRaw([{
      topic: target,
      key: p.message.key,
      value: p.message.value,
      headers: buildRetryHeaders(p.headers, { originalTopic: p.originalTopic, receivedTopic: p.receivedTopic, partition: p.partition, offset: p.message.offset, attempt: p.attempt, notBefore: Date.now() + delay, failure: c }),
    }]);
    this.o.metrics?.retriesRouted.inc({ topic: p.originalTopic, group: this.o.groupId, target });
  }

  private async toDlq(p: PreparedBase, c: FailureClassification): Promise<void> {
    const target = dlqTopicName(p.originalTopic, this.o.groupId);
    this.o.logger.error('message sent to the DLQ', { topic: p.receivedTopic, partition: p.partition, offset: p.message.offset, target, error_kind: c.kind, error_class: c.errorClass, error: c.message, attempt: p.attempt });
    await this.o.producer.publishRaw([{
      topic: target,
      key: p.message.key,
      value: p.message.value,
      headers: buildDlqHeaders(p.headers, { originalTopic: p.originalTopic, receivedTopic: p.receivedTopic, partition: p.partition, offset: p.message.offset, attempt: p.attempt, group: this.o.groupId, failure: c }),
    }]);
    this.o.metrics?.dlqRouted.inc({ topic: p.originalTopic, group: this.o.groupId, error_class: c.errorClass });
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


