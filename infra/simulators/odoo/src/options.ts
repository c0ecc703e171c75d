import { DEFAULT_CODEC_LIMITS } from './protocol/codec-limits.js';

/** startOdooSimulator options, compiled once into a fully-defaulted object. */
export interface OdooSimulatorOptions {
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 'odx' */
  db?: string;
  /** @default 'admin' */
  login?: string;
  /** @default 'admin' */
  password?: string;
  /** API key for JSON-2 (also accepted as password on XML-RPC/JSON-RPC). @default 'odx-dev-api-key' */
  apiKey?: string;
  /** Bearer token for /sim/admin/*. @default 'sim-admin' */
  adminToken?: string;
  /** JSONL journal; state survives restarts when set. @default null (memory only) */
  dataFile?: string | null;
  /** Reported by `version()`. @default '17.0' */
  serverVersion?: string;
  /** Largest accepted request body in bytes (larger: 413). @default 10485760 (10 MB) */
  maxBodyBytes?: number;
  /** <array>/<struct> within each other in an XML-RPC call (deeper: a ValueError fault). @default 100 */
  maxXmlRpcDepth?: number;
  /** Objects/arrays within each other in a JSON-RPC or JSON-2 body (deeper: 400). @default 64 */
  maxJsonDepth?: number;
  /** 'microsecond' stores timestamps like PostgreSQL; 'second' truncates them. @default 'microsecond' */
  timestampPrecision?: 'microsecond' | 'second';
  /** Seed sizes and PRNG seed. */
  seed?: { products?: number; customers?: number; seed?: number };
}

export type CompiledOdooSimulatorOptions = Required<Omit<OdooSimulatorOptions, 'seed' | 'dataFile'>> & {
  dataFile: string | null;
  seed: { products: number; customers: number; seed: number };
};

export function compileOptions(o: OdooSimulatorOptions = {}): CompiledOdooSimulatorOptions {
  return {
    port: o.port ?? 0,
    host: o.host ?? '127.0.0.1',
    db: o.db ?? 'odx',
    login: o.login ?? 'admin',
    password: o.password ?? 'admin',
    apiKey: o.apiKey ?? 'odx-dev-api-key',
    adminToken: o.adminToken ?? 'sim-admin',
    dataFile: o.dataFile ?? null,
    serverVersion: o.serverVersion ?? '17.0',
    maxBodyBytes: o.maxBodyBytes ?? 10 * 1024 * 1024,
    maxXmlRpcDepth: o.maxXmlRpcDepth ?? DEFAULT_CODEC_LIMITS.maxXmlRpcDepth,
    maxJsonDepth: o.maxJsonDepth ?? DEFAULT_CODEC_LIMITS.maxJsonDepth,
    timestampPrecision: o.timestampPrecision ?? 'microsecond',
    seed: { products: o.seed?.products ?? 200, customers: o.seed?.customers ?? 100, seed: o.seed?.seed ?? 20260101 },
  };
}
