import { Option, type Command } from 'commander';
import { parseNonNegativeInt } from '../args.js';
import { ApiClient } from '../api-client.js';
import { table, type CommandContext } from '../context.js';
import { UsageError } from '../exit-codes.js';

/** Where the order orchestrator answers when neither --orchestrator-url nor ODX_ORCHESTRATOR_URL says otherwise (its port under `npm start`). */
export const DEFAULT_ORCHESTRATOR_URL = 'http://127.0.0.1:8107';

export const CASE_STATUSES = ['open', 'acknowledged', 'escalated', 'resolved', 'unresolved'] as const;
export const CASE_RESOLUTIONS = ['approved', 'retried', 'returned', 'cancelled', 'dismissed', 'other'] as const;

export interface CaseView {
  caseId: string;
  orderId: string;
  orderName: string | null;
  step: string;
  severity: string;
  status: string;
  owner: { kind: string; id: string; name: string | null } | null;
  errorClass: string;
  lastError: string;
  evidence: Array<{
    kind: string;
    topic: string | null;
    partition: number | null;
    offset: string | null;
    eventId: string | null;
    note: string | null;
  }>;
  evidenceCount: number;
  proposedAction: string | null;
  escalationLevel: number;
  openedAt: string;
  updatedAt: string;
  dueAt: string | null;
  resolvedAt: string | null;
  resolution: string | null;
  version: number;
}

interface HistoryView {
  at: string;
  actor: string;
  action: string;
  fromStatus: string | null;
  toStatus: string | null;
  note: string | null;
  version: number;
}

interface ChangeAnswer {
  case: CaseView;
  changed: boolean;
  note?: string;
}

/** A client of the orchestrator: its URL, and the bearer token (ODX_ORCHESTRATOR_TOKEN, else the one replay-dlq takes). */
export function orchestratorClient(ctx: CommandContext, cmd: Command): ApiClient {
  const o = cmd.optsWithGlobals<{ orchestratorUrl?: string; token?: string }>();
  const url = (o.orchestratorUrl ?? ctx.io.env['ODX_ORCHESTRATOR_URL'] ?? DEFAULT_ORCHESTRATOR_URL).replace(/\/+$/, '');
  return new ApiClient(url, o.token ?? ctx.io.env['ODX_ORCHESTRATOR_TOKEN'] ?? ctx.io.env['ODX_REPLAY_TOKEN']);
}

const CASE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function caseIdArg(id: string): string {
  const t = id.trim().toLowerCase();
  if (!CASE_ID.test(t)) throw new UsageError(`a case id is a UUID as \`odx cases list\` shows it, got "${id}"`);
  return t;
}

function noteOf(note: string | undefined): { note?: string } {
  if (note === undefined) return {};
  if (note.trim() === '' || note.length > 1_000) throw new UsageError('--note must be 1-1000 characters');
  return { note };
}

const ownerText = (o: CaseView['owner']): string => (o ? `${o.kind === 'team' ? 'team ' : ''}${o.id}` : '-');

/** One line per case: what a desk shows. */
export function casesTable(cases: readonly CaseView[]): string {
  if (cases.length === 0) return 'no cases';
  return table(
    ['CASE', 'ORDER', 'STEP', 'SEVERITY', 'STATUS', 'OWNER', 'LEVEL', 'DUE', 'REASON'],
    cases.map((c) => [
      c.caseId,
      c.orderName ? `${c.orderName} (${c.orderId})` : c.orderId,
      c.step,
      c.severity,
      c.status,
      ownerText(c.owner),
      c.escalationLevel,
      c.dueAt,
      `${c.errorClass}: ${c.lastError}`.slice(0, 80),
    ]),
  );
}

function caseDetail(c: CaseView, history: readonly HistoryView[]): string {
  const lines = [
    `case      ${c.caseId}  (version ${c.version})`,
    `order     ${c.orderName ? `${c.orderName} (${c.orderId})` : c.orderId}`,
    `step      ${c.step}`,
    `status    ${c.status}${c.resolution ? ` (${c.resolution})` : ''}${c.escalationLevel > 0 ? `, escalation level ${c.escalationLevel}` : ''}`,
    `severity  ${c.severity}`,
    `owner     ${ownerText(c.owner)}`,
    `reason    ${c.errorClass}: ${c.lastError}`,
    ...(c.proposedAction ? [`proposed  ${c.proposedAction}`] : []),
    `opened    ${c.openedAt}${c.dueAt ? `   due ${c.dueAt}` : ''}${c.resolvedAt ? `   resolved ${c.resolvedAt}` : ''}`,
    `evidence  ${c.evidenceCount} link(s)${c.evidenceCount > c.evidence.length ? ` (first ${c.evidence.length} shown)` : ''}`,
    ...c.evidence.map(
      (e) =>
        `  - ${e.kind} ${e.topic ?? ''}${e.partition !== null ? `/${e.partition}` : ''}${e.offset !== null ? `/${e.offset}` : ''}${e.note ? `  ${e.note}` : ''}`,
    ),
  ];
  if (history.length > 0) {
    lines.push('history');
    for (const h of history)
      lines.push(
        `  ${h.at}  ${h.actor.padEnd(18)} ${h.action}${h.toStatus && h.toStatus !== h.fromStatus ? ` -> ${h.toStatus}` : ''}${h.note ? `  ${h.note}` : ''}`,
      );
  }
  return lines.join('\n');
}

function printChange(ctx: CommandContext, cmd: Command, res: ChangeAnswer, verb: string): void {
  ctx.print(cmd, res, () =>
    res.changed
      ? `${verb} case ${res.case.caseId}: ${res.case.status}, owner ${ownerText(res.case.owner)}`
      : `case ${res.case.caseId} unchanged: ${res.note ?? 'nothing to do'}`,
  );
}

/** `odx cases ...`: the order orchestrator's exception desk. */
export function registerCases(program: Command, ctx: CommandContext): void {
  const cases = program
    .command('cases')
    .description('exception cases of the order orchestrator: list, show, assign, ack, retry, resolve, escalate')
    .option('--orchestrator-url <url>', `order orchestrator base URL (env ODX_ORCHESTRATOR_URL, default ${DEFAULT_ORCHESTRATOR_URL})`);

  cases
    .command('list')
    .description('cases, newest first (default: the unresolved ones)')
    .addOption(new Option('--status <status>', 'only this status').choices(CASE_STATUSES).default('unresolved'))
    .option('--owner <id>', 'only cases owned by this team or person')
    .option('--order <orderId>', 'only the cases of this order')
    .option('--limit <n>', 'cases', '100')
    .action(async (o: { status: string; owner?: string; order?: string; limit: string }, cmd: Command) => {
      const limit = parseNonNegativeInt(o.limit, '--limit');
      if (limit < 1 || limit > 1_000) throw new UsageError('--limit takes 1 to 1000');
      const q = new URLSearchParams({ status: o.status, limit: String(limit) });
      if (o.owner) q.set('owner', o.owner);
      if (o.order) q.set('order', o.order);
      const res = await orchestratorClient(ctx, cmd).request<{ cases: CaseView[]; count: number }>('GET', `/v1/cases?${q}`);
      ctx.print(cmd, res, () => casesTable(res.cases));
    });

  cases
    .command('show')
    .description('one case: reason, evidence (DLQ entries, records) and history')
    .argument('<case>', 'case id')
    .option('--history <n>', 'newest history entries', '100')
    .action(async (id: string, o: { history: string }, cmd: Command) => {
      const history = parseNonNegativeInt(o.history, '--history');
      if (history > 1_000) throw new UsageError('--history takes 0 to 1000');
      const res = await orchestratorClient(ctx, cmd).request<{ case: CaseView; history: HistoryView[] }>(
        'GET',
        `/v1/cases/${caseIdArg(id)}?history=${history}`,
      );
      ctx.print(cmd, res, () => caseDetail(res.case, res.history));
    });

  cases
    .command('assign')
    .description('hand a case to a person (--to) or a team (--team)')
    .argument('<case>', 'case id')
    .option('--to <user>', 'user id of the person')
    .option('--team <team>', 'team id, e.g. warehouse-ops')
    .option('--name <display>', 'display name')
    .option('--note <text>', 'why')
    .action(async (id: string, o: { to?: string; team?: string; name?: string; note?: string }, cmd: Command) => {
      if (Boolean(o.to) === Boolean(o.team)) throw new UsageError('give exactly one of --to <user> and --team <team>');
      const owner = { kind: o.to ? 'person' : 'team', id: (o.to ?? o.team)!, ...(o.name ? { name: o.name } : {}) };
      const res = await orchestratorClient(ctx, cmd).request<ChangeAnswer>('POST', `/v1/cases/${caseIdArg(id)}/assign`, {
        owner,
        ...noteOf(o.note),
      });
      printChange(ctx, cmd, res, 'assigned');
    });

  for (const [name, verb, description] of [
    ['ack', 'acknowledged', 'acknowledge a case: someone is on it (restarts the escalation clock)'],
    ['retry', 'retried', "ask the orchestrator to retry the case's step (the case resolves when the step moves on)"],
    ['escalate', 'escalated', 'escalate a case now'],
  ] as const) {
    cases
      .command(name)
      .description(description)
      .argument('<case>', 'case id')
      .option('--note <text>', 'why')
      .action(async (id: string, o: { note?: string }, cmd: Command) => {
        const res = await orchestratorClient(ctx, cmd).request<ChangeAnswer>('POST', `/v1/cases/${caseIdArg(id)}/${name}`, noteOf(o.note));
        printChange(ctx, cmd, res, verb);
      });
  }

  cases
    .command('resolve')
    .description('resolve a case; --approve on a credit hold releases the order, --resolution cancelled cancels the hold')
    .argument('<case>', 'case id')
    .addOption(new Option('--resolution <resolution>', 'how it ended').choices(CASE_RESOLUTIONS))
    .option('--approve', 'same as --resolution approved')
    .option('--note <text>', 'what was done')
    .action(async (id: string, o: { resolution?: string; approve?: boolean; note?: string }, cmd: Command) => {
      if (o.approve && o.resolution && o.resolution !== 'approved') throw new UsageError('--approve and --resolution exclude each other');
      const resolution = o.approve ? 'approved' : o.resolution;
      if (!resolution) throw new UsageError(`say how the case ended: --approve or --resolution <${CASE_RESOLUTIONS.join('|')}>`);
      const res = await orchestratorClient(ctx, cmd).request<ChangeAnswer>('POST', `/v1/cases/${caseIdArg(id)}/resolve`, {
        resolution,
        ...noteOf(o.note),
      });
      printChange(ctx, cmd, res, 'resolved');
    });
}
