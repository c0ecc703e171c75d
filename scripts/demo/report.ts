// Formats the KPI table the demo prints at the end, from the analytics-sink's
// GET /v1/kpis (the order timeline is formatted as `odx trace` prints it),
// and the consumer-group counters of the services' /metrics.
import type { ConsumerGroupCounts } from './consumer-group-metrics.js';

interface Duration {
  count: number;
  p50Ms: number | null;
  p95Ms: number | null;
}
interface Rate {
  numerator: number;
  denominator: number;
  rate: number | null;
}

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

/** Consumer groups of the services `npm start` runs. */
const DEMO_GROUPS = new Set([
  'analytics-sink',
  'edi-gateway',
  'odoo-writeback',
  'order-orchestrator-intake',
  'order-orchestrator-stock',
  'tms-bridge',
  'wms-bridge',
  'wms-bridge-levels',
]);

const seconds = (ms: number | null): string => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`);
const percent = (r: Rate): string => (r.rate === null ? '-' : `${(r.rate * 100).toFixed(1)} %`) + `  (${r.numerator}/${r.denominator})`;

/** Stage names in lifecycle order, with how many orders are at each. */
export function stageLine(byStage: Record<string, number>): string {
  const order = [
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
    'cancelled',
  ];
  return (
    order
      .filter((s) => (byStage[s] ?? 0) > 0)
      .map((s) => `${s} ${byStage[s]}`)
      .join(' · ') || 'none yet'
  );
}

export function formatKpis(k: KpiResponse): string[] {
  const row = (label: string, value: string): string => `  ${label.padEnd(34)} ${value}`;
  const dlqTopics = k.dlq.topics
    .filter((t) => t.depth > 0)
    .map((t) => `${t.topic} ${t.depth}`)
    .join(', ');
  // The demo's services' groups; others on the cluster (a developer's experiments) are only counted.
  const ours = k.consumerLag.filter((g) => DEMO_GROUPS.has(g.group));
  const others = k.consumerLag.length - ours.length;
  const lag =
    ours.map((g) => `${g.group} ${g.total}`).join(', ') + (others > 0 ? ` (and ${others} other group${others === 1 ? '' : 's'})` : '');
  return [
    row('orders', `${k.orders.total}   ${stageLine(k.orders.byStage)}`),
    row(
      'cycle time confirmed → dispatched',
      `p50 ${seconds(k.cycleTimes.confirmedToDispatched.p50Ms)}   p95 ${seconds(k.cycleTimes.confirmedToDispatched.p95Ms)}   (n=${k.cycleTimes.confirmedToDispatched.count})`,
    ),
    row(
      'cycle time confirmed → delivered',
      `p50 ${seconds(k.cycleTimes.confirmedToDelivered.p50Ms)}   p95 ${seconds(k.cycleTimes.confirmedToDelivered.p95Ms)}   (n=${k.cycleTimes.confirmedToDelivered.count})`,
    ),
    row('fulfillment exception rate', percent(k.fulfillmentExceptionRate)),
    row('inventory mismatch rate', percent(k.inventoryMismatchRate)),
    row('shipment event completeness', `${percent(k.shipmentCompleteness)} over ${k.shipmentCompleteness.shipments} shipments`),
    row(
      'EDI documents acknowledged',
      `${k.ediAcknowledgments.overall.acknowledged}/${k.ediAcknowledgments.overall.sent} (pending ${k.ediAcknowledgments.overall.pending}, overdue ${k.ediAcknowledgments.overall.overdue})`,
    ),
    row('DLQ depth', `${k.dlq.total}${dlqTopics ? `   ${dlqTopics}` : ''}`),
    row('consumer lag', lag || '-'),
  ];
}

/** One line: rebalances per consumer group, then crashes (by group when there were any). */
export function formatConsumerGroups(c: ConsumerGroupCounts): string {
  const rebalances =
    [...c.rebalances]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([g, n]) => `${g} ${n}`)
      .join(', ') || 'none seen';
  const crashed = [...c.crashes].filter(([, n]) => n.total > 0).sort(([a], [b]) => a.localeCompare(b));
  const total = crashed.reduce((sum, [, n]) => sum + n.total, 0);
  const crashes =
    crashed.length === 0
      ? '0'
      : `${total} (${crashed.map(([g, n]) => `${g} ${n.total}${n.gone > 0 ? `, ${n.gone} not restarted` : ''}`).join('; ')})`;
  const unreadable =
    c.unreadable.length > 0 ? `  (no /metrics from ${c.unreadable.map((u) => `${u.service}: ${u.error}`).join(', ')})` : '';
  return `consumer groups  rebalances: ${rebalances}  crashes: ${crashes}${unreadable}`;
}
