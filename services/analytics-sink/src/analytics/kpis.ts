import type { IndexedEvent } from '../ingest/event-record.js';
import { ACK_SETS } from '../ingest/order-links.js';
import { buildLifecycle, hasFulfillmentException, reachedFulfillment, MILESTONES, type OrderLifecycle, type Stage } from './lifecycle.js';
import { assignOrders } from './order-graph.js';
import { rate, summarize, type DurationSummary, type Rate } from './percentiles.js';

/** Tracking milestones a delivered shipment is expected to have reported. */
export const EXPECTED_TRACKING = ['PICKED_UP', 'IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED'] as const;

export interface KpiWindow {
  /** Inclusive; null = unbounded. */
  from: Date | null;
  /** Exclusive; null = unbounded. */
  to: Date | null;
}

export interface ShipmentCompleteness extends Rate {
  shipments: number;
  completeShipments: number;
  /** Expected milestone -> how many delivered shipments never reported it. */
  missing: Record<string, number>;
}

export interface EdiPartnerAcks {
  sent: number;
  acknowledged: number;
  onTime: number;
  late: number;
  /** Not acknowledged and past the SLA. */
  overdue: number;
  /** Not acknowledged, still within the SLA. */
  pending: number;
  latency: DurationSummary;
}

export interface BusinessKpis {
  window: { from: string | null; to: string | null };
  percentileMethod: 'nearest-rank';
  orders: { total: number; byStage: Record<Stage, number> };
  cycleTimes: { confirmedToDispatched: DurationSummary; confirmedToDelivered: DurationSummary };
  fulfillmentExceptionRate: Rate;
  inventoryMismatchRate: Rate & { mismatchEvents: number };
  shipmentCompleteness: ShipmentCompleteness & { byCarrier: Record<string, ShipmentCompleteness> };
  ediAcknowledgments: { slaMs: number; overall: EdiPartnerAcks; byPartner: Record<string, EdiPartnerAcks> };
}

function inWindow(t: Date | undefined | null, w: KpiWindow): boolean {
  if (!t) return false;
  return (!w.from || t >= w.from) && (!w.to || t < w.to);
}

/** When an order counts for a window: its confirmation, or its receipt when it has no confirmation. */
export function cohortTime(l: OrderLifecycle): Date | undefined {
  return l.milestones.confirmed ?? l.milestones.received;
}

/** The order lifecycles that entries describe. */
export function lifecyclesOf(entries: readonly IndexedEvent[]): OrderLifecycle[] {
  return [...assignOrders(entries)].map(([id, list]) => buildLifecycle(id, list));
}

/**
 * Business KPIs over a window, from index entries (which should reach back far
 * enough to hold the window's orders' earlier events; later events of those
 * orders count too). Definitions:
 * - cohort: orders confirmed in the window (received in it when never confirmed);
 * - cycle times: per cohort order, first dispatch (delivery) minus confirmation;
 * - fulfillment exception rate: cohort orders that reached fulfillment and had a
 *   ShipmentException or a short pick / cohort orders that reached fulfillment;
 * - inventory mismatch rate: SKU-warehouse positions with an
 *   InventoryMismatchDetected in the window / positions with any inventory event in it;
 * - shipment completeness: of shipments delivered in the window, the share of the
 *   expected tracking milestones (PICKED_UP, IN_TRANSIT, OUT_FOR_DELIVERY, DELIVERED) seen;
 * - EDI acknowledgments: outbound documents sent in the window, matched to the
 *   partner's 997/999/TA1 whose businessObjectId is the document id, or whose
 *   businessRef is the document's group control number (same partner).
 */
export function computeKpis(
  entries: readonly IndexedEvent[],
  window: KpiWindow,
  options: { ediAckSlaMs: number; now: Date },
): BusinessKpis {
  // The index cannot hold an id twice; deduplicating here keeps the function honest for any input.
  const unique = [...new Map(entries.map((e) => [e._id, e])).values()];
  const events = unique.filter((e) => e.entry === 'event');
  const cohort = lifecyclesOf(unique).filter((l) => inWindow(cohortTime(l), window));

  const byStage = Object.fromEntries([...MILESTONES, 'cancelled'].map((s) => [s, 0])) as Record<Stage, number>;
  const toDispatch: number[] = [];
  const toDeliver: number[] = [];
  let fulfilled = 0;
  let withException = 0;
  for (const l of cohort) {
    if (l.stage) byStage[l.stage]++;
    const c = l.milestones.confirmed?.getTime();
    const d = l.milestones.dispatched?.getTime();
    const v = l.milestones.delivered?.getTime();
    if (c !== undefined && d !== undefined && d >= c) toDispatch.push(d - c);
    if (c !== undefined && v !== undefined && v >= c) toDeliver.push(v - c);
    if (reachedFulfillment(l)) {
      fulfilled++;
      if (hasFulfillmentException(l)) withException++;
    }
  }

  return {
    window: { from: window.from?.toISOString() ?? null, to: window.to?.toISOString() ?? null },
    percentileMethod: 'nearest-rank',
    orders: { total: cohort.length, byStage },
    cycleTimes: { confirmedToDispatched: summarize(toDispatch), confirmedToDelivered: summarize(toDeliver) },
    fulfillmentExceptionRate: rate(withException, fulfilled),
    inventoryMismatchRate: inventoryMismatch(events, window),
    shipmentCompleteness: shipmentCompleteness(events, window),
    ediAcknowledgments: ediAcks(events, window, options),
  };
}

function inventoryMismatch(events: readonly IndexedEvent[], w: KpiWindow): Rate & { mismatchEvents: number } {
  const positions = new Set<string>();
  const mismatched = new Set<string>();
  let mismatchEvents = 0;
  for (const e of events) {
    if (!inWindow(e.time, w) || !e.facts.sku || !e.facts.warehouse) continue;
    if (e.type !== 'InventoryLevelChanged' && e.type !== 'InventoryAdjusted' && e.type !== 'InventoryMismatchDetected') continue;
    const pos = `${e.facts.warehouse}\u0000${e.facts.sku}`;
    positions.add(pos);
    if (e.type === 'InventoryMismatchDetected') {
      mismatched.add(pos);
      mismatchEvents++;
    }
  }
  return { ...rate(mismatched.size, positions.size), mismatchEvents };
}

function completenessOf(seen: Array<Set<string>>): ShipmentCompleteness {
  const missing: Record<string, number> = Object.fromEntries(EXPECTED_TRACKING.map((m) => [m, 0]));
  let hits = 0;
  let complete = 0;
  for (const s of seen) {
    let n = 0;
    for (const m of EXPECTED_TRACKING) {
      if (s.has(m)) n++;
      else missing[m]!++;
    }
    hits += n;
    if (n === EXPECTED_TRACKING.length) complete++;
  }
  return { ...rate(hits, seen.length * EXPECTED_TRACKING.length), shipments: seen.length, completeShipments: complete, missing };
}

function shipmentCompleteness(events: readonly IndexedEvent[], w: KpiWindow): BusinessKpis['shipmentCompleteness'] {
  const shipmentOf = (e: IndexedEvent): string | undefined => e.links.find((t) => t.startsWith('shipment:'));
  const milestones = new Map<string, Set<string>>();
  const delivered = new Map<string, string>(); // shipment -> carrier
  for (const e of events) {
    const s = shipmentOf(e);
    if (!s) continue;
    if (e.type === 'ShipmentMilestoneRecorded' && e.facts.milestone) {
      let set = milestones.get(s);
      if (!set) milestones.set(s, (set = new Set()));
      set.add(e.facts.milestone);
    } else if (e.type === 'ShipmentDelivered' && inWindow(e.time, w) && !delivered.has(s)) {
      delivered.set(s, e.facts.carrier ?? 'unknown');
    }
  }
  const perCarrier = new Map<string, Array<Set<string>>>();
  const all: Array<Set<string>> = [];
  for (const [s, carrier] of delivered) {
    const seen = new Set(milestones.get(s) ?? []);
    seen.add('DELIVERED'); // the ShipmentDelivered event is the delivery milestone
    all.push(seen);
    let list = perCarrier.get(carrier);
    if (!list) perCarrier.set(carrier, (list = []));
    list.push(seen);
  }
  const byCarrier = Object.fromEntries(
    [...perCarrier].sort(([a], [b]) => a.localeCompare(b)).map(([c, list]) => [c, completenessOf(list)]),
  );
  return { ...completenessOf(all), byCarrier };
}

function ediAcks(events: readonly IndexedEvent[], w: KpiWindow, o: { ediAckSlaMs: number; now: Date }): BusinessKpis['ediAcknowledgments'] {
  const acks = events.filter((e) => e.type === 'EdiDocumentReceived' && ACK_SETS.has(e.facts.transactionSet ?? ''));
  const byObjectId = new Map<string, Date>();
  const byGroupRef = new Map<string, Date>();
  const earliest = (m: Map<string, Date>, k: string, t: Date): void => {
    const prev = m.get(k);
    if (!prev || t < prev) m.set(k, t);
  };
  for (const a of acks) {
    if (a.facts.objectId) earliest(byObjectId, a.facts.objectId, a.time);
    // The gateway writes a 997's reference as "<functional id> <GS06>" (e.g. "PR 17"); the GS06 is what matches.
    if (a.facts.objectRef && a.facts.partner)
      earliest(byGroupRef, `${a.facts.partner}\u0000${a.facts.objectRef.replace(/^[A-Z]{2} (?=\S+$)/, '')}`, a.time);
  }
  const latencies = new Map<string, number[]>();
  const stats = new Map<string, Omit<EdiPartnerAcks, 'latency'>>();
  for (const e of events) {
    if (e.type !== 'EdiDocumentSent' || ACK_SETS.has(e.facts.transactionSet ?? '') || !inWindow(e.time, w)) continue;
    const partner = e.facts.partner ?? 'unknown';
    let s = stats.get(partner);
    if (!s) stats.set(partner, (s = { sent: 0, acknowledged: 0, onTime: 0, late: 0, overdue: 0, pending: 0 }));
    s.sent++;
    const candidates = [
      e.facts.documentId ? byObjectId.get(e.facts.documentId) : undefined,
      e.facts.groupControlNumber ? byGroupRef.get(`${partner}\u0000${e.facts.groupControlNumber}`) : undefined,
    ].filter((t): t is Date => t !== undefined && t >= e.time);
    const ackAt = candidates.sort((a, b) => a.getTime() - b.getTime())[0];
    if (ackAt) {
      const ms = ackAt.getTime() - e.time.getTime();
      s.acknowledged++;
      if (ms <= o.ediAckSlaMs) s.onTime++;
      else s.late++;
      let l = latencies.get(partner);
      if (!l) latencies.set(partner, (l = []));
      l.push(ms);
    } else if (o.now.getTime() - e.time.getTime() > o.ediAckSlaMs) s.overdue++;
    else s.pending++;
  }
  const byPartner = Object.fromEntries(
    [...stats].sort(([a], [b]) => a.localeCompare(b)).map(([p, s]) => [p, { ...s, latency: summarize(latencies.get(p) ?? []) }]),
  );
  const overall = { sent: 0, acknowledged: 0, onTime: 0, late: 0, overdue: 0, pending: 0 };
  for (const s of stats.values()) for (const k of Object.keys(overall) as Array<keyof typeof overall>) overall[k] += s[k];
  return { slaMs: o.ediAckSlaMs, overall: { ...overall, latency: summarize([...latencies.values()].flat()) }, byPartner };
}
