import { parseCliArgs } from '@odx/runtime/cli';
import { z } from 'zod';

/** What every WMS/TMS simulator CLI accepts, from flags or `<PREFIX>_*` environment variables. */
export interface SimulatorCliSettings {
  host: string;
  port: number;
  webhookUrl?: string | undefined;
  webhookSecret?: string | undefined;
  adminToken: string;
  speed: 'realtime' | 'test';
}

/**
 * Parses the simulator flags (`--host --port --webhook-url --webhook-secret
 * --admin-token --speed`, env `<envPrefix>_HOST` ...), starts the simulator,
 * prints its address and stops it on SIGINT/SIGTERM.
 */
export async function runSimulatorCli(options: {
  name: string;
  envPrefix: string;
  defaultPort: number;
  start(settings: SimulatorCliSettings): Promise<{ url: string; close(): Promise<void> }>;
}): Promise<void> {
  const { values: flags } = parseCliArgs(
    `sim:${options.name}`,
    `the ${options.name.toUpperCase()} simulator (each flag also read from ${options.envPrefix}_<NAME>)`,
    {
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'webhook-url': { type: 'string' },
        'webhook-secret': { type: 'string' },
        'admin-token': { type: 'string' },
        speed: { type: 'string' },
      },
    },
  );
  const env = (name: string): string | undefined => process.env[`${options.envPrefix}_${name}`];
  const settings = z
    .object({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.coerce.number().int().min(0).max(65_535).default(options.defaultPort),
      webhookUrl: z.url().optional(),
      webhookSecret: z.string().min(1).optional(),
      adminToken: z.string().min(1).default('sim-admin'),
      speed: z.enum(['realtime', 'test']).default('realtime'),
    })
    .parse({
      host: flags.host ?? env('HOST'),
      port: flags.port ?? env('PORT'),
      webhookUrl: flags['webhook-url'] ?? env('WEBHOOK_URL'),
      webhookSecret: flags['webhook-secret'] ?? env('WEBHOOK_SECRET'),
      adminToken: flags['admin-token'] ?? env('ADMIN_TOKEN'),
      speed: flags.speed ?? env('SPEED'),
    });
  const sim = await options.start(settings);
  process.stdout.write(
    `${options.name} simulator listening on ${sim.url} (admin token: bearer ${settings.adminToken === 'sim-admin' ? 'sim-admin' : '***'})\n`,
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void sim.close().then(() => process.exit(0));
    });
  }
}
