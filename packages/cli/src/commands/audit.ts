import type { Command } from 'commander';
import { parseDatetime, parseNonNegativeInt } from '../args.js';
import { table, type CommandContext } from '../context.js';
import { UsageError } from '../exit-codes.js';

interface Entry {
  _id: string;
  at: string;
  actor: string;
  role: string;
  action: string;
  target: string;
  count: number;
  details: Record<string, unknown>;
}

/** `odx audit`: who redrove, replayed, reset or purged what, newest first. */
export function registerAudit(program: Command, ctx: CommandContext): void {
  program
    .command('audit')
    .description('the audit trail of redrives, replays, resets and purges')
    .option('--action <action>', 'dlq.redrive, dlq.purge, replay.start, replay.cancel or groups.reset')
    .option('--actor <name>', 'only this person')
    .option('--target <name>', 'only this topic, group or job')
    .option('--since <datetime>', 'at or after (ISO-8601)')
    .option('--limit <n>', 'entries', '50')
    .action(async (o: { action?: string; actor?: string; target?: string; since?: string; limit: string }, cmd: Command) => {
      const q = new URLSearchParams({ limit: String(parseNonNegativeInt(o.limit, '--limit')) });
      if (o.action) q.set('action', o.action);
      if (o.actor) q.set('actor', o.actor);
      if (o.target) q.set('target', o.target);
      if (o.since) {
        const t = parseDatetime(o.since, '--since');
        if (typeof t === 'number') throw new UsageError('--since takes an ISO-8601 time here');
        q.set('since', t);
      }
      const res = await ctx.client(cmd).request<{ entries: Entry[] }>('GET', `/audit?${q}`);
      ctx.print(cmd, res, () =>
        res.entries.length === 0
          ? 'no audit entries'
          : table(
              ['AT', 'ACTOR', 'ROLE', 'ACTION', 'TARGET', 'COUNT'],
              res.entries.map((e) => [e.at, e.actor, e.role, e.action, e.target, e.count]),
            ),
      );
    });
}
