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

const TYPE_RANK: Record<string, number> = { OrderReceived: 0, OrderConfirmed: 1 };

/** Every entry of `orderId` among `entries`, in time order, with the gaps between hops. */
export function buildTimeline(ref: string, orderId: string, entries: readonly IndexedEvent[]): OrderTimeline {
  const mine = [...(assignOrders(entries).get(orderId) ?? [])].sort(
    (a, b) =>
      a.time.getTime() - b.time.getTime() ||
      (TYPE_RANK[a.type] ?? 2) - (TYPE_RANK[b.type] ?? 2) ||
      a.topic.localeCompare(b.topic) ||
      a.partition - b.partition ||
      a.offset - b.offset,
  );
  const first = mine[0]?.time.getTime() ?? 0;
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
      sincePreviousMs: prev === null ? null : t - prev,
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
    prev = t;
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
