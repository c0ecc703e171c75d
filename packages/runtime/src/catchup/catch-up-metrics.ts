import { Counter, Gauge, type Registry } from 'prom-client';

/** The catch-up metric families, labelled by `feed` (e.g. `wms-orders`). */
export interface CatchUpMetrics {
  runs: Counter<'feed' | 'trigger' | 'outcome'>;
  records: Counter<'feed'>;
  eventsPublished: Counter<'feed'>;
  lastSuccess: Gauge<'feed'>;
  /** Feeds report their lag when /metrics is scraped. */
  lagSources: Map<string, () => number | undefined>;
}

const byRegistry = new WeakMap<Registry, CatchUpMetrics>();

/**
 * The catch-up metrics on a service's registry (the runtime's, served at
 * /metrics), created once per registry so several feeds share the families.
 */
export function catchUpMetrics(registry: Registry): CatchUpMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const lagSources = new Map<string, () => number | undefined>();
  const metrics: CatchUpMetrics = {
    runs: new Counter({
      name: 'odx_catchup_runs_total',
      help: 'Catch-up runs over a change feed, by trigger (start, schedule, request) and outcome (ok, failed)',
      labelNames: ['feed', 'trigger', 'outcome'],
      registers,
    }),
    records: new Counter({
      name: 'odx_catchup_records_total',
      help: 'Records read from a change feed by catch-up',
      labelNames: ['feed'],
      registers,
    }),
    eventsPublished: new Counter({
      name: 'odx_catchup_events_published_total',
      help: 'Events catch-up published (acknowledged by Kafka) because their webhooks never arrived',
      labelNames: ['feed'],
      registers,
    }),
    lastSuccess: new Gauge({
      name: 'odx_catchup_last_success_timestamp_seconds',
      help: 'When the last complete catch-up run over a feed started (Unix seconds)',
      labelNames: ['feed'],
      registers,
    }),
    lagSources,
  };
  new Gauge({
    name: 'odx_catchup_lag_seconds',
    help: 'Seconds between now and the point up to which every change in the feed is known handled (the cursor, or the start of the last complete run)',
    labelNames: ['feed'],
    registers,
    collect() {
      for (const [feed, lag] of lagSources) {
        const seconds = lag();
        if (seconds !== undefined) this.set({ feed }, seconds);
      }
    },
  });
  byRegistry.set(registry, metrics);
  return metrics;
}
