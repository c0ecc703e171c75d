import { Option, type Command } from 'commander';
import { ApiClient } from '../api-client.js';
import { table, type CommandContext } from '../context.js';
import { UsageError } from '../exit-codes.js';

/** Where webhook-dispatcher answers when neither --webhooks-url nor ODX_WEBHOOKS_URL says otherwise (its default port). */
export const DEFAULT_WEBHOOKS_URL = 'http://127.0.0.1:8109';

export interface SubscriptionView {
  id: string;
  name: string;
  url: string;
  eventTypes: string[];
  keys?: string[];
  field?: { path: string; in: string[] };
  secrets: Array<{ id: string; prefix: string; createdAt: string }>;
  status: string;
  disabledReason: string | null;
  createdAt: string;
}

/**
 * A client of webhook-dispatcher: its URL and the bearer token (ODX_WEBHOOKS_TOKEN, else the one replay-dlq
 * takes; mint one with `odx token --audience odx-webhook-dispatcher` and ODX_REPLAY_JWT_SECRET set to the
 * dispatcher's secret).
 */
export function webhooksClient(ctx: CommandContext, cmd: Command): ApiClient {
  const o = cmd.optsWithGlobals<{ webhooksUrl?: string; token?: string }>();
  const url = (o.webhooksUrl ?? ctx.io.env['ODX_WEBHOOKS_URL'] ?? DEFAULT_WEBHOOKS_URL).replace(/\/+$/, '');
  return new ApiClient(url, o.token ?? ctx.io.env['ODX_WEBHOOKS_TOKEN'] ?? ctx.io.env['ODX_REPLAY_TOKEN']);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function subscriptionArg(id: string): string {
  const t = id.trim().toLowerCase();
  if (!UUID.test(t)) throw new UsageError(`a subscription id is a UUID as \`odx webhooks list\` shows it, got "${id}"`);
  return t;
}

/** `--field order.customer.ref=C-1,C-2` -> { path, in } */
export function parseFieldFilter(s: string): { path: string; in: string[] } {
  const eq = s.indexOf('=');
  if (eq < 1 || eq === s.length - 1) throw new UsageError(`--field takes PATH=VALUE[,VALUE...], got "${s}"`);
  return { path: s.slice(0, eq), in: s.slice(eq + 1).split(',') };
}

function list(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

export function subscriptionsTable(subs: readonly SubscriptionView[]): string {
  if (subs.length === 0) return 'no subscriptions';
  return table(
    ['ID', 'NAME', 'STATUS', 'URL', 'EVENTS', 'FILTER', 'SECRETS'],
    subs.map((s) => [
      s.id,
      s.name,
      s.status === 'disabled' && s.disabledReason ? `disabled (${s.disabledReason.slice(0, 40)})` : s.status,
      s.url,
      s.eventTypes.length === 0 ? '*' : s.eventTypes.join(','),
      [s.keys ? `${s.keys.length} key(s)` : '', s.field ? `${s.field.path} in ${s.field.in.length}` : ''].filter(Boolean).join('; ') || '-',
      s.secrets.map((x) => x.id).join(','),
    ]),
  );
}

/** `odx webhooks ...`: webhook subscriptions of downstream systems. */
export function registerWebhooks(program: Command, ctx: CommandContext): void {
  const webhooks = program
    .command('webhooks')
    .description('outbound webhook subscriptions (webhook-dispatcher): add, list, disable, test')
    .option('--webhooks-url <url>', `webhook-dispatcher base URL (env ODX_WEBHOOKS_URL, default ${DEFAULT_WEBHOOKS_URL})`);

  webhooks
    .command('add')
    .description('subscribe an endpoint; prints the whsec_ secret once')
    .requiredOption('--name <system>', 'the downstream system, e.g. crm')
    .requiredOption('--endpoint <url>', 'the receiver URL (https; private addresses only where the dispatcher allows them)')
    .option('--events <types>', 'comma-separated event types (simple names), or * for all', '*')
    .option('--keys <keys>', 'only these message keys (comma-separated)')
    .option('--field <path=values>', 'only events whose payload field has one of these values, e.g. order.customer.ref=C-1,C-2')
    .option('--secret <whsec>', 'use this secret instead of a generated one')
    .action(async (o: { name: string; endpoint: string; events: string; keys?: string; field?: string; secret?: string }, cmd: Command) => {
      const eventTypes = o.events.trim() === '*' ? ['*'] : list(o.events);
      if (eventTypes.length === 0) throw new UsageError('--events takes event types or *');
      const body = {
        name: o.name,
        url: o.endpoint,
        eventTypes,
        ...(o.keys ? { keys: list(o.keys) } : {}),
        ...(o.field ? { field: parseFieldFilter(o.field) } : {}),
        ...(o.secret ? { secret: o.secret } : {}),
      };
      const res = await webhooksClient(ctx, cmd).request<{ subscription: SubscriptionView; secret: string }>(
        'POST',
        '/subscriptions',
        body,
      );
      ctx.print(
        cmd,
        res,
        () =>
          `subscription ${res.subscription.id} (${res.subscription.name}) -> ${res.subscription.url}\nsecret ${res.secret}\n(shown once: give it to the receiver)`,
      );
    });

  webhooks
    .command('list')
    .description('every subscription, with status and filters (secrets by id only)')
    .addOption(new Option('--status <status>', 'only this status').choices(['active', 'disabled']))
    .action(async (o: { status?: string }, cmd: Command) => {
      const res = await webhooksClient(ctx, cmd).request<{ subscriptions: SubscriptionView[] }>('GET', '/subscriptions');
      const subs = o.status ? res.subscriptions.filter((s) => s.status === o.status) : res.subscriptions;
      ctx.print(cmd, { subscriptions: subs }, () => subscriptionsTable(subs));
    });

  webhooks
    .command('disable')
    .description('stop delivering to a subscription (queued deliveries wait; enable it again through the API)')
    .argument('<subscription>', 'subscription id')
    .option('--reason <text>', 'why (audited)')
    .action(async (id: string, o: { reason?: string }, cmd: Command) => {
      if (o.reason !== undefined && (o.reason.trim() === '' || o.reason.length > 500))
        throw new UsageError('--reason must be 1-500 characters');
      const res = await webhooksClient(ctx, cmd).request<{ subscription: SubscriptionView; changed: boolean }>(
        'POST',
        `/subscriptions/${subscriptionArg(id)}/disable`,
        o.reason ? { reason: o.reason } : {},
      );
      ctx.print(cmd, res, () => (res.changed ? `disabled ${res.subscription.id}` : `${res.subscription.id} was disabled already`));
    });

  webhooks
    .command('test')
    .description('send one signed test event now and show what the receiver answered')
    .argument('<subscription>', 'subscription id')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const res = await webhooksClient(ctx, cmd).request<{
        webhookId: string;
        delivered: boolean;
        status?: number;
        error?: string;
        durationMs: number;
      }>('POST', `/subscriptions/${subscriptionArg(id)}/test`, {});
      ctx.print(cmd, res, () =>
        res.delivered
          ? `delivered ${res.webhookId}: HTTP ${res.status} in ${res.durationMs} ms`
          : `NOT delivered ${res.webhookId}: ${res.status ? `HTTP ${res.status}` : 'no answer'}${res.error ? ` (${res.error})` : ''} in ${res.durationMs} ms`,
      );
    });
}
