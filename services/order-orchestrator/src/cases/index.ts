// The exception desk (issue 12, section 3): cases, their store, escalation, DLQ intake, events, API.
export { CaseDesk, type CaseDeskPort, type CaseDeskOptions, type ProcessCommandRequest, type ProcessCommandSender } from './case-desk.js';
export {
  CASE_STATUSES,
  RESOLUTIONS,
  SEVERITIES,
  CaseTransitionRefused,
  applyCaseAction,
  openCase,
  type CaseAction,
  type CaseOpening,
  type CaseRecord,
  type CaseStatus,
  type EscalationPolicy,
  type Evidence,
  type HistoryEntry,
  type Owner,
  type Resolution,
  type Severity,
} from './case-model.js';
export { CaseBusy, CaseNotFound } from './case-errors.js';
export { CASE_COLLECTIONS, CaseStore } from './case-store.js';
export { caseEvent, exceptionCaseOf } from './case-events.js';
export { createCaseMetrics, type CaseMetrics } from './case-metrics.js';
export { DEFAULT_OWNERS, loadExceptionDeskSettings, type ExceptionDeskSettings } from './desk-settings.js';
export { ORDER_TOPIC_RULES, UNATTRIBUTED_ORDER, readDlqEntry } from './dlq-entry.js';
export { DLQ_CURSOR_COLLECTION, DlqIntake } from './dlq-intake.js';
export { scanCases } from './escalation-scan.js';
export { startExceptionDesk, type ExceptionDesk, type ExceptionDeskDeps } from './start-exception-desk.js';
