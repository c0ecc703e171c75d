import { PermanentError } from '@odx/runtime';

/** One thing wrong in a policy file: the file, the field (dotted path) and what was expected. */
export interface PolicyProblem {
  file: string;
  field: string;
  message: string;
}

/**
 * Policy files that do not load. The message has one line per problem,
 * `<file>: <field>: <what was expected>`, e.g.
 * `infra/orchestrator/sla.yaml: steps.carrier-booking.default: expected a duration like 30m`.
 */
export class PolicyFileError extends PermanentError {
  constructor(readonly problems: readonly PolicyProblem[]) {
    super(problems.map((p) => `${p.file}: ${p.field}: ${p.message}`).join('\n'), { errorClass: 'policy.invalid-file' });
    this.name = 'PolicyFileError';
  }
}
