import { randomUUID } from 'node:crypto';
import type { EventType } from '@odx/schemas';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import { outgoingEvent, type OutgoingEvent } from '../../src/kafka/index.js';

/** A canonical event with a fresh event id, addressed to `topic`. */
export function orderEvent(topic: string, key: string, extra: { eventType?: EventType; eventId?: string } = {}): OutgoingEvent {
  const eventType = extra.eventType ?? 'OrderConfirmed';
  const payload = {
    ...sampleEvent(eventType),
    meta: sampleMeta({ eventId: extra.eventId ?? randomUUID(), correlationId: key, occurredAt: new Date() }),
  };
  return outgoingEvent(eventType, key, payload, { topic });
}
