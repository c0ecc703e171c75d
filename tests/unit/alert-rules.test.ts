// The alert rules must watch what the code exports: a renamed metric fails
// here, not silently as an alert that can never fire. The rules also cover
// what issue 12 asks of them, and Prometheus, Alertmanager and compose are
// wired to each other.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { createRuntimeMetrics } from '@odx/runtime';
import { REPO_ROOT } from '../../scripts/repo-root.js';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const rules = parse(readFileSync(join(REPO_ROOT, 'infra/prometheus/alerts.yml'), 'utf8')) as { groups: { name: string; rules: Rule[] }[] };
const alerts = rules.groups.flatMap((g) => g.rules);

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
  const names = new Set((await createRuntimeMetrics('check').registry.getMetricsAsJSON()).map((m) => m.name));
  for (const n of metricNamesIn(join(REPO_ROOT, 'packages', 'runtime', 'src'))) names.add(n);
  for (const service of readdirSync(join(REPO_ROOT, 'services'))) {
    for (const n of metricNamesIn(join(REPO_ROOT, 'services', service, 'src'))) names.add(n);
  }
  return names;
}

const metricsOf = (expr: string): string[] =>
  [...expr.matchAll(/\b(odx_[a-z0-9_]+)\b/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, ''));

test('every metric the alert rules use is exported by the runtime or a service', async () => {
  const exported = await exportedMetricNames();
  const used = new Set(alerts.flatMap((r) => metricsOf(r.expr)));
  assert.ok(used.size >= 5, `the rules use ${used.size} metrics`);
  const missing = [...used].filter((n) => !exported.has(n));
  assert.deepEqual(missing, [], `used by alerts.yml but exported nowhere: ${missing.join(', ')}`);
});

test('the rules cover overdue steps, open cases by severity, DLQ growth, consumer lag and a circuit open too long', () => {
  const watched = (metric: string): Rule[] => alerts.filter((r) => metricsOf(r.expr).includes(metric));
  assert.ok(watched('odx_orchestrator_overdue_steps').length > 0, 'overdue steps');
  const cases = watched('odx_cases_open');
  for (const severity of ['critical', 'high'])
    assert.ok(
      cases.some((r) => r.expr.includes(`severity="${severity}"`)),
      `open ${severity} cases`,
    );
  assert.ok(watched('odx_dlq_routed_total').length + watched('odx_dlq_depth').length > 0, 'DLQ growth');
  assert.ok(watched('odx_consumer_lag').length > 0, 'consumer lag');
  assert.ok(watched('odx_circuit_state').length > 0, 'a circuit open too long');
});

test('the rules watch the dependencies every service checks: Kafka, the store, the registry, its consumer groups', () => {
  const readiness = alerts.filter((r) => metricsOf(r.expr).includes('odx_readiness_check_ok'));
  for (const check of ['check="kafka"', 'check="mongo"', 'check="schema-registry"', 'check=~"consumer:.*"'])
    assert.ok(
      readiness.some((r) => r.expr.includes(check)),
      `a rule on ${check}`,
    );
  assert.ok(
    alerts.some((r) => r.expr.includes('odx_consumer_crashes_total')),
    'a rule on consumers that crashed for good',
  );
});

test('each alert is well formed: a unique name, a hold time, a routed severity, a summary, balanced brackets', () => {
  const am = parse(readFileSync(join(REPO_ROOT, 'infra/alertmanager/alertmanager.yml'), 'utf8')) as {
    route: { receiver: string; routes?: { matchers: string[]; receiver: string }[] };
    receivers: { name: string }[];
  };
  const receivers = new Set(am.receivers.map((r) => r.name));
  assert.ok(receivers.has(am.route.receiver));
  for (const r of am.route.routes ?? []) assert.ok(receivers.has(r.receiver), `route to unknown receiver ${r.receiver}`);
  const names = new Set<string>();
  for (const r of alerts) {
    assert.ok(r.alert, `every rule is an alert: ${r.expr}`);
    assert.ok(!names.has(r.alert), `duplicate alert ${r.alert}`);
    names.add(r.alert);
    assert.match(r.for ?? '', /^\d+[smh]$/, `${r.alert}: for`);
    assert.ok(['critical', 'warning', 'info'].includes(r.labels?.['severity'] ?? ''), `${r.alert}: severity`);
    assert.ok((r.annotations?.['summary'] ?? '').length > 10, `${r.alert}: summary`);
    for (const [open, close] of [
      ['(', ')'],
      ['[', ']'],
      ['{', '}'],
    ] as const) {
      assert.equal(r.expr.split(open).length, r.expr.split(close).length, `${r.alert}: ${open}${close} balanced`);
    }
  }
});

test('Prometheus loads the rules and sends to the Alertmanager that compose runs', () => {
  const prom = parse(readFileSync(join(REPO_ROOT, 'infra/prometheus/prometheus.yml'), 'utf8')) as {
    rule_files: string[];
    alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  };
  const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { volumes?: string[]; ports?: string[] }>;
  };
  const mounts = (compose.services['prometheus']?.volumes ?? []).map((v) => v.split(':'));
  for (const file of prom.rule_files) {
    assert.ok(
      mounts.some(([src, dst]) => dst === file && src === './infra/prometheus/alerts.yml'),
      `${file} is mounted from infra/prometheus/alerts.yml`,
    );
  }
  const targets = prom.alerting.alertmanagers.flatMap((a) => a.static_configs.flatMap((s) => s.targets));
  assert.deepEqual(targets, ['alertmanager:9093']);
  const am = compose.services['alertmanager'];
  assert.ok(am, 'compose runs an alertmanager');
  assert.ok((am.volumes ?? []).some((v) => v.startsWith('./infra/alertmanager/alertmanager.yml:')));
});
