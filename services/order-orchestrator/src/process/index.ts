// The order process: steps, the pure fold, the process store, the inbox consumer and its effects.
export { STEPS, bridgeOfStep, isStepName, type Stage, type StageStatus, type StepName, type StepStatus } from './steps.js';
export { foldSignal, orderFacts, type FoldContext, type FoldResult, type FoldSettings } from './fold.js';
export type { CaseOpeningRequest, CaseSeverity, Effect } from './effects.js';
export type { AllocLine, AllocOutcome, CreditCheck, CreditFacts, CreditOutcome, ProcessPolicy, SlaScope } from './process-policy.js';
export { newProcess, type ProcessState, type StepState } from './process-state.js';
export { PROCESS_COLLECTION, ProcessStore } from './process-store.js';
export { InboxConsumer, NO_CREDIT_FACTS, type CreditReader, type InboxMetrics } from './inbox-consumer.js';
export { EffectExecutor } from './effect-executor.js';
export { BridgeCatchUp, type BridgeEndpoint, type CatchUpOutcome } from './bridge-catch-up.js';
export { LoggingCaseDesk, type CaseDeskPort } from './case-port.js';
export { ProcessCommands } from './process-commands.js';
export {
  commandSignal,
  emptySignal,
  stepFailureSignal,
  timerSignal,
  type ProcessCommandInput,
  type ProcessCommandName,
  type StepFailureInput,
} from './signals.js';
