import type { ServiceRuntime } from '@odx/runtime';
import type { Router } from 'express';
import { mountCaseRoutes } from '../http/case-routes.js';
import { CaseDesk, type ProcessCommandSender } from './case-desk.js';
import { createCaseMetrics } from './case-metrics.js';
import { CaseStore } from './case-store.js';
import type { ExceptionDeskSettings } from './desk-settings.js';
import { DlqIntake, type StepFailureSender } from './dlq-intake.js';
import { scanCases, type EscalationScanResult } from './escalation-scan.js';
import { runEvery } from './scan-loop.js';

export interface ExceptionDesk {
  desk: CaseDesk;
  /** The case routes, already mounted on `rt.http.api` (behind the runtime's authenticate). */
  router: Router;
  dlq: DlqIntake;
  /** One escalation scan now (tests; the loop runs every `scanMs`). */
  scan(now?: Date): Promise<EscalationScanResult>;
  /** Stops the scans (after the run in flight); also registered with the runtime's lifecycle. Idempotent. */
  stop(): Promise<void>;
}

export interface ExceptionDeskDeps {
  /** Where retry and approve/cancel of credit holds go: the process inbox (H1's ProcessCommands). */
  commands: ProcessCommandSender;
  /** Where dead letters of groups that do a process step go as step failures (ProcessCommands). @default the desk files them */
  failures?: StepFailureSender;
  /** The case API's router: @default rt.http.api (the runtime's authenticate must be the bearer-token check). */
  api?: Router;
  /** Group ids of the DLQ intake's reads start with this (the orchestrator passes `<its group id>-dlq-intake`). */
  dlqReaderGroupPrefix?: string;
}

/**
 * Wires the exception desk onto a runtime: the case store, the desk (events on
 * odx.cases.v1), the case API on the runtime's authenticated router, the
 * escalation scan and the DLQ intake of the order topics. Call before
 * `rt.listen()`.
 */
export async function startExceptionDesk(
  rt: ServiceRuntime,
  settings: ExceptionDeskSettings,
  deps: ExceptionDeskDeps,
): Promise<ExceptionDesk> {
  const store = new CaseStore(rt.db);
  await store.init();
  const metrics = createCaseMetrics(rt.metrics);
  const desk = new CaseDesk({
    store,
    producer: rt.producer,
    commands: deps.commands,
    metrics,
    logger: rt.logger,
    policy: settings.escalation,
    owners: settings.owners,
    topic: settings.topics.cases,
    company: rt.config.company,
  });
  const router = deps.api ?? rt.http.api;
  mountCaseRoutes(router, desk);
  const dlq = new DlqIntake({
    cluster: rt.cluster,
    serde: rt.serde,
    db: rt.db,
    desk,
    metrics,
    logger: rt.logger,
    topicPrefix: settings.topics.prefix,
    severity: settings.dlqSeverity,
    ...(deps.failures ? { failures: deps.failures } : {}),
    ...(deps.dlqReaderGroupPrefix ? { readerGroupPrefix: deps.dlqReaderGroupPrefix } : {}),
  });

  const abort = new AbortController();
  const scan = (now = new Date()): Promise<EscalationScanResult> => scanCases({ store, desk, metrics, now });
  const loops = [runEvery('case escalation scan', settings.scanMs, abort.signal, rt.logger, () => scan())];
  if (settings.dlqIntake) loops.push(runEvery('DLQ intake', settings.dlqScanMs, abort.signal, rt.logger, () => dlq.scan(abort.signal)));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      abort.abort();
      await Promise.all(loops);
    })();
    return stopping;
  };
  rt.lifecycle.register('exception-desk', stop);
  return { desk, router, dlq, scan, stop };
}
