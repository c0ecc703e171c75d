// Reads the consumer-group counters every ODX service exposes on /metrics
// (`odx_consumer_rebalances_total{group}`, `odx_consumer_crashes_total{group,restart}`)
// and adds them up per group across the services, for the `npm start` report
// and the restart soak.

/** Per consumer group, summed over the services scraped. */
export interface ConsumerGroupCounts {
  rebalances: Map<string, number>;
  /** Crashes by group; `gone` counts crashes after which the consumer did not restart (restart="false"). */
  crashes: Map<string, { total: number; gone: number }>;
  /** Services whose /metrics could not be read, with why. */
  unreadable: { service: string; error: string }[];
}

const SAMPLE = /^(odx_consumer_rebalances_total|odx_consumer_crashes_total)\{([^}]*)\}\s+([0-9.eE+-]+)/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

function labels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(LABEL)) out[m[1]!] = m[2]!.replace(/\\(.)/g, '$1');
  return out;
}

/** Adds the consumer-group samples of one Prometheus text exposition to `into`. */
export function addConsumerGroupSamples(into: ConsumerGroupCounts, exposition: string): void {
  for (const line of exposition.split('\n')) {
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const l = labels(m[2]!);
    const group = l['group'] ?? '?';
    const value = Number(m[3]);
    if (!Number.isFinite(value)) continue;
    if (m[1] === 'odx_consumer_rebalances_total') {
      into.rebalances.set(group, (into.rebalances.get(group) ?? 0) + value);
    } else {
      const c = into.crashes.get(group) ?? { total: 0, gone: 0 };
      c.total += value;
      if (l['restart'] === 'false') c.gone += value;
      into.crashes.set(group, c);
    }
  }
}

/** Scrapes `<baseUrl>/metrics` of each service (name -> base URL) and sums the consumer-group counters. */
export async function scrapeConsumerGroups(services: Readonly<Record<string, string>>, timeoutMs = 5_000): Promise<ConsumerGroupCounts> {
  const counts: ConsumerGroupCounts = { rebalances: new Map(), crashes: new Map(), unreadable: [] };
  const texts = await Promise.all(
    Object.entries(services).map(async ([service, base]) => {
      try {
        const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        return await res.text();
      } catch (err) {
        counts.unreadable.push({ service, error: err instanceof Error ? err.message : String(err) });
        return '';
      }
    }),
  );
  for (const text of texts) addConsumerGroupSamples(counts, text);
  return counts;
}
