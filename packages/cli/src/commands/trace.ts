import type { Command } from 'commander';
import { ApiClient } from '../api-client.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../exit-codes.js';
import { formatTimeline, type OrderTimeline } from '../format-timeline.js';

/** Where the analytics-sink answers when neither --sink-url nor ODX_SINK_URL says otherwise (its port under `npm start`). */
export const DEFAULT_SINK_URL = 'http://127.0.0.1:8105';

/**
 * `odx trace <order>`: every hop of one order across Odoo, WMS, TMS and EDI, from the analytics-sink (role viewer:
 * --token, else ODX_SINK_TOKEN, else ODX_REPLAY_TOKEN — a JWT or a service-account key).
 */
export function registerTrace(program: Command, ctx: CommandContext): void {
  program
    .command('trace')
    .description(
      "one order's timeline across Odoo, WMS, TMS and EDI: events in time order, latency between hops, trace ids, retries and DLQ entries",
    )
    .argument('<order>', 'order id, Odoo order name (S00042) or customer PO number')
    .option('--sink-url <url>', `analytics-sink base URL (env ODX_SINK_URL, default ${DEFAULT_SINK_URL})`)
    .action(async (ref: string, o: { sinkUrl?: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals<{ token?: string }>();
      if (ref.trim() === '' || ref.length > 200) throw new UsageError('the order reference must be 1 to 200 characters');
      const base = (o.sinkUrl ?? ctx.io.env['ODX_SINK_URL'] ?? DEFAULT_SINK_URL).replace(/\/+$/, '');
      const timeline = await new ApiClient(
        base,
        g.token ?? ctx.io.env['ODX_SINK_TOKEN'] ?? ctx.io.env['ODX_REPLAY_TOKEN'],
      ).request<OrderTimeline>('GET', `/v1/orders/${encodeURIComponent(ref)}/timeline`);
      ctx.print(cmd, timeline, () => formatTimeline(timeline).join('\n'));
    });
}
