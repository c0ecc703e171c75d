import type { Command } from 'commander';
import { executeFlag, parseDatetime, parseNonNegativeInt, parsePartitions } from '../args.js';
import { table, type CommandContext } from '../context.js';
import { EXIT, ExitWith, UsageError } from '../exit-codes.js';

interface Description {
  group: string;
  state: string;
  members: Array<{ memberId: string; clientId: string; clientHost: string; assignment: Record<string, number[]> }>;
  topics: Array<{
    topic: string;
    lag: number;
    partitions: Array<{ partition: number; committed: string | null; end: string; lag: number | null; member: string | null }>;
  }>;
}

interface ResetAnswer {
  group: string;
  topic: string;
  state: string;
  dryRun: boolean;
  refused?: string;
  plan: Array<{ partition: number; current: string | null; target: string; clamped: boolean }>;
}

/** `odx groups describe|reset` (flags as kafka-consumer-groups names them). */
export function registerGroups(program: Command, ctx: CommandContext): void {
  const groups = program.command('groups').description('consumer groups: describe, reset offsets');

  groups
    .command('describe <group>')
    .description('committed offset, end offset and lag per partition, and the members')
    .option('--topic <topic>', 'only this topic')
    .action(async (group: string, o: { topic?: string }, cmd: Command) => {
      const q = o.topic ? `?topic=${encodeURIComponent(o.topic)}` : '';
      const d = await ctx.client(cmd).request<Description>('GET', `/groups/${encodeURIComponent(group)}${q}`);
      ctx.print(cmd, d, () =>
        [
          `group ${d.group}: ${d.state}, ${d.members.length} member(s)`,
          table(
            ['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID'],
            d.topics.flatMap((t) => t.partitions.map((p) => [t.topic, p.partition, p.committed, p.end, p.lag, p.member])),
          ),
          ...d.members.map(
            (m) =>
              `member ${m.memberId} (${m.clientId} @ ${m.clientHost}): ${Object.entries(m.assignment)
                .map(([t, ps]) => `${t}[${ps.join(',')}]`)
                .join(' ')}`,
          ),
        ].join('\n'),
      );
    });

  groups
    .command('reset <group>')
    .description('plan (default) or --execute an offset reset; refused while the group has members')
    .requiredOption('--topic <topic>', 'topic whose offsets move')
    .option('--partitions <list>', 'only these partitions, e.g. 0,2 (default: all)')
    .option('--to-earliest', 'to the start of the log')
    .option('--to-latest', 'to the end of the log')
    .option('--to-offset <n>', 'to this offset')
    .option('--to-datetime <datetime>', 'to the first message at or after this time (ISO-8601 or epoch ms)')
    .option('--shift-by <n>', 'move by n (negative moves back)')
    .option('--dry-run', 'show the plan (the default)')
    .option('--execute', 'apply the plan')
    .action(
      async (
        group: string,
        o: {
          topic: string;
          partitions?: string;
          toEarliest?: boolean;
          toLatest?: boolean;
          toOffset?: string;
          toDatetime?: string;
          shiftBy?: string;
          dryRun?: boolean;
          execute?: boolean;
        },
        cmd: Command,
      ) => {
        const execute = executeFlag(o);
        const chosen = [
          o.toEarliest && 'to-earliest',
          o.toLatest && 'to-latest',
          o.toOffset !== undefined && 'to-offset',
          o.toDatetime !== undefined && 'to-datetime',
          o.shiftBy !== undefined && 'shift-by',
        ].filter(Boolean);
        if (chosen.length !== 1)
          throw new UsageError(
            `choose exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by${chosen.length ? ` (got ${chosen.map((c) => `--${c}`).join(', ')})` : ''}`,
          );
        let strategy: Record<string, unknown>;
        if (o.toEarliest) strategy = { toEarliest: true };
        else if (o.toLatest) strategy = { toLatest: true };
        else if (o.toOffset !== undefined) strategy = { toOffset: String(parseNonNegativeInt(o.toOffset, '--to-offset')) };
        else if (o.toDatetime !== undefined) strategy = { toDatetime: parseDatetime(o.toDatetime, '--to-datetime') };
        else {
          if (!/^-?\d{1,18}$/.test(o.shiftBy!.trim())) throw new UsageError(`--shift-by takes a whole number, got "${o.shiftBy}"`);
          strategy = { shiftBy: o.shiftBy!.trim() };
        }
        const res = await ctx.client(cmd).request<ResetAnswer>('POST', `/groups/${encodeURIComponent(group)}/reset`, {
          topic: o.topic,
          ...(o.partitions ? { partitions: parsePartitions(o.partitions) } : {}),
          strategy,
          execute,
        });
        ctx.print(cmd, res, () =>
          [
            table(
              ['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'NEW-OFFSET'],
              res.plan.map((p) => [res.topic, p.partition, p.current, `${p.target}${p.clamped ? ' (clamped)' : ''}`]),
            ),
            res.refused ? `refused: ${res.refused}` : res.dryRun ? 'dry run: nothing changed; add --execute to apply' : 'applied',
          ].join('\n'),
        );
        if (res.refused) throw new ExitWith(EXIT.refused);
      },
    );
}
