import { catalogTopicName, envVar, parseEnv } from '@odx/runtime';
import { z } from 'zod';
import { SEVERITIES, type EscalationPolicy, type Owner, type Severity } from './case-model.js';

/** The exception desk's settings, fully defaulted (`loadExceptionDeskSettings` reads them from ODX_CASES_*). */
export interface ExceptionDeskSettings {
  escalation: EscalationPolicy;
  /** Default owner by step (`*`: any other step). */
  owners: Record<string, Owner>;
  /** How often the escalation scan runs. */
  scanMs: number;
  /** Dead letters of order topics open cases (false: only the process opens cases). */
  dlqIntake: boolean;
  /** How often the DLQ intake looks for new dead letters. */
  dlqScanMs: number;
  /** Severity of a case a dead letter opens. */
  dlqSeverity: Severity;
  /** Topic names as deployed: ODX_TOPIC_PREFIX, and odx.cases.v1 with it. */
  topics: { prefix: string; cases: string };
}

const team = (id: string): Owner => ({ kind: 'team', id, name: null });

/** Teams cases go to until someone assigns them: who can act on that step. */
export const DEFAULT_OWNERS: Record<string, Owner> = {
  credit: team('credit-control'),
  allocation: team('warehouse-ops'),
  release: team('warehouse-ops'),
  'pick-pack': team('warehouse-ops'),
  'carrier-booking': team('transport-ops'),
  dispatch: team('transport-ops'),
  delivery: team('transport-ops'),
  invoice: team('finance-ops'),
  payment: team('finance-ops'),
  '*': team('integration-ops'),
};

const MINUTE = 60_000;

const schema = z.object({
  /** Minutes without action before a case escalates, by severity. */
  ODX_CASES_ESCALATE_CRITICAL_MIN: envVar.positiveInt().default(15),
  ODX_CASES_ESCALATE_HIGH_MIN: envVar.positiveInt().default(60),
  ODX_CASES_ESCALATE_MEDIUM_MIN: envVar.positiveInt().default(240),
  ODX_CASES_ESCALATE_LOW_MIN: envVar.positiveInt().default(1_440),
  /** Escalations after which a case stays escalated with no further due time. */
  ODX_CASES_MAX_ESCALATION_LEVEL: envVar.positiveInt().default(3),
  /** Team an escalated case goes to (unset: it keeps its owner). */
  ODX_CASES_ESCALATE_TO: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, 'a team id')
    .optional(),
  ODX_CASES_SCAN_MS: envVar.positiveInt().default(15_000),
  ODX_CASES_DLQ_INTAKE: envVar.bool().default(true),
  ODX_CASES_DLQ_SCAN_MS: envVar.positiveInt().default(10_000),
  ODX_CASES_DLQ_SEVERITY: z.enum(SEVERITIES).default('high'),
});

/** Reads ODX_CASES_* and ODX_TOPIC_PREFIX (errors name the variable). */
export function loadExceptionDeskSettings(env: NodeJS.ProcessEnv = process.env): ExceptionDeskSettings {
  const e = parseEnv(schema, env);
  return {
    escalation: {
      afterMs: {
        critical: e.ODX_CASES_ESCALATE_CRITICAL_MIN * MINUTE,
        high: e.ODX_CASES_ESCALATE_HIGH_MIN * MINUTE,
        medium: e.ODX_CASES_ESCALATE_MEDIUM_MIN * MINUTE,
        low: e.ODX_CASES_ESCALATE_LOW_MIN * MINUTE,
      },
      maxLevel: e.ODX_CASES_MAX_ESCALATION_LEVEL,
      escalateTo: e.ODX_CASES_ESCALATE_TO ? team(e.ODX_CASES_ESCALATE_TO) : null,
    },
    owners: DEFAULT_OWNERS,
    scanMs: e.ODX_CASES_SCAN_MS,
    dlqIntake: e.ODX_CASES_DLQ_INTAKE,
    dlqScanMs: e.ODX_CASES_DLQ_SCAN_MS,
    dlqSeverity: e.ODX_CASES_DLQ_SEVERITY,
    topics: { prefix: catalogTopicName('', env), cases: catalogTopicName('odx.cases.v1', env) },
  };
}
