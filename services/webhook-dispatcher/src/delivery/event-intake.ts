// From a consumed event to the deliveries it makes: one per matching subscription.
import type { ActiveSubscription } from '../subscriptions/subscription-registry.js';
import { cloudEventBody, type EnvelopeSource } from './cloudevent.js';
import type { DeliveryDoc, DeliveryOrigin, Sequence } from './delivery-store.js';

export interface IntakeEvent extends EnvelopeSource {
  partition: number;
  offset: string;
}

/** The deliveries of one event for the given subscriptions (the body is built once and shared). */
export function deliveriesFor(
  event: IntakeEvent,
  subscriptions: readonly ActiveSubscription[],
  o: { seq: Sequence; retentionMs: number; origin?: DeliveryOrigin; idSuffix?: string; now?: number },
): DeliveryDoc[] {
  if (subscriptions.length === 0) return [];
  const body = cloudEventBody(event);
  const now = o.now ?? Date.now();
  return subscriptions.map((s) => ({
    _id: `${s.id}:${event.eventId}${o.idSuffix ?? ''}`,
    subscriptionId: s.id,
    eventId: event.eventId,
    eventType: event.eventType,
    key: event.key,
    orderKey: event.key ?? event.eventId,
    seq: o.seq.next(now),
    topic: event.topic,
    partition: event.partition,
    offset: event.offset,
    body,
    origin: o.origin ?? 'event',
    createdAt: new Date(now),
    expiresAt: new Date(now + o.retentionMs),
  }));
}
