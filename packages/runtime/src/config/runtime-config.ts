import { z } from 'zod';
import { DEFAULT_SESSION_TIMEOUT_MS } from '../kafka/consumer/consumer-options.js';
import { envVar, parseEnv } from './load-config.js';

/** Environment variables every ODX service understands; see the repository README. */
export const runtimeEnvSchema = z.object({
  ODX_SERVICE_NAME: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/, 'must be kebab-case')
    .optional(),
  ODX_INSTANCE_ID: z.string().optional(),
  ODX_COMPANY: z.string().default('default'),
  ODX_LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  ODX_KAFKA_BROKERS: envVar.list().default(['127.0.0.1:9092']),
  ODX_KAFKA_CLIENT_ID: z.string().optional(),
  /** Consumer group session (ms): how long a killed member's partitions wait before the others take them over. */
  ODX_KAFKA_SESSION_TIMEOUT_MS: envVar
    .positiveInt()
    .pipe(z.number().min(6_000, "must be at least 6000 (the broker's group.min.session.timeout.ms)").max(1_800_000))
    .default(DEFAULT_SESSION_TIMEOUT_MS),
  /** Prefix of every catalog topic name of this system (read by catalogTopicName); validated here so a bad value stops the service at start. */
  ODX_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]{0,100}$/, 'up to 100 of [a-zA-Z0-9._-]')
    .optional(),
  ODX_KAFKA_SSL: envVar.bool().default(false),
  ODX_KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  ODX_KAFKA_SASL_USERNAME: z.string().optional(),
  ODX_KAFKA_SASL_PASSWORD: z.string().optional(),
  ODX_SCHEMA_REGISTRY_URL: envVar.url().default('http://127.0.0.1:8081/apis/ccompat/v7'),
  ODX_SCHEMA_REGISTRY_USERNAME: z.string().optional(),
  ODX_SCHEMA_REGISTRY_PASSWORD: z.string().optional(),
  ODX_MONGO_URL: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URL')
    .default('mongodb://127.0.0.1:27017/'),
  ODX_MONGO_DB: z.string().default('odx'),
  /** Update/delete statements per store command; FerretDB 1.24 wedges at its pool size, 50 on PostgreSQL by default (docs/known-issues.md). */
  ODX_MONGO_MAX_STATEMENTS: envVar
    .positiveInt()
    .pipe(
      z
        .number()
        .max(
          40,
          'must be at most 40: FerretDB 1.24 wedges on an update with as many statements as its pool has connections (50 on PostgreSQL by default)',
        ),
    )
    .default(10),
  ODX_HTTP_HOST: z.string().default('127.0.0.1'),
  ODX_HTTP_PORT: envVar.port().default(0),
  ODX_SHUTDOWN_TIMEOUT_MS: envVar.positiveInt().default(15_000),
  /** HS256 secret of people's bearer tokens on the service's API (at least 32 characters); unset: only service-account keys. */
  ODX_AUTH_JWT_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)').optional(),
  ODX_AUTH_JWT_ISSUER: z.string().min(1).default('odx'),
  /** Audiences accepted (comma-separated); default `odx-<service>,odx`. */
  ODX_AUTH_JWT_AUDIENCE: envVar.list().optional(),
  /** Requests one principal (person or key) may make per window on the API; a key's own limit replaces it; 0: no limit. */
  ODX_AUTH_RATE_LIMIT: envVar.nonNegativeInt().default(600),
  ODX_AUTH_RATE_WINDOW_MS: envVar.positiveInt().default(60_000),
  /** How long a service-account key read from MongoDB is trusted (a revocation takes effect within it). */
  ODX_AUTH_KEY_CACHE_MS: envVar.nonNegativeInt().default(10_000),
  OTEL_EXPORTER_OTLP_ENDPOINT: envVar.url().optional(),
});

export interface KafkaSasl {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
}

/** Runtime settings with every default applied; nothing downstream re-applies defaults. */
export interface CompiledRuntimeConfig {
  serviceName: string;
  instanceId: string;
  company: string;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  kafka: { brokers: string[]; clientId: string; ssl: boolean; sasl: KafkaSasl | undefined };
  /** Defaults of the service's consumer groups. */
  consumers: { sessionTimeoutMs: number };
  schemaRegistry: { url: string; auth: { username: string; password: string } | undefined };
  mongo: { url: string; database: string; maxStatements: number };
  http: { host: string; port: number };
  /** The API's access control: JWT settings (null: keys only), rate limit, key cache. */
  auth: {
    jwt: { secret: string; issuer: string; audience: string[] } | null;
    rateLimit: { limit: number; windowMs: number };
    keyCacheMs: number;
  };
  shutdownTimeoutMs: number;
  otlpEndpoint: string | undefined;
}

/**
 * Reads the runtime settings from the environment once.
 * @param defaultServiceName used when ODX_SERVICE_NAME is unset
 */
export function loadRuntimeConfig(defaultServiceName: string, env: NodeJS.ProcessEnv = process.env): CompiledRuntimeConfig {
  const e = parseEnv(runtimeEnvSchema, env);
  const serviceName = e.ODX_SERVICE_NAME ?? defaultServiceName;
  const instanceId = e.ODX_INSTANCE_ID ?? `${serviceName}-${process.pid}`;
  let sasl: KafkaSasl | undefined;
  if (e.ODX_KAFKA_SASL_MECHANISM) {
    if (!e.ODX_KAFKA_SASL_USERNAME || !e.ODX_KAFKA_SASL_PASSWORD) {
      throw new Error(
        'invalid configuration:\n  - ODX_KAFKA_SASL_USERNAME / ODX_KAFKA_SASL_PASSWORD: required when ODX_KAFKA_SASL_MECHANISM is set',
      );
    }
    sasl = {
      mechanism: e.ODX_KAFKA_SASL_MECHANISM,
      username: e.ODX_KAFKA_SASL_USERNAME,
      password: e.ODX_KAFKA_SASL_PASSWORD,
    };
  }
  return {
    serviceName,
    instanceId,
    company: e.ODX_COMPANY,
    logLevel: e.ODX_LOG_LEVEL,
    kafka: {
      brokers: e.ODX_KAFKA_BROKERS,
      clientId: e.ODX_KAFKA_CLIENT_ID ?? serviceName,
      ssl: e.ODX_KAFKA_SSL,
      sasl,
    },
    consumers: { sessionTimeoutMs: e.ODX_KAFKA_SESSION_TIMEOUT_MS },
    schemaRegistry: {
      url: e.ODX_SCHEMA_REGISTRY_URL.replace(/\/+$/, ''),
      auth:
        e.ODX_SCHEMA_REGISTRY_USERNAME && e.ODX_SCHEMA_REGISTRY_PASSWORD
          ? { username: e.ODX_SCHEMA_REGISTRY_USERNAME, password: e.ODX_SCHEMA_REGISTRY_PASSWORD }
          : undefined,
    },
    mongo: { url: e.ODX_MONGO_URL, database: e.ODX_MONGO_DB, maxStatements: e.ODX_MONGO_MAX_STATEMENTS },
    http: { host: e.ODX_HTTP_HOST, port: e.ODX_HTTP_PORT },
    auth: {
      jwt: e.ODX_AUTH_JWT_SECRET
        ? {
            secret: e.ODX_AUTH_JWT_SECRET,
            issuer: e.ODX_AUTH_JWT_ISSUER,
            audience: e.ODX_AUTH_JWT_AUDIENCE ?? [`odx-${serviceName}`, 'odx'],
          }
        : null,
      rateLimit: { limit: e.ODX_AUTH_RATE_LIMIT, windowMs: e.ODX_AUTH_RATE_WINDOW_MS },
      keyCacheMs: e.ODX_AUTH_KEY_CACHE_MS,
    },
    shutdownTimeoutMs: e.ODX_SHUTDOWN_TIMEOUT_MS,
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
  };
}
