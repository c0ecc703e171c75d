import { resolve } from 'node:path';
import { catalogTopicName, envVar, parseEnv } from '@odx/runtime';
import { z } from 'zod';
import { DEFAULT_CONTENT_LIMITS, type ContentLimits } from './model/content-limits.js';
import { DEFAULT_PROFILE_LIMITS, MAX_PROFILE_DEPTH_SETTING, MIN_PROFILE_DEPTH, type ProfileLimits } from './partners/profile-limits.js';

const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0),
);
const delays = list.transform((xs) => xs.map(Number)).pipe(z.array(z.number().int().positive()).min(1, 'must name at least one delay'));
const topic = z.string().regex(/^[A-Za-z0-9._-]+$/, 'a Kafka topic name');

const schema = z.object({
  /** Folder of partner profiles (*.yaml, *.yml, *.json). */
  EDI_PARTNERS_DIR: z.string().min(1).default('infra/partners'),
  /** Caps on each profile file (partners/profile-limits.ts); over any, the gateway does not start and names the file and cap. */
  EDI_PARTNER_MAX_BYTES: envVar
    .positiveInt()
    .max(16 * 1024 * 1024, 'at most 16777216 (16 MB)')
    .default(DEFAULT_PROFILE_LIMITS.maxBytes),
  EDI_PARTNER_MAX_DEPTH: envVar
    .positiveInt()
    .min(MIN_PROFILE_DEPTH, `at least ${MIN_PROFILE_DEPTH} (a profile's own nesting)`)
    .max(MAX_PROFILE_DEPTH_SETTING, `at most ${MAX_PROFILE_DEPTH_SETTING} (the YAML parser recurses per level)`)
    .default(DEFAULT_PROFILE_LIMITS.maxDepth),
  EDI_PARTNER_MAX_ALIASES: envVar.nonNegativeInt().max(1_000, 'at most 1000').default(DEFAULT_PROFILE_LIMITS.maxAliases),
  /** Root of the per-partner folder trees (<root>/<partner>/{inbound,work,archive,error,outbound}). */
  EDI_FOLDER_ROOT: z.string().min(1).default('var/edi'),
  EDI_FOLDER_TRANSPORT: envVar.bool().default(true),
  EDI_POLL_INTERVAL_MS: envVar.positiveInt().default(1_000),
  EDI_FOLDER_CONCURRENCY: envVar.positiveInt().default(4),
  EDI_STALE_CLAIM_MS: envVar.positiveInt().default(10 * 60_000),
  /** Failed attempts at a folder file before it goes to error with a reason file. */
  EDI_FOLDER_MAX_FAILURES: envVar.positiveInt().default(5),
  /** Largest document accepted, by file or HTTP. */
  EDI_MAX_BYTES: envVar.positiveInt().default(5 * 1024 * 1024),
  /** Caps within one interchange (model/content-limits.ts); over any, the interchange is refused with a TA1 or CONTRL. */
  EDI_MAX_SEGMENTS: envVar.positiveInt().default(DEFAULT_CONTENT_LIMITS.maxSegments),
  EDI_MAX_ELEMENTS_PER_SEGMENT: envVar.positiveInt().default(DEFAULT_CONTENT_LIMITS.maxElementsPerSegment),
  EDI_MAX_ELEMENT_LENGTH: envVar.positiveInt().default(DEFAULT_CONTENT_LIMITS.maxElementLength),
  EDI_MAX_DOCUMENTS: envVar.positiveInt().default(DEFAULT_CONTENT_LIMITS.maxDocuments),
  EDI_MAX_LINES_PER_DOCUMENT: envVar.positiveInt().default(DEFAULT_CONTENT_LIMITS.maxLinesPerDocument),
  EDI_ACK_WATCH_INTERVAL_MS: envVar.positiveInt().default(60_000),
  EDI_CONTROL_BLOCK_SIZE: envVar.positiveInt().default(100),
  ODX_EDI_GROUP: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - (it names retry and DLQ topics)')
    .default('edi-gateway'),
  ODX_EDI_OUTBOUND: envVar.bool().default(true),
  ODX_EDI_ORDERS_TOPIC: topic.optional(),
  ODX_EDI_SHIPMENTS_TOPIC: topic.optional(),
  ODX_EDI_INVOICES_TOPIC: topic.optional(),
  ODX_EDI_PURCHASING_TOPIC: topic.optional(),
  ODX_EDI_DOCUMENTS_TOPIC: topic.optional(),
  ODX_EDI_RETRY_DELAYS_MS: delays.default([1_000, 10_000, 60_000]),
  ODX_EDI_PARTITION_CONCURRENCY: envVar.positiveInt().default(3),
  ODX_EDI_PROVISION_TOPICS: envVar.bool().default(true),
});

export interface EdiGatewayConfig {
  partnersDir: string;
  partnerLimits: ProfileLimits;
  folder: { enabled: boolean; root: string; pollIntervalMs: number; concurrency: number; staleClaimMs: number; maxFailures: number };
  maxBytes: number;
  limits: ContentLimits;
  ackWatchIntervalMs: number;
  controlBlockSize: number;
  outbound: { enabled: boolean; groupId: string; retryDelaysMs: number[]; partitionConcurrency: number };
  topics: { orders: string; shipments: string; invoices: string; purchasing: string; documents: string };
  provisionTopics: boolean;
  /** Where partner tokens (named in the profiles) are read. */
  env: NodeJS.ProcessEnv;
}

/** The gateway's own settings, fully defaulted (ODX_* runtime settings are read by the runtime). */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): EdiGatewayConfig {
  const e = parseEnv(schema, env);
  return {
    partnersDir: resolve(e.EDI_PARTNERS_DIR),
    partnerLimits: { maxBytes: e.EDI_PARTNER_MAX_BYTES, maxDepth: e.EDI_PARTNER_MAX_DEPTH, maxAliases: e.EDI_PARTNER_MAX_ALIASES },
    folder: {
      enabled: e.EDI_FOLDER_TRANSPORT,
      root: resolve(e.EDI_FOLDER_ROOT),
      pollIntervalMs: e.EDI_POLL_INTERVAL_MS,
      concurrency: e.EDI_FOLDER_CONCURRENCY,
      staleClaimMs: e.EDI_STALE_CLAIM_MS,
      maxFailures: e.EDI_FOLDER_MAX_FAILURES,
    },
    maxBytes: e.EDI_MAX_BYTES,
    limits: {
      maxSegments: e.EDI_MAX_SEGMENTS,
      maxElementsPerSegment: e.EDI_MAX_ELEMENTS_PER_SEGMENT,
      maxElementLength: e.EDI_MAX_ELEMENT_LENGTH,
      maxDocuments: e.EDI_MAX_DOCUMENTS,
      maxLinesPerDocument: e.EDI_MAX_LINES_PER_DOCUMENT,
    },
    ackWatchIntervalMs: e.EDI_ACK_WATCH_INTERVAL_MS,
    controlBlockSize: e.EDI_CONTROL_BLOCK_SIZE,
    outbound: {
      enabled: e.ODX_EDI_OUTBOUND,
      groupId: e.ODX_EDI_GROUP,
      retryDelaysMs: e.ODX_EDI_RETRY_DELAYS_MS,
      partitionConcurrency: e.ODX_EDI_PARTITION_CONCURRENCY,
    },
    topics: {
      orders: e.ODX_EDI_ORDERS_TOPIC ?? catalogTopicName('odx.orders.v1', env),
      shipments: e.ODX_EDI_SHIPMENTS_TOPIC ?? catalogTopicName('odx.shipments.v1', env),
      invoices: e.ODX_EDI_INVOICES_TOPIC ?? catalogTopicName('odx.invoices.v1', env),
      purchasing: e.ODX_EDI_PURCHASING_TOPIC ?? catalogTopicName('odx.purchasing.v1', env),
      documents: e.ODX_EDI_DOCUMENTS_TOPIC ?? catalogTopicName('odx.edi.documents.v1', env),
    },
    provisionTopics: e.ODX_EDI_PROVISION_TOPICS,
    env,
  };
}
