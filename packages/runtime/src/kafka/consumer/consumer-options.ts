// A consumer runner's options: the public, mostly optional ConsumerRunnerOptions,
// and the compiled form in which every default is applied and every value
// checked, once, before anything connects.
import type { EventType } from '@odx/schemas';
import { z } from 'zod';
import type { IdempotencyStore } from '../../idempotency/idempotency-store.js';
import type { Logger } from '../../logging/logger.js';
import type { Circuit } from '../../resilience/circuit-breaker.js';
import type { RuntimeMetrics } from '../../telemetry/metrics.js';
import type { EventHandler } from '../events.js';
import { assertTopicName, dlqTopicName, retryTopicName } from '../topic-names.js';
import type { FailurePublisher } from './failure-router.js';
import type { KafkaClient } from './kafkajs-group-client.js';
import type { EventDecoder } from './prepare-message.js';
import { errorMessage } from '../../resilience/errors.js';

/**
 * A consumer's session by default (ODX_KAFKA_SESSION_TIMEOUT_MS for a service's consumers). It bounds how long a
 * killed member's partitions wait: with kafkajs's 30 s they waited 34-54 s in the chaos run (docs/reliability.md).
 * Batches heartbeat every second while they work, so a slow store call does not end a session.
 */
export const DEFAULT_SESSION_TIMEOUT_MS = 10_000;

/**
 * How often a batch in progress heartbeats on its own, besides after each message (the client sends at most one per
 * heartbeat interval, a tenth of the session).
 */
export const BACKGROUND_HEARTBEAT_MS = 1_000;

export interface ConsumerRunnerOptions<T extends EventType = EventType> {
  kafka: KafkaClient;
  serde: EventDecoder;
  /** Used to route failures to retry and DLQ topics. */
  producer: FailurePublisher;
  logger: Logger;
  metrics?: RuntimeMetrics;
  /** Letters, digits, `.`, `_` and `-`: it also names the group's retry and DLQ topics. */
  groupId: string;
  /** At least one. */
  topics: string[];
  /** Receives each event of the types in `eventTypes` (all canonical types by default), typed by its `eventType`. */
  handler: EventHandler<T>;
  /** Claim/complete keys per (group, eventId); `false` turns deduplication off. */
  idempotency: IdempotencyStore | false;
  /** Delay of each retry topic (ms, 0 or more); the count is the number of retries before the DLQ. @default [1000, 10000, 60000] */
  retryDelaysMs?: number[];
  /** Partitions processed at once (messages of one partition stay in order), at least 1. @default 3 */
  partitionConcurrency?: number;
  /** Where a group with no committed offset starts. @default true */
  fromBeginning?: boolean;
  /** Circuits guarding the handler's downstream: while one is open the consumer pauses. */
  circuits?: Circuit[];
  /** Create the retry and DLQ topics at start. @default true */
  provisionTopics?: boolean;
  /**
   * How long the coordinator waits for a silent member (a killed process) before it hands its partitions to the
   * others; between 1000 and 1800000 (the broker's default bounds are 6000 and 1800000). @default 10000
   */
  sessionTimeoutMs?: number;
  /** Messages whose idempotency keys are claimed in one round trip, at least 1. @default 200 */
  claimBatchSize?: number;
  /**
   * How often `odx_consumer_lag` is sampled for the partitions this member holds (high watermark minus the committed
   * offset; needs `metrics`); 0: never. @default 15000
   */
  lagSampleMs?: number;
  /**
   * How long start() keeps trying again after an error the Kafka client calls
   * retriable (a topic created moments ago whose partitions the broker does
   * not host yet, a coordinator still loading), with a growing pause; other
   * errors fail start() at once. 0 turns the retries off. @default 60000
   */
  startRetryWindowMs?: number;
  /**
   * When idempotency keys are marked done: 'batch' once per claim window, with
   * one write before the window's offsets are resolved (a SIGKILL repeats up to
   * a window of `claimBatchSize` effects, so the effects must be idempotent by
   * `idempotencyKey` or a natural reference the target deduplicates), or 'each'
   * right after each effect, one write per event (a SIGKILL repeats at most the
   * effect in hand). A graceful shutdown repeats nothing in either mode. The
   * README's "Completion modes" section has the measured figures.
   * @default 'batch'
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

/** ConsumerRunnerOptions with every default applied and every value checked; nothing past compilation re-applies defaults. */
export interface CompiledConsumerOptions<T extends EventType = EventType> {
  readonly kafka: KafkaClient;
  readonly serde: EventDecoder;
  readonly producer: FailurePublisher;
  readonly logger: Logger;
  /** Metrics are the one optional part: a runner in a script or test may go without. */
  readonly metrics: RuntimeMetrics | undefined;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly handler: EventHandler<T>;
  readonly idempotency: IdempotencyStore | false;
  readonly retryDelaysMs: readonly number[];
  readonly partitionConcurrency: number;
  readonly fromBeginning: boolean;
  readonly circuits: readonly Circuit[];
  readonly provisionTopics: boolean;
  readonly sessionTimeoutMs: number;
  readonly claimBatchSize: number;
  readonly lagSampleMs: number;
  readonly startRetryWindowMs: number;
  readonly completion: 'each' | 'batch';
  readonly onFatal: (error: Error) => void;
  /** The simple event type names the handler acts on, or 'all'. */
  readonly eventTypes: ReadonlySet<string> | 'all';
}

/** Options a runner cannot work with, each named with what it expects. */
export class ConsumerOptionsError extends Error {
  readonly kind = 'permanent' as const;
  constructor(
    readonly groupId: unknown,
    readonly problems: ReadonlyArray<{ option: string; message: string }>,
  ) {
    super(
      `invalid consumer options${typeof groupId === 'string' && groupId ? ` (group ${groupId})` : ''}:\n${problems.map((p) => `  - ${p.option}: ${p.message}`).join('\n')}`,
    );
    this.name = 'ConsumerOptionsError';
  }
}

const integer = (message: string) => z.number({ error: message }).int({ error: message });

const GROUP_ID = /^[a-zA-Z0-9._-]+$/;

/** The settings that have rules; `undefined` means "use the default", also when spelled out. */
const settingsSchema = z
  .object({
    groupId: z
      .string({ error: 'is required' })
      .regex(GROUP_ID, { error: 'must be one or more of [a-zA-Z0-9._-] (it names the retry and DLQ topics)' }),
    topics: z
      .array(z.string({ error: 'must be a topic name' }), { error: 'must be a list of topic names' })
      .min(1, { error: 'must name at least one topic' }),
    retryDelaysMs: z
      .array(z.number({ error: 'must be a finite number of ms' }).min(0, { error: 'must be 0 or more ms' }), {
        error: 'must be a list of delays in ms',
      })
      .default(() => [1_000, 10_000, 60_000]),
    partitionConcurrency: integer('must be a whole number of partitions').min(1, { error: 'must be at least 1' }).default(3),
    fromBeginning: z.boolean({ error: 'must be true or false' }).default(true),
    provisionTopics: z.boolean({ error: 'must be true or false' }).default(true),
    sessionTimeoutMs: integer('must be a whole number of ms')
      .min(1_000, { error: 'must be at least 1000 ms (the heartbeat interval is a tenth of it)' })
      .max(1_800_000, { error: "must be at most 1800000 ms (30 min, the broker's default group.max.session.timeout.ms)" })
      .default(DEFAULT_SESSION_TIMEOUT_MS),
    claimBatchSize: integer('must be a whole number of messages').min(1, { error: 'must be at least 1' }).default(200),
    lagSampleMs: integer('must be a whole number of ms').min(0, { error: 'must be 0 (off) or more ms' }).default(15_000),
    startRetryWindowMs: integer('must be a whole number of ms').min(0, { error: 'must be 0 or more ms' }).default(60_000),
    completion: z.enum(['each', 'batch'], { error: "must be 'each' or 'batch'" }).default('batch'),
  })
  .superRefine((s, ctx) => {
    // Checked here so a bad name fails at construction, not halfway through start(); a bad group is reported once, above.
    if (!GROUP_ID.test(s.groupId)) return;
    s.topics.forEach((topic, i) => {
      const derived = [topic, dlqTopicName(topic, s.groupId), ...s.retryDelaysMs.map((_, n) => retryTopicName(topic, s.groupId, n + 1))];
      for (const name of derived) {
        const problem = topicNameProblem(name);
        if (problem) {
          ctx.addIssue({ code: 'custom', path: ['topics', i], message: problem });
          return;
        }
      }
    });
  });

function topicNameProblem(name: string): string | undefined {
  try {
    assertTopicName(name);
    return undefined;
  } catch (err) {
    return errorMessage(err);
  }
}

function optionName(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('') || '(options)';
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = input;
  for (const key of path) value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

function shown(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined) return String(value);
  return JSON.stringify(value) ?? String(value);
}

/**
 * Applies the defaults and checks every setting; throws a ConsumerOptionsError
 * naming each bad option and what it expects.
 */
export function compileConsumerOptions<T extends EventType>(options: ConsumerRunnerOptions<T>): CompiledConsumerOptions<T> {
  const input = {
    groupId: options.groupId,
    topics: options.topics,
    retryDelaysMs: options.retryDelaysMs,
    partitionConcurrency: options.partitionConcurrency,
    fromBeginning: options.fromBeginning,
    provisionTopics: options.provisionTopics,
    sessionTimeoutMs: options.sessionTimeoutMs,
    claimBatchSize: options.claimBatchSize,
    lagSampleMs: options.lagSampleMs,
    startRetryWindowMs: options.startRetryWindowMs,
    completion: options.completion,
  };
  const parsed = settingsSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConsumerOptionsError(
      options.groupId,
      parsed.error.issues.map((issue) => ({
        option: optionName(issue.path),
        message: `${issue.message} (got ${shown(valueAt(input, issue.path))})`,
      })),
    );
  }
  const s = parsed.data;
  return {
    kafka: options.kafka,
    serde: options.serde,
    producer: options.producer,
    logger: options.logger,
    metrics: options.metrics,
    handler: options.handler,
    idempotency: options.idempotency,
    groupId: s.groupId,
    topics: Object.freeze([...s.topics]),
    retryDelaysMs: Object.freeze([...s.retryDelaysMs]),
    partitionConcurrency: s.partitionConcurrency,
    fromBeginning: s.fromBeginning,
    provisionTopics: s.provisionTopics,
    sessionTimeoutMs: s.sessionTimeoutMs,
    claimBatchSize: s.claimBatchSize,
    lagSampleMs: s.lagSampleMs,
    startRetryWindowMs: s.startRetryWindowMs,
    completion: s.completion,
    circuits: Object.freeze([...(options.circuits ?? [])]),
    // The runner logs a fatal crash itself; without an owner's callback there is nothing more to do.
    onFatal: options.onFatal ?? (() => undefined),
    eventTypes: options.eventTypes ? new Set<string>(options.eventTypes) : 'all',
  };
}
