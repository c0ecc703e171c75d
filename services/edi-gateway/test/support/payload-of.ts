import assert from 'node:assert/strict';
import { canonicalEventOf, type CanonicalEvent } from '@odx/runtime';
import type { EventType } from '@odx/schemas';

/** A message read back from Kafka: its event type (from the writer schema) and the payload decoded with that schema. */
export interface ReadBack {
  eventType: string;
  payload: unknown;
}

/** The canonical event of type T (for a concrete T, its payload is `EventPayloads[T]`). */
type EventOf<T extends EventType> = Extract<CanonicalEvent, { eventType: T }>;

/** The discriminant check TypeScript does not make by itself for a generic event type. */
function isOfType<T extends EventType>(event: CanonicalEvent, eventType: T): event is EventOf<T> {
  return event.eventType === eventType;
}

/** The payload of `m`, asserted to be an `eventType` event (the test fails naming what arrived instead). */
export function payloadOf<T extends EventType>(m: ReadBack, eventType: T): EventOf<T>['payload'] {
  const event = canonicalEventOf(m);
  assert.ok(event && isOfType(event, eventType), `expected ${eventType}, read ${m.eventType}`);
  return payloadOfEvent(event);
}

/** `e.payload`, typed through `E` (TypeScript reads a property of a generic narrowed union as the whole union's). */
const payloadOfEvent = <E extends CanonicalEvent>(e: E): E['payload'] => e.payload;

/** The payloads of the `eventType` events among `messages`, in order. */
export function payloadsOf<T extends EventType>(messages: readonly ReadBack[], eventType: T): Array<EventOf<T>['payload']> {
  return messages.filter((m) => m.eventType === eventType).map((m) => payloadOf(m, eventType));
}
