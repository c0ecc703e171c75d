import { parseCliArgs } from '@odx/runtime/cli';
import { MAX_JSON_DEPTH } from '@odx/runtime/http';
import { z } from 'zod';

/** What every WMS/TMS simulator CLI accepts, from flags or `<PREFIX>_*` environment variables. */
export interface SimulatorCliSettings {
  host: string;
  port: number;
  webhookUrl?: string | undefined;
  webhookSecret?: string | undefined;
  adminToken: string;
  speed: 'realtime' | 'test';
  /** Objects/arrays within each other in a JSON body (`--max-json-depth`, `<PREFIX>_MAX_JSON_DEPTH`). */
  maxJsonDepth: number;
}

/** The flags, each also read from `<PREFIX>_<NAME>` (`--webhook-url`: `WMS_SIM_WEBHOOK_URL`). */
const FLAGS = ['host', 'port', 'webhook-url', 'webhook-secret', 'admin-token', 'speed', 'max-json-depth'] as const;
type Flag = (typeof FLAGS)[number];

/** The deepest JSON cap the setting accepts: validation walks a parsed body recursively. */
export const MAX_JSON_DEPTH_SETTING = 1_000;

function settingsSchema(defaultPort: number) {
  return z.object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65_535).default(defaultPort),
    'webhook-url': z.url().optional(),
    'webhook-secret': z.string().min(1).optional(),
    'admin-token': z.string().min(1).default('sim-admin'),
    speed: z.enum(['realtime', 'test']).default('realtime'),
    'max-json-depth': z.coerce
      .number()
      .int('a whole number')
      .min(1, 'at least 1')
      .max(MAX_JSON_DEPTH_SETTING, `at most ${MAX_JSON_DEPTH_SETTING}`)
      .default(MAX_JSON_DEPTH),
  });
}

/** The environment variable of `flag`: `WMS_SIM` and `webhook-url` give `WMS_SIM_WEBHOOK_URL`. */
export function settingVariable(envPrefix: string, flag: Flag): string {
  return `${envPrefix}_${flag.toUpperCase().replace(/-/g, '_')}`;
}

/**
 * The settings from flags, else `<envPrefix>_*` variables, else defaults; a bad value throws an error naming the
 * flag and its variable (never the value: a token may be in it).
 */
export function simulatorSettings(
  envPrefix: string,
  defaultPort: number,
  flags: Partial<Record<Flag, string | undefined>>,
  env: NodeJS.ProcessEnv,
): SimulatorCliSettings {
  const raw = Object.fromEntries(FLAGS.map((f) => [f, flags[f] ?? env[settingVariable(envPrefix, f)]]));
  const parsed = settingsSchema(defaultPort).safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const flag = String(i.path[0]) as Flag;
      return `--${flag} / ${settingVariable(envPrefix, flag)}: ${i.message}`;
    });
    throw new Error(`invalid simulator settings:\n  ${problems.join('\n  ')}`);
  }
  const s = parsed.data;
  return {
    host: s.host,
    port: s.port,
    webhookUrl: s['webhook-url'],
    webhookSecret: s['webhook-secret'],
    adminToken: s['admin-token'],
    speed: s.speed,
    maxJsonDepth: s['max-json-depth'],
  };
}

/**
 * Parses the simulator flags (`--host --port --webhook-url --webhook-secret --admin-token --speed
 * --max-json-depth`, env `<envPrefix>_HOST` ...), starts the simulator, prints its address and stops it on
 * SIGINT/SIGTERM.
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
    { options: Object.fromEntries(FLAGS.map((f) => [f, { type: 'string' as const }])) },
  );
  let settings: SimulatorCliSettings;
  try {
    settings = simulatorSettings(options.envPrefix, options.defaultPort, flags as Partial<Record<Flag, string>>, process.env);
  } catch (err) {
    process.stderr.write(`sim:${options.name}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
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
