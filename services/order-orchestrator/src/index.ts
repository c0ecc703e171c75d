// @odx/order-orchestrator: what other workspaces (the demo, system tests, benchmarks) use of the service.
export { DEFAULT_ORCHESTRATOR_PORT, loadOrchestratorConfig, type OrchestratorConfig } from './config.js';
export { startOrderOrchestrator, type OrchestratorDeps, type OrderOrchestrator } from './orchestrator-service.js';
export * from './process/index.js';
export { DueIndex, DUE_COLLECTION, type DueBucket, type DueChange } from './timers/due-index.js';
export { TimerScanner, type TimerScanResult } from './timers/timer-scan.js';
export { INTAKE_EVENT_TYPES, signalsOf, type IntakeEventType } from './intake/map-event.js';
export { processView, PROCESS_ENDPOINTS } from './http/process-routes.js';
export { orchestratorSubscriptions } from './subscriptions.js';
