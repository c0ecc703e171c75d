import { SingleFlightCache, type ClusterAdmin } from '@odx/runtime';
import { computeKpis, type BusinessKpis, type KpiWindow } from './analytics/kpis.js';
import { buildTimeline, followTokens, ordersForReference, type OrderTimeline } from './analytics/timeline.js';
import { referenceTokens } from './analytics/order-graph.js';
import type { IndexedEvent } from './ingest/event-record.js';
import { ConsumerLagReader, dlqDepth, type DlqDepth, type GroupLag } from './ops/kafka-health.js';
import type { ReadModel } from './read/read-model.js';

export interface Kpis extends BusinessKpis {
  dlq: DlqDepth;
  consumerLag: GroupLag[];
}

export interface MismatchRow {
  time: string;
  eventId: string | null;
  sku: string | null;
  warehouse: string | null;
  /** Decimal strings as the event carried them. */
  odooOnHand: string | null;
  wmsOnHand: string | null;
  difference: string | null;
  tolerance: string | null;
  source: string | null;
  traceId: string | null;
}

export type TimelineResult =
  { status: 'found'; timeline: OrderTimeline } | { status: 'unknown' } | { status: 'ambiguous'; orderIds: string[] };

export interface SinkQueriesOptions {
  read: ReadModel;
  cluster: ClusterAdmin;
  /** Canonical topics the sink reads (their DLQs are measured). */
  topics: ReadonlySet<string>;
  lagGroups: ReadonlyMap<string, readonly string[]>;
  /** Reads the lag of `lagGroups` (or the groups found reading `topics`); one is made when not given. */
  lag?: ConsumerLagReader;
  ediAckSlaMs: number;
  kpiLookbackMs: number;
  /** How long a /v1/kpis answer serves identical questions (a burst costs one computation); 0: never. */
  kpiCacheMs: number;
}

/** Read side of the sink: KPIs, order timelines and exports, all derived from the event index. */
export class SinkQueries {
  private readonly kpiCache: SingleFlightCache<Kpis>;
  readonly lag: ConsumerLagReader;

  constructor(private readonly options: SinkQueriesOptions) {
    this.kpiCache = new SingleFlightCache(options.kpiCacheMs);
    this.lag = options.lag ?? new ConsumerLagReader(options.cluster, options.lagGroups, options.topics);
  }

  /**
   * Business KPIs (see computeKpis) plus DLQ depth and consumer lag as Kafka reports them now; the same window
   * asked again within `kpiCacheMs` (or while it is being computed) gets the same answer.
   */
  kpis(window: KpiWindow): Promise<Kpis> {
    return this.kpiCache.get(`${window.from?.toISOString() ?? '-'}|${window.to?.toISOString() ?? '-'}`, () => this.computeKpis(window));
  }

  /** Business KPIs plus DLQ depth and consumer lag, computed now (no cache). */
  async computeKpis(window: KpiWindow, now: Date = new Date()): Promise<Kpis> {
    const since = window.from ? new Date(window.from.getTime() - this.options.kpiLookbackMs) : null;
    const [entries, dlq, lag] = await Promise.all([
      this.options.read.inRange(since, null),
      dlqDepth(this.options.cluster, this.options.topics),
      this.lag.read(),
    ]);
    return { ...computeKpis(entries, window, { ediAckSlaMs: this.options.ediAckSlaMs, now }), dlq, consumerLag: lag };
  }

  /** Business KPIs only (no Kafka calls), for the /metrics gauges. */
  async businessKpis(window: KpiWindow, now: Date = new Date()): Promise<BusinessKpis> {
    const since = window.from ? new Date(window.from.getTime() - this.options.kpiLookbackMs) : null;
    return computeKpis(await this.options.read.inRange(since, null), window, { ediAckSlaMs: this.options.ediAckSlaMs, now });
  }

  /**
   * The timeline of the order `ref` names (order id, Odoo name or PO): its
   * entries are found by following links outward (order -> shipments, invoices,
   * EDI documents -> their answers and payments) a few rounds, then attributed.
   */
  /** The inventory mismatch ledger: every InventoryMismatchDetected in [from, to), in time order. */
  async mismatches(from: Date | null, to: Date | null): Promise<MismatchRow[]> {
    return (await this.options.read.inRange(from, to))
      .filter((e) => e.entry === 'event' && e.type === 'InventoryMismatchDetected')
      .map((e) => ({
        time: e.time.toISOString(),
        eventId: e.eventId,
        sku: e.facts.sku ?? null,
        warehouse: e.facts.warehouse ?? null,
        odooOnHand: e.facts.odooOnHand ?? null,
        wmsOnHand: e.facts.wmsOnHand ?? null,
        difference: e.facts.difference ?? null,
        tolerance: e.facts.tolerance ?? null,
        source: e.source,
        traceId: e.traceId,
      }));
  }

  /** The entries with business time in [from, to), in time order (the BI export). */
  inWindow(from: Date, to: Date): Promise<IndexedEvent[]> {
    return this.options.read.inRange(from, to);
  }

  async timeline(ref: string): Promise<TimelineResult> {
    const first = await this.options.read.byLinks(referenceTokens(ref));
    const orders = ordersForReference(ref, first);
    if (orders.length === 0) return { status: 'unknown' };
    if (orders.length > 1) return { status: 'ambiguous', orderIds: orders };
    const seen = new Map<string, IndexedEvent>(first.map((e) => [e._id, e]));
    const asked = new Set<string>(referenceTokens(ref));
    let next = [`order:${orders[0]!}`, ...followTokens(first)].filter((t) => !asked.has(t));
    for (let round = 0; round < 5 && next.length > 0; round++) {
      for (const t of next) asked.add(t);
      const found = (await this.options.read.byLinks(next)).filter((e) => !seen.has(e._id));
      for (const e of found) seen.set(e._id, e);
      next = followTokens(found).filter((t) => !asked.has(t));
    }
    return { status: 'found', timeline: buildTimeline(ref, orders[0]!, [...seen.values()]) };
  }
}
