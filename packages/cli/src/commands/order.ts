import type { Command } from 'commander';
import { z } from 'zod';
import { table, type CommandContext } from '../context.js';
import { UsageError } from '../exit-codes.js';
import { DEFAULT_ORCHESTRATOR_URL, casesTable, orchestratorClient, type CaseView } from './cases.js';

// The process as GET /v1/orders/:ref/process shows it, read loosely: the CLI
// prints what it knows and keeps the rest for --json.
const time = z.union([z.string(), z.number()]).nullable().optional();
const stepView = z.looseObject({
  status: z.string(),
  attempts: z.number().optional(),
  startedAt: time,
  doneAt: time,
  lastError: z.string().nullable().optional(),
  caseOpen: z.boolean().optional(),
  detail: z.string().nullable().optional(),
});
const processView = z.looseObject({
  orderId: z.string(),
  orderName: z.string().nullable().optional(),
  stage: z.string().optional(),
  stageStatus: z.string().optional(),
  open: z.boolean().optional(),
  order: z.looseObject({ orderName: z.string().nullable().optional() }).nullable().optional(),
  steps: z.union([z.record(z.string(), stepView), z.array(stepView.extend({ step: z.string() }))]).optional(),
  due: z.looseObject({ step: z.string(), at: time, attempt: z.number().optional() }).nullable().optional(),
});
type ProcessView = z.infer<typeof processView>;
/** GET /v1/orders/:ref/process answers `{ process, cases? }`. */
const processAnswer = z.looseObject({ process: processView, cases: z.array(z.unknown()).optional() });

const when = (t: string | number | null | undefined): string | null =>
  t === null || t === undefined ? null : typeof t === 'number' ? new Date(t).toISOString() : t;

function stepRows(p: ProcessView): Array<Array<string | number | null>> {
  const entries = Array.isArray(p.steps) ? p.steps.map((s) => [s.step, s] as const) : Object.entries(p.steps ?? {});
  return entries.map(([name, s]) => [
    name,
    s.status,
    s.attempts ?? null,
    when(s.startedAt),
    when(s.doneAt),
    s.caseOpen ? 'yes' : null,
    (s.lastError ?? s.detail ?? '').slice(0, 70) || null,
  ]);
}

function describe(p: ProcessView, cases: readonly CaseView[]): string {
  const name = p.orderName ?? p.order?.orderName;
  const lines = [
    `order  ${name ? `${name} (${p.orderId})` : p.orderId}`,
    `stage  ${p.stage ?? '?'}${p.stageStatus ? ` (${p.stageStatus})` : ''}${p.open === false ? ', closed' : ''}`,
    ...(p.due ? [`next   ${p.due.step} due ${when(p.due.at)}${p.due.attempt ? ` (attempt ${p.due.attempt})` : ''}`] : []),
    '',
    table(['STEP', 'STATUS', 'ATTEMPTS', 'STARTED', 'DONE', 'CASE', 'DETAIL'], stepRows(p)),
    '',
    cases.length === 0 ? 'no open cases' : `open cases\n${casesTable(cases)}`,
  ];
  return lines.join('\n');
}

/** `odx order <ref>`: an order's process state and its open cases, from the order orchestrator. */
export function registerOrder(program: Command, ctx: CommandContext): void {
  program
    .command('order')
    .description("an order's process (stage, each step, the next due time) and its open exception cases, from the order orchestrator")
    .argument('<ref>', 'order id or Odoo order name (S00042)')
    .option('--orchestrator-url <url>', `order orchestrator base URL (env ODX_ORCHESTRATOR_URL, default ${DEFAULT_ORCHESTRATOR_URL})`)
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      if (ref.trim() === '' || ref.length > 200) throw new UsageError('the order reference must be 1 to 200 characters');
      const client = orchestratorClient(ctx, cmd);
      const raw = await client.request<unknown>('GET', `/v1/orders/${encodeURIComponent(ref)}/process`);
      const parsed = processAnswer.safeParse(raw);
      if (!parsed.success)
        throw new Error(`the orchestrator answered a process this CLI cannot read: ${parsed.error.issues[0]?.message ?? ''}`);
      const p = parsed.data.process;
      // The order's unresolved cases, as the desk lists them (also when the process answer carries its own view of them).
      const q = new URLSearchParams({ order: p.orderId, status: 'unresolved', limit: '100' });
      const { cases } = await client.request<{ cases: CaseView[] }>('GET', `/v1/cases?${q}`);
      const printed = raw !== null && typeof raw === 'object' ? raw : {};
      ctx.print(cmd, { ...printed, cases }, () => describe(p, cases));
    });
}
