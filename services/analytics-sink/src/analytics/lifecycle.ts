import type { EventFacts, IndexedEvent } from '../ingest/event-record.js';

/** Milestones of an order, in the order the happy path reaches them. */
export const MILESTONES = [
  'received',
  'confirmed',
  'released',
  'picked',
  'packed',
  'booked',
  'dispatched',
  'delivered',
  'invoiced',
  'paid',
] as const;
export type Milestone = (typeof MILESTONES)[number] | 'cancelled';

/** Event type -> the milestone it marks. */
export const MILESTONE_OF: Readonly<Record<string, Milestone>> = {
  OrderReceived: 'received',
  OrderConfirmed: 'confirmed',
  FulfillmentRequested: 'released',
  ShipmentPicked: 'picked',
  ShipmentPacked: 'packed',
  ShipmentBooked: 'booked',
  ShipmentDispatched: 'dispatched',
  ShipmentDelivered: 'delivered',
  InvoicePosted: 'invoiced',
  PaymentReceived: 'paid',
  OrderCancelled: 'cancelled',
};

/** The stage an order is in: the furthest milestone reached, or cancelled. */
export type Stage = Milestone;

export interface OrderException {
  time: Date;
  /** shipment-exception, short-pick, retry, dlq. */
  kind: string;
  code: string | null;
  severity: string | null;
  eventId: string | null;
  type: string;
}

/** One order's lifecycle, derived from its index entries. */
export interface OrderLifecycle {
  orderId: string;
  /** First time each milestone was reached (an order with two shipments is `dispatched` when the first leaves). */
  milestones: Partial<Record<Milestone, Date>>;
  stage: Stage | null;
  /** meta.source values (odoo, wms, tms, edi, ...) and the ODX services (ce_source) that published its events. */
  sourceSystems: string[];
  services: string[];
  exceptions: OrderException[];
  shipmentIds: string[];
  invoiceIds: string[];
  eventCount: number;
  firstEventAt: Date | null;
  lastEventAt: Date | null;
}

type Entry = Pick<IndexedEvent, 'type' | 'time' | 'entry' | 'source' | 'ceSource' | 'links' | 'eventId'> & {
  facts: EventFacts;
  error?: { errorClass: string | null } | undefined;
};

/** Builds the lifecycle of `orderId` from the index entries attributed to it. */
export function buildLifecycle(orderId: string, entries: readonly Entry[]): OrderLifecycle {
  const milestones: Partial<Record<Milestone, Date>> = {};
  const sources = new Set<string>();
  const services = new Set<string>();
  const shipments = new Set<string>();
  const invoices = new Set<string>();
  const exceptions: OrderException[] = [];
  let first: Date | null = null;
  let last: Date | null = null;
  for (const e of entries) {
    for (const t of e.links) {
      if (t.startsWith('shipment:')) shipments.add(t.slice(9));
      else if (t.startsWith('invoice:') && e.type === 'InvoicePosted') invoices.add(t.slice(8));
    }
    if (e.entry !== 'event') {
      exceptions.push({ time: e.time, kind: e.entry, code: e.error?.errorClass ?? null, severity: null, eventId: e.eventId, type: e.type });
      continue;
    }
    if (first === null || e.time < first) first = e.time;
    if (last === null || e.time > last) last = e.time;
    if (e.source) sources.add(e.source);
    if (e.ceSource) services.add(e.ceSource);
    // e.type may come from a DLQ header ("constructor"): own keys only.
    const m = Object.hasOwn(MILESTONE_OF, e.type) ? MILESTONE_OF[e.type] : undefined;
    if (m) {
      const prev = milestones[m];
      if (!prev || e.time < prev) milestones[m] = e.time;
    }
    if (e.type === 'ShipmentException')
      exceptions.push({
        time: e.time,
        kind: 'shipment-exception',
        code: e.facts.exceptionCode ?? null,
        severity: e.facts.severity ?? null,
        eventId: e.eventId,
        type: e.type,
      });
    if (e.type === 'ShipmentPicked' && e.facts.shortPicked === true)
      exceptions.push({ time: e.time, kind: 'short-pick', code: 'SHORT_PICK', severity: null, eventId: e.eventId, type: e.type });
  }
  exceptions.sort((a, b) => a.time.getTime() - b.time.getTime());
  return {
    orderId,
    milestones,
    stage: stageOf(milestones),
    sourceSystems: [...sources].sort(),
    services: [...services].sort(),
    exceptions,
    shipmentIds: [...shipments].sort(),
    invoiceIds: [...invoices].sort(),
    eventCount: entries.filter((e) => e.entry === 'event').length,
    firstEventAt: first,
    lastEventAt: last,
  };
}

/** Cancelled wins; otherwise the furthest milestone along MILESTONES. */
export function stageOf(milestones: Partial<Record<Milestone, Date>>): Stage | null {
  if (milestones.cancelled) return 'cancelled';
  for (let i = MILESTONES.length - 1; i >= 0; i--) if (milestones[MILESTONES[i]!]) return MILESTONES[i]!;
  return null;
}

/** Has the order a fulfillment exception (a shipment exception or a short pick)? Retries and DLQ entries are technical, not counted. */
export function hasFulfillmentException(l: OrderLifecycle): boolean {
  return l.exceptions.some((x) => x.kind === 'shipment-exception' || x.kind === 'short-pick');
}

/** Reached fulfillment: released to the warehouse or any later shipment milestone. */
export function reachedFulfillment(l: OrderLifecycle): boolean {
  return ['released', 'picked', 'packed', 'booked', 'dispatched', 'delivered'].some((m) => l.milestones[m as Milestone] !== undefined);
}
