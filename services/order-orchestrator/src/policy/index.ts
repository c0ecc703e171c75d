export {
  DEFAULT_POLICY_DIR,
  loadOrchestratorPolicy,
  parseOrchestratorPolicy,
  POLICY_FILES,
  type OrchestratorPolicy,
  type PolicySource,
} from './load-policy.js';
export { PolicyFileError, type PolicyProblem } from './policy-file-error.js';
export { PolicyInputError } from './amounts.js';
export { formatDuration, MAX_DURATION_MS, parseDuration } from './duration.js';
export { SLA_PRECEDENCE, SLA_STEPS, slaFor, type SlaContext, type SlaPolicy, type SlaStep } from './sla-policy.js';
export {
  creditFactsNeeded,
  decideCredit,
  type CreditDecision,
  type CreditInput,
  type CreditPolicy,
  type CreditRule,
} from './credit-policy.js';
export {
  allocate,
  needsStock,
  stockKey,
  warehouseOrder,
  type AllocationInput,
  type AllocationLine,
  type AllocationPart,
  type AllocationPolicy,
  type AllocationResult,
  type ProductKind,
} from './allocation-policy.js';
export { ProductView, productKindOf, type ProductFact } from './product-view.js';
export { StockView, type LevelFact } from './stock-view.js';
export { OdooCreditReader, type CustomerCredit, type OdooCreditReaderOptions } from './odoo-credit-reader.js';
export { policyPort, type PolicyPort } from './process-policy-port.js';
