import type { IndexedEvent } from '../ingest/event-record.js';
import { parseLink } from '../ingest/order-links.js';
import { buildLifecycle, type OrderLifecycle } from './lifecycle.js';
import { assignOrders } from './order-graph.js';

export interface TimelineHop {
  time: string;
  type: string;
  /** event, retry or dlq. */
  entry: IndexedEvent['entry'];
  eventId: string | null;
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  traceId: string | null;
  source: string | null;
  service: string | null;
  /** Milliseconds since the previous hop (null for the first). */
  sincePreviousMs: number | null;
  sinceFirstMs: number;
  error?: {
    group: string | null;
    errorClass: string | null;
    kind: string | null;
    message: string | null;
    attempt: number | null;
    originalTopic: string | null;
    originalPartition: number | null;
    originalOffset: number | null;
  };
}

export interface OrderTimeline {
  ref: string;
  orderId: string;
  lifecycle: Omit<OrderLifecycle, 'milestones' | 'firstEventAt' | 'lastEventAt' | 'exceptions'> & {
    milestones: Record<string, string>;
    exceptions: Array<{ time: string; kind: string; code: string | null; severity: string | null; eventId: string | null; type: string }>;
  };
  traceIds: string[];
  hops: TimelineHop[];
}

/** Tokens of an entry worth following to find more of the same order's entries (not a payment's: it may span orders). */
export function followTokens(entries: readonly IndexedEvent[]): string[] {
  const out = new Set<string>();
  for (const e of entries) {
    if (e.type === 'PaymentReceived') continue;
    for (const t of e.links) {
      const kind = parseLink(t)?.kind;
      if (kind === 'order' || kind === 'shipment' || kind === 'invoice' || kind === 'edidoc' || kind === 'return') out.add(t);
    }
  }
  return [...out];
}

/** The orders `ref` names among `entries`: its own id, or the order whose order events carry it as name or PO. */
export function ordersForReference(ref: string, entries: readonly IndexedEvent[]): string[] {
  const ids = new Set<string>();
  for (const e of entries) {
    if (e.links.includes(`order:${ref}`)) return [ref];
    if (e.type === 'OrderReceived' || e.type === 'OrderConfirmed' || e.type === 'OrderCancelled') {
      if (e.links.includes(`name:${ref}`) || e.links.includes(`po:${ref}`)) {
        const order = e.links.find((t) => t.startsWith('order:'));
        if (order) ids.add(order.slice(6));
      }
    }
  }
  return [...ids].sort();
}

/**
 * Time order, corrected so that no entry precedes its cause. Times alone mislead: Odoo's write_date has whole
 * seconds, so the OrderConfirmed an EDI OrderReceived caused (at 10:00:00.400) carries 10:00:00 and sorted first.
 * An entry's causes are the entry its causationId names, the canonical event a retry or DLQ copy is of, and,
 * within the same key, the OrderReceived that opened the order. Among entries whose causes are all shown, the
 * earliest in time order goes next (a stable topological sort; a cycle, which the links cannot form, falls back
 * to time order).
 */
export function causalOrder(entries: readonly IndexedEvent[]): IndexedEvent[] {
  const timed = [...entries].sort(
    (a, b) =>
      a.time.getTime() - b.time.getTime() ||
      (a.entry === 'event' ? 0 : 1) - (b.entry === 'event' ? 0 : 1) ||
      a.topic.localeCompare(b.topic) ||
      a.partition - b.partition ||
      a.offset - b.offset,
  );
  const events = new Map<string, number>();
  const received = new Map<string, number[]>();
  timed.forEach((e, i) => {
    if (e.entry !== 'event') return;
    if (e.eventId !== null) events.set(e.eventId, i);
    if (e.type === 'OrderReceived' && e.key !== null) received.set(e.key, [...(received.get(e.key) ?? []), i]);
  });
  const causes = timed.map((e, i) => {
    const of = new Set<number>();
    const named = e.causationId ? events.get(e.causationId) : undefined;
    if (named !== undefined) of.add(named);
    const original = e.entry !== 'event' && e.eventId !== null ? events.get(e.eventId) : undefined;
    if (original !== undefined) of.add(original);
    if (e.key !== null && !(e.type === 'OrderReceived' && e.entry === 'event')) for (const r of received.get(e.key) ?? []) of.add(r);
    of.delete(i);
    return of;
  });
  const shown = new Array<boolean>(timed.length).fill(false);
  const out: IndexedEvent[] = [];
  while (out.length < timed.length) {
    let next = timed.findIndex((_, i) => !shown[i] && [...causes[i]!].every((c) => shown[c]));
    if (next < 0) next = shown.indexOf(false);
    shown[next] = true;
    out.push(timed[next]!);
  }
  return out;
}

/** Every entry of `orderId` among `entries`, in causal time order (causalOrder), with the gaps between hops. */
export function buildTimeline(ref: string, orderId: string, entries: readonly IndexedEvent[]): OrderTimeline {
  const mine = causalOrder(assignOrders(entries).get(orderId) ?? []);
  // Gaps from the earliest time; a hop moved after its cause may be "earlier" by the cause's clock: its gap is 0.
  const first = Math.min(...mine.map((e) => e.time.getTime()));
  let prev: number | null = null;
  const hops = mine.map((e): TimelineHop => {
    const t = e.time.getTime();
    const hop: TimelineHop = {
      time: e.time.toISOString(),
      type: e.type,
      entry: e.entry,
      eventId: e.eventId,
      topic: e.topic,
      partition: e.partition,
      offset: e.offset,
      key: e.key,
      traceId: e.traceId,
      source: e.source,
      service: e.ceSource,
      sincePreviousMs: prev === null ? null : Math.max(0, t - prev),
      sinceFirstMs: t - first,
      ...(e.error
        ? {
            error: {
              group: e.error.group,
              errorClass: e.error.errorClass,
              kind: e.error.kind,
              message: e.error.message,
              attempt: e.error.attempt,
              originalTopic: e.error.originalTopic,
              originalPartition: e.error.originalPartition,
              originalOffset: e.error.originalOffset,
            },
          }
        : {}),
    };
    prev = prev === null ? t : Math.max(prev, t);
    return hop;
  });
  const l = buildLifecycle(orderId, mine);
  return {
    ref,
    orderId,
    lifecycle: {
      ...l,
      milestones: Object.fromEntries(Object.entries(l.milestones).map(([k, v]) => [k, v.toISOString()])),
      exceptions: l.exceptions.map((x) => ({ ...x, time: x.time.toISOString() })),
    },
    traceIds: [...new Set(mine.map((e) => e.traceId).filter((t): t is string => t !== null))],
    hops,
  };
}
