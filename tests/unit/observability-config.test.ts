// The provisioned Grafana dashboard and the Prometheus config must match what
// the code exports: a renamed metric or a missing scrape target fails here,
// not silently in an empty panel.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { createRuntimeMetrics } from '@odx/runtime';
import { REPO_ROOT } from '../../scripts/repo-root.js';

const dashboard = JSON.parse(readFileSync(join(REPO_ROOT, 'infra/grafana/dashboards/odx-overview.json'), 'utf8')) as {
  uid: string;
  panels: { type: string; title: string; targets?: { expr: string }[] }[];
};

/** Metric names defined in TypeScript sources under `dir` (prom-client `name: 'odx_...'`). */
function metricNamesIn(dir: string): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
    for (const m of text.matchAll(/name:\s*'(odx_[a-z0-9_]+)'/g)) names.push(m[1]!);
  }
  return names;
}

async function exportedMetricNames(): Promise<Set<string>> {
  const runtime = createRuntimeMetrics('check');
  const names = new Set((await runtime.registry.getMetricsAsJSON()).map((m) => m.name));
  for (const service of readdirSync(join(REPO_ROOT, 'services'))) {
    for (const n of metricNamesIn(join(REPO_ROOT, 'services', service, 'src'))) names.add(n);
  }
  return names;
}

test('every metric the dashboard queries is exported by the runtime or a service', async () => {
  const exported = await exportedMetricNames();
  const queried = new Set<string>();
  for (const panel of dashboard.panels) {
    for (const t of panel.targets ?? []) {
      for (const m of t.expr.matchAll(/\b(odx_[a-z0-9_]+)\b/g)) queried.add(m[1]!.replace(/_(bucket|sum|count)$/, ''));
    }
  }
  assert.ok(queried.size >= 15, `the dashboard queries ${queried.size} metrics`);
  const missing = [...queried].filter((n) => !exported.has(n));
  assert.deepEqual(missing, [], `queried but exported nowhere: ${missing.join(', ')}`);
});

test('the dashboard keeps business KPIs apart from technical health', () => {
  const rows = dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title);
  assert.equal(rows.length, 2);
  assert.match(rows[0]!, /business/i);
  assert.match(rows[1]!, /technical/i);
  const firstTechnical = dashboard.panels.findIndex((p) => p.type === 'row' && /technical/i.test(p.title));
  const kpiPanels = dashboard.panels.slice(1, firstTechnical);
  const sinkMetrics = new Set(metricNamesIn(join(REPO_ROOT, 'services', 'analytics-sink', 'src')));
  assert.ok(kpiPanels.length >= 5);
  for (const panel of kpiPanels) {
    const names = (panel.targets ?? []).flatMap((t) => [...t.expr.matchAll(/\b(odx_[a-z0-9_]+)\b/g)].map((m) => m[1]!));
    assert.ok(
      names.length > 0 && names.every((n) => sinkMetrics.has(n)),
      `KPI panel "${panel.title}" reads business metrics of the analytics-sink, not ${names.join(', ')}`,
    );
  }
});

test('Prometheus scrapes every service that docker-compose runs', () => {
  const prom = parse(readFileSync(join(REPO_ROOT, 'infra/prometheus/prometheus.yml'), 'utf8')) as {
    scrape_configs: { static_configs: { targets: string[] }[] }[];
  };
  const targets = prom.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets.map((t) => t.split(':')[0])));
  const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { build?: unknown; profiles?: string[] }>;
  };
  // The simulators (profile demo) are built from the same Dockerfile but are not ODX services.
  const built = Object.entries(compose.services)
    .filter(([, s]) => s.build !== undefined && !s.profiles?.includes('demo'))
    .map(([name]) => name);
  const serviceDirs = readdirSync(join(REPO_ROOT, 'services'));
  assert.deepEqual([...built].sort(), [...serviceDirs].sort(), 'docker-compose has one block per folder under services/');
  assert.deepEqual([...targets].sort(), [...serviceDirs].sort(), 'Prometheus scrapes every service');
});
