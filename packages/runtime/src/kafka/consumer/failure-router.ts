// Hands failed messages on: transient failures to the next retry topic, with
// the time before which they must not run again; everything else to the
// group's DLQ. Both carry the original bytes and the failure's context headers.
import type { Logger } from '../../logging/logger.js';
import type { FailureClassification } from '../../resilience/errors.js';
import type { RuntimeMetrics } from '../../telemetry/metrics.js';
import type { EventProducer, RawOutgoingMessage } from '../event-producer.js';
import { buildDlqHeaders, buildRetryHeaders } from '../failure-headers.js';
import { dlqTopicName, retryTopicName } from '../topic-names.js';
import type { Delivery } from './prepare-message.js';

/** What the runner needs of a producer: connect at start, publish failures as they are. */
export type FailurePublisher = Pick<EventProducer, 'connect' | 'publishRaw'>;

/** A remote's Retry-After is honoured up to 15 minutes: longer would stall the retry partition behind it. */
export const MAX_RETRY_AFTER_MS = 15 * 60_000;

/** How long retry number `attempt` waits: its configured delay, or the remote's Retry-After (capped) when that is longer. */
export function retryDelayMs(retryDelaysMs: readonly number[], attempt: number, retryAfterMs: number | undefined): number {
  return Math.max(retryDelaysMs[attempt - 1] ?? 0, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
}

/** The copy of a failed delivery that goes to its next retry topic (`<topic>.<group>.retry.<attempt>`). */
export function buildRetryMessage(
  d: Delivery,
  failure: FailureClassification,
  groupId: string,
  retryDelaysMs: readonly number[],
  now: number,
): RawOutgoingMessage {
  const notBefore = now + retryDelayMs(retryDelaysMs, d.attempt, failure.retryAfterMs);
  return {
    topic: retryTopicName(d.originalTopic, groupId, d.attempt),
    key: d.message.key,
    value: d.message.value,
    headers: buildRetryHeaders(d.message.headers, { ...coordinates(d), notBefore, failure }, now),
  };
}

/** The copy of a failed delivery that goes to the group's DLQ (`<topic>.<group>.dlq`). */
export function buildDlqMessage(d: Delivery, failure: FailureClassification, groupId: string, now: number): RawOutgoingMessage {
  return {
    topic: dlqTopicName(d.originalTopic, groupId),
    key: d.message.key,
    value: d.message.value,
    headers: buildDlqHeaders(d.message.headers, { ...coordinates(d), group: groupId, failure }, now),
  };
}

function coordinates(d: Delivery): { originalTopic: string; receivedTopic: string; partition: number; offset: string; attempt: number } {
  return {
    originalTopic: d.originalTopic,
    receivedTopic: d.receivedTopic,
    partition: d.partition,
    offset: d.message.offset,
    attempt: d.attempt,
  };
}

export interface FailureRouterOptions {
  producer: FailurePublisher;
  logger: Logger;
  metrics: RuntimeMetrics | undefined;
  groupId: string;
  retryDelaysMs: readonly number[];
}

/** Publishes failed deliveries to retry and DLQ topics; resolves once Kafka has them (the offset may then move on). */
export class FailureRouter {
  constructor(private readonly options: FailureRouterOptions) {}

  async toRetry(d: Delivery, failure: FailureClassification): Promise<void> {
    const { producer, logger, metrics, groupId, retryDelaysMs } = this.options;
    const message = buildRetryMessage(d, failure, groupId, retryDelaysMs, Date.now());
    logger.warn('handler failed (transient); routed to retry topic', {
      topic: d.receivedTopic,
      partition: d.partition,
      offset: d.message.offset,
      target: message.topic,
      error_class: failure.errorClass,
      error: failure.message,
      attempt: d.attempt,
    });
    await producer.publishRaw([message]);
    metrics?.retriesRouted.inc({ topic: d.originalTopic, group: groupId, target: message.topic });
  }

  async toDlq(d: Delivery, failure: FailureClassification): Promise<void> {
    const { producer, logger, metrics, groupId } = this.options;
    const message = buildDlqMessage(d, failure, groupId, Date.now());
    logger.error('message sent to the DLQ', {
      topic: d.receivedTopic,
      partition: d.partition,
      offset: d.message.offset,
      target: message.topic,
      error_kind: failure.kind,
      error_class: failure.errorClass,
      error: failure.message,
      attempt: d.attempt,
    });
    await producer.publishRaw([message]);
    metrics?.dlqRouted.inc({ topic: d.originalTopic, group: groupId, error_class: failure.errorClass });
  }
}
