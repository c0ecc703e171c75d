import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { executeFlag, parseDatetime, parseNonNegativeInt, parsePartitions, parseRanges } from '../args.js';
import { table, type CommandContext } from '../context.js';
import { EXIT, ExitWith, UsageError } from '../exit-codes.js';

interface Job {
  _id: string;
  status: 'running' | 'completed' | 'cancelled' | 'failed';
  sourceTopic: string;
  targetTopic: string;
  total: number;
  scanned: number;
  published: number;
  skipped: number;
  ratePerSec: number | null;
  createdBy: string;
  createdAt: string;
  finishedAt: string | null;
  error: string | null;
  partitions: Array<{ partition: number; from: string; to: string; position: string }>;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

function describe(j: Job): string {
  return [
    `job ${j._id}: ${j.status}`,
    `  ${j.sourceTopic} -> ${j.targetTopic}${j.ratePerSec ? ` at ${j.ratePerSec}/s` : ''}, by ${j.createdBy} at ${j.createdAt}`,
    `  scanned ${j.scanned}/${j.total}, published ${j.published}, skipped ${j.skipped}${j.error ? `, error: ${j.error}` : ''}`,
    table(
      ['PARTITION', 'FROM', 'TO', 'POSITION'],
      j.partitions.map((p) => [p.partition, p.from, p.to, p.position]),
    ),
  ].join('\n');
}

/** Polls a job until it leaves `running`, with a progress bar on terminals. */
async function follow(ctx: CommandContext, cmd: Command, id: string, intervalMs = 1_000): Promise<Job> {
  const client = ctx.client(cmd);
  let job = await client.request<Job>('GET', `/replays/${id}`);
  const bar = ctx.progress(cmd, `replay ${id.slice(0, 8)}`, job.total);
  try {
    while (job.status === 'running') {
      bar.update(job.scanned, job.total);
      await sleep(intervalMs);
      job = await client.request<Job>('GET', `/replays/${id}`);
    }
    bar.update(job.scanned, job.total);
  } finally {
    bar.stop();
  }
  return job;
}

function endOf(ctx: CommandContext, cmd: Command, job: Job): void {
  ctx.print(cmd, job, () => describe(job));
  if (job.status !== 'completed') throw new ExitWith(EXIT.failure, `job ${job._id} ended ${job.status}`);
}

/** `odx replay start|status|cancel` */
export function registerReplay(program: Command, ctx: CommandContext): void {
  const replay = program.command('replay').description('replay jobs: republish a range of a topic');

  replay
    .command('start')
    .description('plan (default) or --execute a replay job')
    .requiredOption('--from-topic <topic>', 'topic to read')
    .requiredOption('--to-topic <topic>', 'topic to publish to')
    .option('--partitions <list>', 'only these partitions, e.g. 0,2')
    .option('--from-offset <n>', 'first offset (with --partitions: for each of them)')
    .option('--to-offset <n>', 'end offset, exclusive (with --partitions)')
    .option('--ranges <spec>', 'per-partition offsets PARTITION:FROM-[TO][,...], TO exclusive')
    .option('--from-datetime <datetime>', 'messages with a timestamp at or after (ISO-8601 or epoch ms)')
    .option('--to-datetime <datetime>', 'messages with a timestamp before')
    .option('--key <key>', 'only this key (repeatable)', collect)
    .option('--event-type <type>', 'only this event type, ce_type (repeatable)', collect)
    .option('--rate <n>', 'messages per second at most')
    .option('--dry-run', 'show the plan (the default)')
    .option('--execute', 'start the job')
    .option('--wait', 'follow the job until it ends (progress bar on terminals)')
    .action(
      async (
        o: {
          fromTopic: string;
          toTopic: string;
          partitions?: string;
          fromOffset?: string;
          toOffset?: string;
          ranges?: string;
          fromDatetime?: string;
          toDatetime?: string;
          key?: string[];
          eventType?: string[];
          rate?: string;
          dryRun?: boolean;
          execute?: boolean;
          wait?: boolean;
        },
        cmd: Command,
      ) => {
        const execute = executeFlag(o);
        const body: Record<string, unknown> = { sourceTopic: o.fromTopic, targetTopic: o.toTopic, execute };
        const byOffset = o.fromOffset !== undefined || o.toOffset !== undefined;
        if (o.ranges && (byOffset || o.partitions)) throw new UsageError('--ranges excludes --partitions/--from-offset/--to-offset');
        if ((o.ranges || byOffset) && (o.fromDatetime || o.toDatetime)) throw new UsageError('choose offsets or datetimes, not both');
        if (o.ranges) body['ranges'] = parseRanges(o.ranges);
        else if (byOffset) {
          if (!o.partitions) throw new UsageError('--from-offset/--to-offset need --partitions (offsets are per partition)');
          const from = o.fromOffset !== undefined ? String(parseNonNegativeInt(o.fromOffset, '--from-offset')) : '0';
          const to = o.toOffset !== undefined ? String(parseNonNegativeInt(o.toOffset, '--to-offset')) : undefined;
          body['ranges'] = parsePartitions(o.partitions).map((partition) => ({ partition, from, ...(to !== undefined ? { to } : {}) }));
        } else if (o.partitions) body['partitions'] = parsePartitions(o.partitions);
        if (o.fromDatetime) body['fromTime'] = parseDatetime(o.fromDatetime, '--from-datetime');
        if (o.toDatetime) body['toTime'] = parseDatetime(o.toDatetime, '--to-datetime');
        if (o.key) body['keys'] = o.key;
        if (o.eventType) body['eventTypes'] = o.eventType;
        if (o.rate !== undefined) body['ratePerSec'] = parseNonNegativeInt(o.rate, '--rate');
        const res = await ctx.client(cmd).request<{ dryRun: boolean; job: Job }>('POST', '/replays', body);
        if (res.dryRun) {
          ctx.print(
            cmd,
            res,
            () =>
              `dry run: would replay up to ${res.job.total} message(s)\n${table(
                ['PARTITION', 'FROM', 'TO'],
                res.job.partitions.map((p) => [p.partition, p.from, p.to]),
              )}\nadd --execute to start`,
          );
          return;
        }
        if (!o.wait) {
          ctx.print(
            cmd,
            res,
            () =>
              `started replay job ${res.job._id} (${res.job.total} message(s) in range); follow with: odx replay status ${res.job._id} --wait`,
          );
          return;
        }
        endOf(ctx, cmd, await follow(ctx, cmd, res.job._id));
      },
    );

  replay
    .command('status [jobId]')
    .description('one job (with --wait: follow it) or the latest jobs')
    .option('--status <status>', 'list only jobs in this state (running, completed, cancelled, failed)')
    .option('--limit <n>', 'jobs to list', '20')
    .option('--wait', 'follow the job until it ends')
    .action(async (id: string | undefined, o: { status?: string; limit: string; wait?: boolean }, cmd: Command) => {
      const client = ctx.client(cmd);
      if (id) {
        if (o.wait) return endOf(ctx, cmd, await follow(ctx, cmd, id));
        const job = await client.request<Job>('GET', `/replays/${encodeURIComponent(id)}`);
        ctx.print(cmd, job, () => describe(job));
        return;
      }
      const q = new URLSearchParams({ limit: String(parseNonNegativeInt(o.limit, '--limit')) });
      if (o.status) q.set('status', o.status);
      const res = await client.request<{ jobs: Job[] }>('GET', `/replays?${q}`);
      ctx.print(cmd, res, () =>
        res.jobs.length === 0
          ? 'no replay jobs'
          : table(
              ['JOB', 'STATUS', 'SOURCE', 'TARGET', 'PUBLISHED', 'SCANNED/TOTAL', 'BY', 'CREATED'],
              res.jobs.map((j) => [
                j._id,
                j.status,
                j.sourceTopic,
                j.targetTopic,
                j.published,
                `${j.scanned}/${j.total}`,
                j.createdBy,
                j.createdAt,
              ]),
            ),
      );
    });

  replay
    .command('cancel <jobId>')
    .description('stop a running job where it is')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const job = await ctx.client(cmd).request<Job>('POST', `/replays/${encodeURIComponent(id)}/cancel`);
      ctx.print(cmd, job, () => `cancelled ${job._id} after ${job.published} published`);
    });
}
