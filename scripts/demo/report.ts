// Formats what the demo prints at the end: the KPI table (from the
// analytics-sink's GET /v1/kpis) and one order's timeline (GET
// /v1/orders/:ref/timeline). Pure functions over the API's JSON.

interface Duration { count: number; p50Ms: number | null; p95Ms: number | null }
interface Rate { numerator: number; denominator: number; rate: number | null }

/** The parts of GET /v1/kpis the demo shows. */
export interface KpiResponse {
  orders: { total: number; byStage: Record<string, number> };
  cycleTimes: { confirmedToDispatched: Duration; confirmedToDelivered: Duration };
  fulfillmentExceptionRate: Rate;
  inventoryMismatchRate: Rate;
  shipmentCompleteness: Rate & { shipments: number };
  ediAcknowledgments: { overall: { sent: number; acknowledged: number; pending: number; overdue: number } };
  dlq: { total: number; topics: { topic: string; depth: number }[] };
  consumerLag: { group: string; total: number }[];
}

export interface TimelineResponse {
  ref: string;
  orderId: string;
  lifecycle: { stage: string | null; sourceSystems: string[] };
  traceIds: string[];
  hops: {
    time: string; type: string; entry: string; topic: string; partition: number; offset: number;
    service: string | null; source: string | null; sincePreviousMs: number | null;
    error?: { errorClass: string | null; group: string | null } | undefined;
  }[];
}

const seconds = (ms: number | null): string => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`);
const percent = (r: Rate): string => (r.rate === null ? '-' : `${(r.rate * 100).toFixed(1)} %`) + `  (${r.numerator}/${r.denominator})`;

/** Stage names in lifecycle order, with how many orders are at each. */
export function stageLine(byStage: Record<string, number>): string {
  const order = ['received', 'confirmed', 'released', 'picked', 'packed', 'booked', 'dispatched', 'delivered', 'invoiced', 'paid', 'cancelled'];
  return order.filter((s) => (byStage[s] ?? 0) > 0).map((s) => `${s} ${byStage[s]}`).join(' · ') || 'none yet';
}

export function formatKpis(k: KpiResponse): string[] {
  const row = (label: string, value: string): string => `  ${label.padEnd(34)} ${value}`;
  const dlqTopics = k.dlq.topics.filter((t) => t.depth > 0).map((t) => `${t.topic} ${t.depth}`).join(', ');
  const lag = k.consumerLag.map((g) => `${g.group} ${g.total}`).join(', ');
  return [
    row('orders', `${k.orders.total}   ${stageLine(k.orders.byStage)}`),
    row('cycle time confirmed → dispatched', `p50 ${seconds(k.cycleTimes.confirmedToDispatched.p50Ms)}   p95 ${seconds(k.cycleTimes.confirmedToDispatched.p95Ms)}   (n=${k.cycleTimes.confirmedToDispatched.count})`),
    row('cycle time confirmed → delivered', `p50 ${seconds(k.cycleTimes.confirmedToDelivered.p50Ms)}   p95 ${seconds(k.cycleTimes.confirmedToDelivered.p95Ms)}   (n=${k.cycleTimes.confirmedToDelivered.count})`),
    row('fulfillment exception rate', percent(k.fulfillmentExceptionRate)),
    row('inventory mismatch rate', percent(k.inventoryMismatchRate)),
    row('shipment event completeness', `${percent(k.shipmentCompleteness)} over ${k.shipmentCompleteness.shipments} shipments`),
    row('EDI documents acknowledged', `${k.ediAcknowledgments.overall.acknowledged}/${k.ediAcknowledgments.overall.sent} (pending ${k.ediAcknowledgments.overall.pending}, overdue ${k.ediAcknowledgments.overall.overdue})`),
    row('DLQ depth', `${k.dlq.total}${dlqTopics ? `   ${dlqTopics}` : ''}`),
    row('consumer lag', lag || '-'),
  ];
}

export function formatTimeline(t: TimelineResponse): string[] {
  const lines = [`  order ${t.ref} (id ${t.orderId}), stage ${t.lifecycle.stage ?? '-'}, systems ${t.lifecycle.sourceSystems.join(', ')}, trace ${t.traceIds[0] ?? '-'}`];
  for (const h of t.hops) {
    const gap = h.sincePreviousMs === null ? '' : `+${(h.sincePreviousMs / 1000).toFixed(2)} s`;
    const where = `${h.topic}[${h.partition}]@${h.offset}`;
    const flag = h.entry === 'event' ? '' : ` ← ${h.entry.toUpperCase()} ${h.error?.errorClass ?? ''} (${h.error?.group ?? ''})`;
    lines.push(`  ${h.time.slice(11, 23)} ${gap.padStart(9)}  ${h.type.padEnd(26)} ${(h.service ?? h.source ?? '').padEnd(19)} ${where}${flag}`);
  }
  return lines;
}
