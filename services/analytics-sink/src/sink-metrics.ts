import type { RuntimeMetrics } from '@odx/runtime';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { BusinessKpis } from './analytics/kpis.js';

/** The sink's own series, registered on the runtime's registry (served on /metrics). */
export interface SinkMetrics {
  indexed: Counter<'entry'>;
  duplicates: Counter;
  commitSeconds: Histogram;
  ordersByStage: Gauge<'stage'>;
  cycleTimeSeconds: Gauge<'span' | 'quantile'>;
  rates: Gauge<'kpi'>;
  dlqDepth: Gauge<'topic'>;
  groupLag: Gauge<'group'>;
}

export function createSinkMetrics(runtime: RuntimeMetrics): SinkMetrics {
  const registers = [runtime.registry];
  return {
    indexed: new Counter({
      name: 'odx_sink_indexed_total',
      help: 'Entries newly written to the event index, by entry kind (event, retry, dlq)',
      labelNames: ['entry'],
      registers,
    }),
    duplicates: new Counter({
      name: 'odx_sink_duplicates_total',
      help: 'Redelivered events dropped by the index (_id already present)',
      registers,
    }),
    commitSeconds: new Histogram({
      name: 'odx_sink_index_commit_seconds',
      help: 'Time to write one claim window to the event index',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    ordersByStage: new Gauge({
      name: 'odx_kpi_orders_by_stage',
      help: 'Orders confirmed in the KPI gauge window (default last 7 days), by current stage',
      labelNames: ['stage'],
      registers,
    }),
    cycleTimeSeconds: new Gauge({
      name: 'odx_kpi_cycle_time_seconds',
      help: 'Order cycle time (nearest-rank quantile) in the KPI gauge window',
      labelNames: ['span', 'quantile'],
      registers,
    }),
    rates: new Gauge({
      name: 'odx_kpi_rate',
      help: 'Business rates in the KPI gauge window: fulfillment_exception, inventory_mismatch, shipment_completeness, edi_ack_on_time',
      labelNames: ['kpi'],
      registers,
    }),
    dlqDepth: new Gauge({
      name: 'odx_dlq_depth',
      help: 'Messages held in each DLQ topic of the sink topics',
      labelNames: ['topic'],
      registers,
    }),
    groupLag: new Gauge({
      name: 'odx_kpi_consumer_lag',
      help: 'Messages not yet processed, per consumer group (the services reading the canonical topics)',
      labelNames: ['group'],
      registers,
    }),
  };
}

/** Copies a KPI computation onto the gauges. */
export function publishKpiGauges(m: SinkMetrics, k: BusinessKpis): void {
  for (const [stage, n] of Object.entries(k.orders.byStage)) m.ordersByStage.set({ stage }, n);
  const spans = { confirmed_to_dispatched: k.cycleTimes.confirmedToDispatched, confirmed_to_delivered: k.cycleTimes.confirmedToDelivered };
  for (const [span, s] of Object.entries(spans)) {
    if (s.p50Ms !== null) m.cycleTimeSeconds.set({ span, quantile: '0.5' }, s.p50Ms / 1000);
    if (s.p95Ms !== null) m.cycleTimeSeconds.set({ span, quantile: '0.95' }, s.p95Ms / 1000);
  }
  const rates: Record<string, number | null> = {
    fulfillment_exception: k.fulfillmentExceptionRate.rate,
    inventory_mismatch: k.inventoryMismatchRate.rate,
    shipment_completeness: k.shipmentCompleteness.rate,
    edi_ack_on_time:
      k.ediAcknowledgments.overall.sent === 0 ? null : k.ediAcknowledgments.overall.onTime / k.ediAcknowledgments.overall.sent,
  };
  for (const [kpi, v] of Object.entries(rates)) if (v !== null) m.rates.set({ kpi }, v);
}
