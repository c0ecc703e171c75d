// The typed event contract between services and the runtime: what a service
// publishes and what its handler receives, keyed by event type over the
// generated `EventPayloads` map, so a handler narrows on `eventType` and gets
// the payload's type with no cast.
import { isEventType, type EventPayloads, type EventType } from '@odx/schemas';

/** The meta record every canonical event starts with. */
export interface EventMetaLike {
  eventId: string;
  occurredAt: Date;
  source: string;
  correlationId: string;
  causationId?: string | null;
  company: string;
}

interface OutgoingEnvelope {
  /** Message key: the aggregate id, so one aggregate's events stay in order. */
  key: string;
  /** @default the catalog topic of `eventType` */
  topic?: string;
  /** Extra headers (CloudEvents and traceparent are added). */
  headers?: Record<string, string>;
}

/**
 * An event to publish. `OutgoingEvent` is the union over every event type;
 * `OutgoingEvent<'OrderConfirmed'>` is one type. The payload's type follows
 * `eventType`.
 */
export type OutgoingEvent<T extends EventType = EventType> = {
  [K in T]: OutgoingEnvelope & { eventType: K; payload: EventPayloads[K] };
}[T];

/**
 * Builds an OutgoingEvent, checking the payload against its event type: the
 * typed constructor for code generic over `T`, whose result also fits where
 * any event goes (TypeScript does not see `OutgoingEvent<T>` as a member of
 * the union while `T` is generic).
 */
export function outgoingEvent<T extends EventType>(
  eventType: T,
  key: string,
  payload: EventPayloads[T],
  extra: { topic?: string; headers?: Record<string, string> } = {},
): OutgoingEvent<T> & OutgoingEvent {
  // The one cast: the parameters above tie the payload to its event type.
  return { eventType, key, payload, ...extra } as OutgoingEvent<T> & OutgoingEvent;
}

/** Where one published event landed. */
export interface PublishedEvent {
  topic: string;
  partition: number;
  /** The event's offset in its partition (decimal string, as Kafka offsets are 64-bit). */
  offset: string;
  eventType: EventType;
  eventId: string;
}

interface ConsumedEnvelope {
  /** The topic the event was first published to (also for retried deliveries). */
  topic: string;
  /** Where this delivery came from (the original topic or one of its retry topics). */
  receivedFrom: { topic: string; partition: number; offset: string };
  key: string | null;
  /** Full record name of the writer schema, e.g. com.odx.events.OrderConfirmed. */
  fullName: string;
  eventId: string;
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

/**
 * One decoded event as a handler sees it: a union over the event types the
 * consumer asked for (`eventTypes`), so `switch (event.eventType)` narrows the
 * payload.
 */
export type ConsumedEvent<T extends EventType = EventType> = {
  [K in T]: ConsumedEnvelope & { eventType: K; payload: EventPayloads[K] };
}[T];

export type EventHandler<T extends EventType = EventType> = (event: ConsumedEvent<T>) => Promise<void>;

/**
 * An event type and its payload, without an envelope: what code that only
 * reads payloads (indexes, projections) takes. `ConsumedEvent` and
 * `OutgoingEvent` both fit it; `switch (event.eventType)` narrows the payload.
 */
export type CanonicalEvent<T extends EventType = EventType> = {
  [K in T]: { eventType: K; payload: EventPayloads[K] };
}[T];

/**
 * The canonical event of an (event type, payload) pair that `EventSerde.decode`
 * returned outside a consumer runner (retry and DLQ topics read as they are);
 * undefined when the record is not an ODX event type.
 */
export function canonicalEventOf(decoded: { eventType: string; payload: unknown }): CanonicalEvent | undefined {
  if (!isEventType(decoded.eventType)) return undefined;
  // The one cast: the serde decoded the payload with the writer schema of this event type, so it has that shape.
  return { eventType: decoded.eventType, payload: decoded.payload } as CanonicalEvent;
}
