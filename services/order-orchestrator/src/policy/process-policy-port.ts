import { allocate, type AllocationInput, type AllocationLine, type AllocationResult } from './allocation-policy.js';
import { creditFactsNeeded, decideCredit, type CreditDecision, type CreditInput } from './credit-policy.js';
import type { OrchestratorPolicy } from './load-policy.js';
import { slaFor, type SlaContext, type SlaStep } from './sla-policy.js';

/** The loaded policy as the process fold asks it (src/process/process-policy.ts's ProcessPolicy). */
export interface PolicyPort {
  decideCredit(input: CreditInput): CreditDecision;
  /** False when the order is decided without the customer's limit and receivables (skip the Odoo read). */
  creditFactsNeeded(order: Pick<CreditInput, 'customerId' | 'orderTotal' | 'currency'>): boolean;
  allocate<L extends AllocationLine>(input: AllocationInput<L>): AllocationResult<L>;
  slaMs(step: SlaStep, scope: SlaContext): number;
}

/** Binds the pure policy functions to one loaded policy. */
export function policyPort(policy: OrchestratorPolicy): PolicyPort {
  return {
    decideCredit: (input) => decideCredit(input, policy),
    creditFactsNeeded: (order) => creditFactsNeeded(order, policy),
    allocate: (input) => allocate(input, policy),
    slaMs: (step, scope) => slaFor(step, scope, policy),
  };
}
