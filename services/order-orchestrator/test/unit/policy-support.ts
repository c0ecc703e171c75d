import { stringify } from 'yaml';
import { parseOrchestratorPolicy, type OrchestratorPolicy } from '../../src/policy/index.js';

export const BASE_SLA = {
  steps: {
    credit: { default: '5m' },
    allocation: { default: '10m' },
    release: { default: '5m' },
    'pick-pack': { default: '4h' },
    'carrier-booking': { default: '30m' },
    dispatch: { default: '8h' },
    delivery: { default: '5d' },
    invoice: { default: '1h' },
    payment: { default: '45d' },
  },
};
export const BASE_CREDIT = { currency: 'USD', approveBelow: '250.00', autoApproveCustomers: ['C00001'], withoutLimit: 'approve' };
export const BASE_ALLOCATION = { warehouses: ['WH', 'WH2'], split: false, customers: {} };

/** A policy from plain objects (as YAML text), with errors naming infra/orchestrator/<file>. */
export function policyOf(parts: { sla?: unknown; credit?: unknown; allocation?: unknown } = {}): OrchestratorPolicy {
  return parseOrchestratorPolicy({
    sla: { file: 'infra/orchestrator/sla.yaml', text: stringify(parts.sla ?? BASE_SLA) },
    credit: { file: 'infra/orchestrator/credit.yaml', text: stringify(parts.credit ?? BASE_CREDIT) },
    allocation: { file: 'infra/orchestrator/allocation.yaml', text: stringify(parts.allocation ?? BASE_ALLOCATION) },
  });
}

/** The PolicyFileError message of the policy made from raw file texts (null when it loads). */
export function problemsOf(texts: { sla?: string; credit?: string; allocation?: string }): string[] | null {
  try {
    parseOrchestratorPolicy({
      sla: { file: 'infra/orchestrator/sla.yaml', text: texts.sla ?? stringify(BASE_SLA) },
      credit: { file: 'infra/orchestrator/credit.yaml', text: texts.credit ?? stringify(BASE_CREDIT) },
      allocation: { file: 'infra/orchestrator/allocation.yaml', text: texts.allocation ?? stringify(BASE_ALLOCATION) },
    });
    return null;
  } catch (err) {
    return (err as Error).message.split('\n');
  }
}
