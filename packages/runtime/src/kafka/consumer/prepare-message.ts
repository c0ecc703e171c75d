// What a fetched message is, before anything is claimed or handled: a retry
// not due yet, an event type this consumer does not handle, bytes that are not
// an ODX event, or an event with its id. Only decoding does I/O (a new schema).
import { eventTypeFromFullName, type EventType } from '@odx/schemas';
import { PoisonMessageError } from '../../resilience/errors.js';
import type { DecodedEvent } from '../../serde/event-serde.js';
import { ERROR_HEADERS, readRetryState } from '../failure-headers.js';
import type { RetryTopicOrigin } from './failure-topics.js';
import type { ConsumerMessage } from './group-client.js';

/** What the runner needs of a serde (EventSerde is one). */
export interface EventDecoder {
  decode(value: Buffer | null): Promise<DecodedEvent>;
}

/** One delivery of a message: where it was read, which topic it stands for, which attempt it is. */
export interface Delivery {
  readonly message: ConsumerMessage;
  readonly receivedTopic: string;
  /** The topic the message was first published to (the received one, or the original of a retry topic). */
  readonly originalTopic: string;
  readonly partition: number;
  /** 1 for the first delivery, 2 for the first retry, ... */
  readonly attempt: number;
  /** `process.hrtime.bigint()` when its window began: outcomes are timed from here. */
  readonly startedNs: bigint;
}

export type PreparedMessage =
  /** A retry whose delay has not passed: the partition waits until `untilMs`. */
  | { readonly kind: 'not-due'; readonly delivery: Delivery; readonly untilMs: number }
  /** An event type the handler does not act on. */
  | { readonly kind: 'skip'; readonly delivery: Delivery }
  | { readonly kind: 'undecodable'; readonly delivery: Delivery; readonly error: unknown }
  | PreparedEvent;

export interface PreparedEvent {
  readonly kind: 'event';
  readonly delivery: Delivery;
  readonly decoded: DecodedEvent;
  readonly eventType: EventType;
  readonly eventId: string;
}

export interface PrepareContext {
  readonly retryTopics: ReadonlyMap<string, RetryTopicOrigin>;
  readonly eventTypes: ReadonlySet<string> | 'all';
  readonly now: number;
  readonly startedNs: bigint;
}

/**
 * What can be told from the headers alone: a retry not due yet, or (by its
 * `ce_type` header) an event type the handler does not act on; 'decode' when
 * the value must be read.
 */
export function triageMessage(
  message: ConsumerMessage,
  receivedTopic: string,
  partition: number,
  ctx: PrepareContext,
): PreparedMessage | { kind: 'decode'; delivery: Delivery } {
  const retryOf = ctx.retryTopics.get(receivedTopic);
  const state = readRetryState(message.headers);
  const delivery: Delivery = {
    message,
    receivedTopic,
    originalTopic: retryOf?.original ?? receivedTopic,
    partition,
    // Only retry topics count attempts: a header copied onto a fresh event must not make it a retry.
    attempt: retryOf ? state.attempt : 1,
    startedNs: ctx.startedNs,
  };
  if (retryOf && state.notBefore > ctx.now) return { kind: 'not-due', delivery, untilMs: state.notBefore };
  const ceType = message.headers['ce_type'];
  if (ctx.eventTypes !== 'all' && ceType && !ctx.eventTypes.has(ceType.slice(ceType.lastIndexOf('.') + 1)))
    return { kind: 'skip', delivery };
  return { kind: 'decode', delivery };
}

/** What a decoded record is to this consumer: skipped, not an ODX event (poison), or an event with its id. */
export function identifyEvent(delivery: Delivery, decoded: DecodedEvent, eventTypes: ReadonlySet<string> | 'all'): PreparedMessage {
  if (eventTypes !== 'all' && !eventTypes.has(decoded.eventType)) return { kind: 'skip', delivery };
  // Handlers are typed over the canonical events: a record that is not one (a foreign producer's) is kept in the DLQ.
  const eventType = eventTypeFromFullName(decoded.fullName);
  if (!eventType) {
    const error = new PoisonMessageError(`${decoded.fullName} (schema id ${decoded.schemaId}) is not an ODX event type`, {
      errorClass: 'serde.unknown-event-type',
    });
    return { kind: 'undecodable', delivery, error };
  }
  return { kind: 'event', delivery, decoded, eventType, eventId: eventIdOf(delivery, decoded.payload) };
}

/**
 * The id idempotency keys are made of: the CloudEvents id, else the payload's
 * `meta.eventId`, else (events of foreign producers) the message's first
 * coordinates, which retries keep.
 */
export function eventIdOf(delivery: Delivery, payload: unknown): string {
  const { headers, offset } = delivery.message;
  const ceId = headers['ce_id'];
  if (ceId !== undefined) return ceId;
  const metaId = metaString(payload, 'eventId');
  if (metaId !== undefined) return metaId;
  return `${delivery.originalTopic}-${headers[ERROR_HEADERS.originalPartition] ?? delivery.partition}-${headers[ERROR_HEADERS.originalOffset] ?? offset}`;
}

/** A string field of a payload's `meta` record (any record may lack one: foreign producers). */
export function metaString(payload: unknown, field: 'eventId' | 'correlationId'): string | undefined {
  if (typeof payload !== 'object' || payload === null || !('meta' in payload)) return undefined;
  const meta = payload.meta;
  if (typeof meta !== 'object' || meta === null || !(field in meta)) return undefined;
  const value: unknown = (meta as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}

/** Triage, decode and identification of one message. */
export async function prepareMessage(
  message: ConsumerMessage,
  receivedTopic: string,
  partition: number,
  ctx: PrepareContext,
  decoder: EventDecoder,
): Promise<PreparedMessage> {
  const triaged = triageMessage(message, receivedTopic, partition, ctx);
  if (triaged.kind !== 'decode') return triaged;
  let decoded: DecodedEvent;
  try {
    decoded = await decoder.decode(message.value);
  } catch (error) {
    return { kind: 'undecodable', delivery: triaged.delivery, error };
  }
  return identifyEvent(triaged.delivery, decoded, ctx.eventTypes);
}
