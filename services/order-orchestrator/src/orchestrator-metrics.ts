// The orchestrator's own series on the runtime's registry (alert rules read
// odx_orchestrator_overdue_steps and odx_orchestrator_processes).
import type { RuntimeMetrics } from '@odx/runtime';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { InboxMetrics } from './process/inbox-consumer.js';
import type { ProcessState } from './process/process-state.js';

export interface OrchestratorMetrics extends InboxMetrics {
  intake: Counter<'outcome'>;
  effects: Counter<'kind'>;
  timersFired: Counter;
  catchUps: Counter<'bridge' | 'outcome'>;
  /** Reads the processes this instance holds (its partitions' open orders) at each scrape. */
  watch(processes: () => Iterable<ProcessState>): void;
}

export function createOrchestratorMetrics(runtime: RuntimeMetrics): OrchestratorMetrics {
  const registers = [runtime.registry];
  const signals = new Counter({
    name: 'odx_orchestrator_signals_total',
    help: 'Inbox signals folded into process state, by kind (fact, timer-fired, command, step-failed) and outcome (applied, duplicate)',
    labelNames: ['kind', 'outcome'] as const,
    registers,
  });
  const batchSeconds = new Histogram({
    name: 'odx_orchestrator_batch_seconds',
    help: 'Time to fold, store and act on one inbox batch',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const batchOrders = new Histogram({
    name: 'odx_orchestrator_batch_orders',
    help: 'Orders touched by one inbox batch',
    buckets: [1, 5, 10, 50, 100, 500, 1000],
    registers,
  });
  let source: () => Iterable<ProcessState> = () => [];
  new Gauge({
    name: 'odx_orchestrator_processes',
    help: "Open order processes held by this instance (its inbox partitions' orders), by stage and stage status",
    labelNames: ['stage', 'status'] as const,
    registers,
    collect() {
      this.reset();
      for (const s of source()) if (s.open) this.inc({ stage: s.stage, status: s.stageStatus });
    },
  });
  new Gauge({
    name: 'odx_orchestrator_overdue_steps',
    help: 'Open orders whose current step is past its SLA (overdue: being caught up and retried; failed: a case names it), by step',
    labelNames: ['step', 'status'] as const,
    registers,
    collect() {
      this.reset();
      for (const s of source()) {
        if (s.open && (s.stageStatus === 'overdue' || s.stageStatus === 'failed')) this.inc({ step: s.stage, status: s.stageStatus });
      }
    },
  });
  return {
    intake: new Counter({
      name: 'odx_orchestrator_intake_records_total',
      help: 'Canonical records the intake router read, by outcome (signal: signals published, skipped, undecodable)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    effects: new Counter({
      name: 'odx_orchestrator_effects_total',
      help: 'Effects carried out, by kind',
      labelNames: ['kind'] as const,
      registers,
    }),
    timersFired: new Counter({ name: 'odx_orchestrator_timers_fired_total', help: 'Due timers the scan sent to the inbox', registers }),
    catchUps: new Counter({
      name: 'odx_orchestrator_catchup_requests_total',
      help: 'Catch-up requests to bridges for late steps, by bridge and outcome',
      labelNames: ['bridge', 'outcome'] as const,
      registers,
    }),
    signals: (kind, outcome, n) => signals.inc({ kind, outcome }, n),
    batch: (ms, orders) => {
      batchSeconds.observe(ms / 1000);
      batchOrders.observe(orders);
    },
    watch: (processes) => {
      source = processes;
    },
  };
}
