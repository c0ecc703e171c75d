import { catalogTopicName, envVar, parseEnv, type TokenSettings } from '@odx/runtime';
import { z } from 'zod';

/** The port api-gateway listens on when ODX_HTTP_PORT is unset. */
export const DEFAULT_API_GATEWAY_PORT = 8110;

const schema = z.object({
  /** HS256 secret for the admins' bearer tokens (key management); at least 32 characters. */
  ODX_API_JWT_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)'),
  ODX_API_JWT_ISSUER: z.string().min(1).default('odx'),
  ODX_API_JWT_AUDIENCE: z.string().min(1).default('odx-api-gateway'),
  /** How long a verified (or unknown) key is remembered: a revocation reaches other instances within this. */
  ODX_API_KEY_CACHE_MS: envVar.positiveInt().default(5_000),
  /** How long a repeat of an Idempotency-Key waits for the first request's answer before 409. */
  ODX_API_IDEMPOTENCY_WAIT_MS: envVar.positiveInt().default(10_000),
  /** A first request that holds its key longer than this (it crashed) is taken over by a repeat. */
  ODX_API_INTAKE_LEASE_MS: envVar.positiveInt().default(30_000),
  /** How long Idempotency-Keys and their answers are kept. */
  ODX_API_IDEMPOTENCY_RETENTION_H: envVar.positiveInt().default(24 * 7),
  /** How often each instance re-reads the stored stock levels (levels other instances consumed). */
  ODX_API_VIEW_REFRESH_MS: envVar.positiveInt().default(5_000),
  /** Prefix of the service's consumer groups (`<prefix>-inventory`, `<prefix>-status`). */
  ODX_API_GROUP: z
    .string()
    .regex(/^[a-zA-Z0-9._-]{1,200}$/)
    .default('api-gateway'),
  ODX_API_PROVISION_TOPICS: envVar.bool().default(true),
});

export interface ApiGatewayConfig {
  auth: TokenSettings;
  keyCacheMs: number;
  intake: { waitMs: number; leaseMs: number; retentionMs: number };
  viewRefreshMs: number;
  groups: { inventory: string; status: string };
  /** Topic names as deployed (ODX_TOPIC_PREFIX applied). */
  topics: { orders: string; shipments: string; invoices: string; inventory: string };
  provisionTopics: boolean;
}

/** The service's own settings, fully defaulted (ODX_* runtime settings are read by the runtime). */
export function loadApiGatewayConfig(env: NodeJS.ProcessEnv = process.env): ApiGatewayConfig {
  const e = parseEnv(schema, env);
  return {
    auth: { secret: e.ODX_API_JWT_SECRET, issuer: e.ODX_API_JWT_ISSUER, audience: e.ODX_API_JWT_AUDIENCE },
    keyCacheMs: e.ODX_API_KEY_CACHE_MS,
    intake: {
      waitMs: e.ODX_API_IDEMPOTENCY_WAIT_MS,
      leaseMs: e.ODX_API_INTAKE_LEASE_MS,
      retentionMs: e.ODX_API_IDEMPOTENCY_RETENTION_H * 3_600_000,
    },
    viewRefreshMs: e.ODX_API_VIEW_REFRESH_MS,
    groups: { inventory: `${e.ODX_API_GROUP}-inventory`, status: `${e.ODX_API_GROUP}-status` },
    topics: {
      orders: catalogTopicName('odx.orders.v1', env),
      shipments: catalogTopicName('odx.shipments.v1', env),
      invoices: catalogTopicName('odx.invoices.v1', env),
      inventory: catalogTopicName('odx.inventory.v1', env),
    },
    provisionTopics: e.ODX_API_PROVISION_TOPICS,
  };
}
