import { z } from 'zod';
import type { OdooSimulatorOptions } from './options.js';
import { DEFAULT_CODEC_LIMITS, MAX_DEPTH_SETTING } from './protocol/codec-limits.js';

const depth = (fallback: number) =>
  z.coerce
    .number()
    .int('a whole number')
    .min(1, 'at least 1')
    .max(MAX_DEPTH_SETTING, `at most ${MAX_DEPTH_SETTING} (the codecs recurse per level)`)
    .default(fallback);

const Env = z.object({
  ODOO_SIM_PORT: z.coerce.number().int().min(0).max(65535).default(8069),
  ODOO_SIM_HOST: z.string().default('127.0.0.1'),
  ODOO_SIM_DB: z.string().min(1).default('odx'),
  ODOO_SIM_LOGIN: z.string().min(1).default('admin'),
  ODOO_SIM_PASSWORD: z.string().min(1).default('admin'),
  ODOO_SIM_API_KEY: z.string().min(1).default('odx-dev-api-key'),
  ODOO_SIM_ADMIN_TOKEN: z.string().min(1).default('sim-admin'),
  ODOO_SIM_DATA_FILE: z.string().optional(),
  ODOO_SIM_VERSION: z.string().default('17.0'),
  ODOO_SIM_TIMESTAMP_PRECISION: z.enum(['microsecond', 'second']).default('microsecond'),
  /** Caps on a request (protocol/codec-limits.ts); over one, the request gets a fault or a 4xx naming it. */
  ODOO_SIM_MAX_BODY_BYTES: z.coerce
    .number()
    .int('a whole number')
    .min(1_024, 'at least 1024')
    .max(1024 ** 3, 'at most 1073741824 (1 GB)')
    .default(10 * 1024 * 1024),
  ODOO_SIM_MAX_XMLRPC_DEPTH: depth(DEFAULT_CODEC_LIMITS.maxXmlRpcDepth),
  ODOO_SIM_MAX_JSON_DEPTH: depth(DEFAULT_CODEC_LIMITS.maxJsonDepth),
});

/** Env variables (validated, naming the bad variable) overlaid by CLI flags. */
export function loadCliOptions(env: NodeJS.ProcessEnv, flags: { port?: string; host?: string; 'data-file'?: string }): OdooSimulatorOptions {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`invalid environment: ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  const port = flags.port !== undefined ? Number(flags.port) : e.ODOO_SIM_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port: ${flags.port}`);
  return {
    port,
    host: flags.host ?? e.ODOO_SIM_HOST,
    db: e.ODOO_SIM_DB,
    login: e.ODOO_SIM_LOGIN,
    password: e.ODOO_SIM_PASSWORD,
    apiKey: e.ODOO_SIM_API_KEY,
    adminToken: e.ODOO_SIM_ADMIN_TOKEN,
    dataFile: flags['data-file'] ?? e.ODOO_SIM_DATA_FILE ?? null,
    serverVersion: e.ODOO_SIM_VERSION,
    timestampPrecision: e.ODOO_SIM_TIMESTAMP_PRECISION,
    maxBodyBytes: e.ODOO_SIM_MAX_BODY_BYTES,
    maxXmlRpcDepth: e.ODOO_SIM_MAX_XMLRPC_DEPTH,
    maxJsonDepth: e.ODOO_SIM_MAX_JSON_DEPTH,
  };
}
