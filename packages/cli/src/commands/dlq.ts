import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { executeFlag, formatCursor, parseCursor, parseDatetime, parseNonNegativeInt, parsePartitions, parseSelection } from '../args.js';
import { table, type CommandContext } from '../context.js';
import { UsageError } from '../exit-codes.js';

interface FilterFlags {
  key?: string;
  errorClass?: string;
  originalTopic?: string;
  eventType?: string;
  since?: string;
  until?: string;
}

function addFilterFlags(cmd: Command): Command {
  return cmd
    .option('--key <key>', 'only messages with this key')
    .option('--error-class <class>', 'only this error class (odx.errors.class)')
    .option('--original-topic <topic>', 'only messages that failed on this topic')
    .option('--event-type <type>', 'only this event type (OrderConfirmed or com.odx.events.OrderConfirmed)')
    .option('--since <datetime>', 'dead-lettered at or after (ISO-8601 or epoch ms)')
    .option('--until <datetime>', 'dead-lettered before (ISO-8601 or epoch ms)');
}

function filterOf(o: FilterFlags): Record<string, string | number> {
  const f: Record<string, string | number> = {};
  if (o.key !== undefined) f['key'] = o.key;
  if (o.errorClass !== undefined) f['errorClass'] = o.errorClass;
  if (o.originalTopic !== undefined) f['originalTopic'] = o.originalTopic;
  if (o.eventType !== undefined) f['eventType'] = o.eventType;
  if (o.since !== undefined) f['since'] = parseDatetime(o.since, '--since');
  if (o.until !== undefined) f['until'] = parseDatetime(o.until, '--until');
  return f;
}

const enc = encodeURIComponent;
const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

interface Summary {
  topic: string;
  originalTopic: string;
  group: string;
  depth: number;
  oldestAgeMs: number | null;
  errorClasses: Record<string, number>;
  countsComplete: boolean;
}
interface MessageView {
  partition: number;
  offset: string;
  timestamp: string;
  key: string | null;
  eventId: string | null;
  eventType: string | null;
  failure: { errorClass: string | null; message: string | null; originalTopic: string | null };
  headers: Record<string, string>;
  payload?: unknown;
  decodeError?: string;
  redriven: boolean;
}

function age(ms: number | null): string {
  if (ms === null) return '-';
  const s = Math.floor(ms / 1000);
  if (s < 120) return `${s}s`;
  if (s < 7_200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3_600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** `odx dlq list|show|redrive|purge` */
export function registerDlq(program: Command, ctx: CommandContext): void {
  const dlq = program.command('dlq').description('dead-letter topics: list, show, redrive, purge');

  dlq
    .command('list')
    .description('DLQ topics with depth, oldest message age and counts by error class')
    .option('--topic <topic>', 'only DLQs of this original topic')
    .option('--group <group>', 'only DLQs of this consumer group')
    .action(async (o: { topic?: string; group?: string }, cmd: Command) => {
      const q = new URLSearchParams();
      if (o.topic) q.set('originalTopic', o.topic);
      if (o.group) q.set('group', o.group);
      const res = await ctx.client(cmd).request<{ topics: Summary[] }>('GET', `/dlq${q.size ? `?${q}` : ''}`);
      ctx.print(cmd, res, () =>
        res.topics.length === 0
          ? 'no DLQ topics'
          : table(
              ['DLQ TOPIC', 'DEPTH', 'OLDEST', 'ERROR CLASSES'],
              res.topics.map((t) => [
                t.topic,
                t.depth,
                age(t.oldestAgeMs),
                Object.entries(t.errorClasses)
                  .sort(([, a], [, b]) => b - a)
                  .map(([c, n]) => `${c}=${n}`)
                  .join(' ') + (t.countsComplete ? '' : ' (sampled)'),
              ]),
            ),
      );
    });

  addFilterFlags(dlq.command('show <dlqTopic>'))
    .description('browse messages, decoded, with their failure headers')
    .option('--partitions <list>', 'only these partitions, e.g. 0,2')
    .option('--cursor <cursor>', 'continue from PARTITION:OFFSET[,...] (printed at the end of a page)')
    .option('--limit <n>', 'messages per page (max 1000)', '20')
    .option('--headers', 'print every header')
    .option('--payload', 'print decoded payloads')
    .action(
      async (
        topic: string,
        o: FilterFlags & { partitions?: string; cursor?: string; limit: string; headers?: boolean; payload?: boolean },
        cmd: Command,
      ) => {
        const q = new URLSearchParams(Object.entries(filterOf(o)).map(([k, v]): [string, string] => [k, String(v)]));
        if (o.partitions) q.set('partitions', parsePartitions(o.partitions).join(','));
        if (o.cursor) q.set('cursor', formatCursor(parseCursor(o.cursor))!);
        q.set('limit', String(parseNonNegativeInt(o.limit, '--limit')));
        const res = await ctx
          .client(cmd)
          .request<{ messages: MessageView[]; scanned: number; nextCursor: Record<string, string> | null }>(
            'GET',
            `/dlq/${enc(topic)}/messages?${q}`,
          );
        ctx.print(cmd, res, () => {
          const lines: string[] = [];
          for (const m of res.messages) {
            lines.push(
              `${m.partition}:${m.offset}  ${m.timestamp}  key=${m.key ?? '-'}  ${m.eventType ?? '?'}  id=${m.eventId ?? '-'}${m.redriven ? '  [redriven]' : ''}`,
            );
            lines.push(`    ${m.failure.errorClass ?? '-'}: ${m.failure.message ?? ''}  (from ${m.failure.originalTopic ?? '?'})`);
            if (m.decodeError) lines.push(`    undecodable: ${m.decodeError}`);
            if (o.headers) for (const [k, v] of Object.entries(m.headers)) lines.push(`    ${k}: ${v}`);
            if (o.payload && m.payload !== undefined) lines.push(`    ${JSON.stringify(m.payload)}`);
          }
          lines.push(
            `${res.messages.length} message(s), ${res.scanned} scanned${res.nextCursor ? `; more: --cursor ${formatCursor(res.nextCursor)}` : ''}`,
          );
          return lines.join('\n');
        });
      },
    );

  addFilterFlags(dlq.command('redrive <dlqTopic>'))
    .description('republish DLQ messages to their original topic (dry run unless --execute)')
    .option('--offset <partition:offset>', 'a message to redrive (repeatable, or comma-separated)', collect)
    .option('--all', 'redrive every message matching the filters (needed when no --offset and no filter is given)')
    .option('--to-topic <topic>', 'publish to this topic instead of the original one')
    .option('--payload-file <file>', 'replace the payload (JSON, as `dlq show --payload` prints it) of the single --offset message')
    .option('--force', 'redrive messages that were redriven before')
    .option('--batch <n>', 'messages per request when redriving by filter', '1000')
    .option('--dry-run', 'show what would be redriven (the default)')
    .option('--execute', 'redrive for real')
    .action(
      async (
        topic: string,
        o: FilterFlags & {
          offset?: string[];
          all?: boolean;
          toTopic?: string;
          payloadFile?: string;
          force?: boolean;
          batch: string;
          dryRun?: boolean;
          execute?: boolean;
        },
        cmd: Command,
      ) => {
        const execute = executeFlag(o);
        const filter = filterOf(o);
        const selection = o.offset ? parseSelection(o.offset) : undefined;
        if (selection && (Object.keys(filter).length > 0 || o.all)) throw new UsageError('--offset excludes filters and --all');
        if (!selection && Object.keys(filter).length === 0 && !o.all)
          throw new UsageError('name messages with --offset, filters, or --all');
        let payload: unknown;
        if (o.payloadFile) {
          if (selection?.length !== 1) throw new UsageError('--payload-file needs exactly one --offset');
          try {
            payload = JSON.parse(await readFile(o.payloadFile, 'utf8'));
          } catch (err) {
            throw new UsageError(`--payload-file: ${(err as Error).message}`);
          }
        }
        const batch = parseNonNegativeInt(o.batch, '--batch');
        if (batch < 1) throw new UsageError('--batch must be at least 1');
        const client = ctx.client(cmd);
        const common = { ...(o.toTopic ? { targetTopic: o.toTopic } : {}), force: o.force === true };
        type Answer = {
          dryRun: boolean;
          matched: number;
          wouldRedrive?: number;
          redriven?: number;
          skippedAlreadyRedriven: number;
          targets: Record<string, number>;
          nextCursor: Record<string, string> | null;
          redriveId?: string;
          sample?: unknown[];
        };
        if (selection) {
          const res = await client.request<Answer>('POST', `/dlq/${enc(topic)}/redrive`, {
            selection,
            ...(payload !== undefined ? { payload } : {}),
            ...common,
            execute,
          });
          ctx.print(cmd, res, () =>
            res.dryRun
              ? `dry run: would redrive ${res.wouldRedrive} message(s) to ${Object.keys(res.targets).join(', ')}; add --execute`
              : `redrove ${res.redriven} message(s) (redrive ${res.redriveId})`,
          );
          return;
        }
        const plan = await client.request<Answer>('POST', `/dlq/${enc(topic)}/redrive`, { filter, ...common, execute: false });
        if (!execute) {
          ctx.print(
            cmd,
            plan,
            () =>
              `dry run: ${plan.matched} match, would redrive ${plan.wouldRedrive} (${plan.skippedAlreadyRedriven} already redriven${o.force ? ', forced' : ''})${plan.nextCursor ? ' (first page; more may match)' : ''} to ${
                Object.entries(plan.targets)
                  .map(([t, n]) => `${t}=${n}`)
                  .join(', ') || '-'
              }; add --execute`,
          );
          return;
        }
        const bar = ctx.progress(cmd, 'redrive', plan.wouldRedrive ?? 0);
        let cursor: Record<string, string> | null | undefined;
        let redriven = 0;
        let skipped = 0;
        const targets: Record<string, number> = {};
        const ids: string[] = [];
        try {
          do {
            const res = await client.request<Answer>('POST', `/dlq/${enc(topic)}/redrive`, {
              filter,
              ...common,
              limit: batch,
              ...(cursor ? { cursor } : {}),
              execute: true,
            });
            redriven += res.redriven ?? 0;
            skipped += res.skippedAlreadyRedriven;
            for (const [t, n] of Object.entries(res.targets)) targets[t] = (targets[t] ?? 0) + n;
            if (res.redriveId && (res.redriven ?? 0) > 0) ids.push(res.redriveId);
            cursor = res.nextCursor;
            bar.update(redriven, Math.max(redriven, plan.wouldRedrive ?? 0));
          } while (cursor);
        } finally {
          bar.stop();
        }
        const out = { dryRun: false, redriven, skippedAlreadyRedriven: skipped, targets, redriveIds: ids };
        ctx.print(
          cmd,
          out,
          () => `redrove ${redriven} message(s)${skipped ? `, skipped ${skipped} already redriven (--force to repeat)` : ''}`,
        );
      },
    );

  dlq
    .command('purge <dlqTopic>')
    .description('delete DLQ records (admin; dry run unless --execute)')
    .option('--before <partition:offset>', 'delete only records below these offsets, e.g. 0:120,1:98 (default: everything)')
    .option('--dry-run', 'show what would be deleted (the default)')
    .option('--execute', 'delete for real')
    .action(async (topic: string, o: { before?: string; dryRun?: boolean; execute?: boolean }, cmd: Command) => {
      const execute = executeFlag(o);
      const res = await ctx.client(cmd).request<{
        dryRun: boolean;
        wouldDelete?: number;
        deleted?: number;
        plan: Array<{ partition: number; low: string; newLow: string; deleted: number }>;
      }>('POST', `/dlq/${enc(topic)}/purge`, { ...(o.before ? { before: parseCursor(o.before, '--before') } : {}), execute });
      ctx.print(cmd, res, () =>
        [
          table(
            ['PARTITION', 'LOW', 'NEW LOW', 'DELETED'],
            res.plan.map((p) => [p.partition, p.low, p.newLow, p.deleted]),
          ),
          res.dryRun ? `dry run: would delete ${res.wouldDelete}; add --execute` : `deleted ${res.deleted}`,
        ].join('\n'),
      );
    });
}
