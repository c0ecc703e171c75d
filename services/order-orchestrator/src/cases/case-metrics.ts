import type { RuntimeMetrics } from '@odx/runtime';
import { Counter, Gauge } from 'prom-client';

/** The exception desk's series, on the runtime's registry (alerts in infra/prometheus/alerts.yml read them). */
export interface CaseMetrics {
  open: Gauge<'severity' | 'status'>;
  oldestOpenSeconds: Gauge<'severity'>;
  opened: Counter<'step' | 'severity' | 'source'>;
  attached: Counter<'source'>;
  resolved: Counter<'resolution'>;
  escalations: Counter<'severity' | 'trigger'>;
  dlqEntries: Counter<'outcome'>;
  eventsPending: Gauge;
}

export function createCaseMetrics(runtime: RuntimeMetrics): CaseMetrics {
  const registers = [runtime.registry];
  return {
    open: new Gauge({
      name: 'odx_cases_open',
      help: 'Unresolved exception cases, by severity and status (open, acknowledged, escalated), as of the last escalation scan',
      labelNames: ['severity', 'status'],
      registers,
    }),
    oldestOpenSeconds: new Gauge({
      name: 'odx_cases_oldest_open_age_seconds',
      help: 'Age of the oldest unresolved case, by severity (0 when none)',
      labelNames: ['severity'],
      registers,
    }),
    opened: new Counter({
      name: 'odx_cases_opened_total',
      help: 'Exception cases opened, by step, severity and source (process, dlq)',
      labelNames: ['step', 'severity', 'source'],
      registers,
    }),
    attached: new Counter({
      name: 'odx_cases_attached_total',
      help: 'Openings that joined a case already open for the order (more evidence, no new case)',
      labelNames: ['source'],
      registers,
    }),
    resolved: new Counter({
      name: 'odx_cases_resolved_total',
      help: 'Exception cases resolved, by resolution',
      labelNames: ['resolution'],
      registers,
    }),
    escalations: new Counter({
      name: 'odx_cases_escalations_total',
      help: 'Case escalations, by severity and trigger (overdue: the due time passed; operator)',
      labelNames: ['severity', 'trigger'],
      registers,
    }),
    dlqEntries: new Counter({
      name: 'odx_cases_dlq_entries_total',
      help: 'Dead letters of order topics read by the exception desk, by outcome (opened, attached, process: sent to the order process as a step failure, duplicate, skipped)',
      labelNames: ['outcome'],
      registers,
    }),
    eventsPending: new Gauge({
      name: 'odx_cases_events_pending',
      help: 'Cases whose last change is stored but its odx.cases.v1 event not yet acknowledged by Kafka',
      registers,
    }),
  };
}
