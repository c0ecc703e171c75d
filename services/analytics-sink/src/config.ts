import { catalogTopicName, envVar, parseEnv } from '@odx/runtime';
import { loadCatalog } from '@odx/schemas';
import { z } from 'zod';
import { DEFAULT_EXPORT_LIMITS, type ExportLimits } from './export/export-query.js';

const topicName = /^[A-Za-z0-9._-]{1,249}$/;
const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0),
);
const delays = list.transform((xs) => xs.map(Number)).pipe(z.array(z.number().int().positive()).min(1, 'must name at least one delay'));

const schema = z.object({
  ODX_SINK_GROUP: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - (it names retry and DLQ topics)')
    .default('analytics-sink'),
  /** Topics to consume: `name` (a catalog topic) or `name=catalogTopic` (a topic carrying what that catalog topic carries). */
  ODX_SINK_TOPICS: list
    .pipe(
      z
        .array(z.string().regex(/^[A-Za-z0-9._-]+(=[A-Za-z0-9._-]+)?$/, 'entries look like topic or topic=catalog.topic'))
        .min(1, 'must name at least one topic'),
    )
    .optional(),
  ODX_SINK_BATCH_SIZE: envVar.positiveInt().default(500),
  ODX_SINK_PARTITION_CONCURRENCY: envVar.positiveInt().default(6),
  /** Kafka session timeout of the consumer group: how soon a crashed member's partitions move. */
  /** Unset: the runtime's ODX_KAFKA_SESSION_TIMEOUT_MS (10 s by default). */
  ODX_SINK_SESSION_TIMEOUT_MS: envVar.positiveInt().optional(),
  ODX_SINK_RETRY_DELAYS_MS: delays.default([1_000, 10_000, 60_000]),
  ODX_SINK_FAILURE_REFRESH_MS: envVar.positiveInt().default(30_000),
  ODX_SINK_EDI_ACK_SLA_MS: envVar.positiveInt().default(24 * 3_600_000),
  ODX_SINK_KPI_LOOKBACK_MS: envVar.nonNegativeInt().default(30 * 86_400_000),
  /** How long a GET /v1/kpis answer serves the same question (a burst of calls costs one computation); 0: never cached. */
  ODX_SINK_KPI_CACHE_MS: envVar.nonNegativeInt().max(300_000, 'at most 300000 (5 minutes)').default(5_000),
  /** Consumer groups whose lag /v1/kpis reports (each on every sink topic); default: the catalog's consumers of each topic. */
  ODX_SINK_LAG_GROUPS: list.pipe(z.array(z.string().regex(/^[A-Za-z0-9._-]+$/, 'group names'))).optional(),
  /** How often the business KPI gauges on /metrics are recomputed; 0 turns them off. */
  ODX_SINK_KPI_METRICS_INTERVAL_MS: envVar.nonNegativeInt().default(60_000),
  ODX_SINK_PROVISION_TOPICS: envVar.bool().default(true),
  /** Where queries read: `memory` (the index loaded at start and kept current; fast on FerretDB; ~1.6 KB heap per entry) or `database` (indexed queries; for a real MongoDB). */
  ODX_SINK_READ_MODEL: z.enum(['memory', 'database']).default('memory'),
  /** Memory read model: keep entries of this many ms of business time (older questions go to the database); 0 = all. */
  ODX_SINK_MEMORY_RETENTION_MS: envVar.nonNegativeInt().default(0),
  /** With the memory read model and several sink instances: re-read the collection this often; 0 = never. */
  ODX_SINK_RESYNC_MS: envVar.nonNegativeInt().default(0),
  /** How often changed order lifecycles are written to `analytics_order_lifecycles`; 0 turns it off. */
  ODX_SINK_LIFECYCLE_INTERVAL_MS: envVar.nonNegativeInt().default(60_000),
  ODX_SINK_LIFECYCLE_MAX_PER_RUN: envVar.positiveInt().default(500),
  /** Caps on GET /v1/export (export/export-query.ts); over one, the request is a 400 naming it. */
  ODX_SINK_EXPORT_MAX_DAYS: envVar.positiveInt().max(366, 'at most 366').default(DEFAULT_EXPORT_LIMITS.maxDays),
  ODX_SINK_EXPORT_MAX_ROWS: envVar.positiveInt().max(10_000_000, 'at most 10000000').default(DEFAULT_EXPORT_LIMITS.maxRows),
  ODX_SINK_EXPORT_MAX_PARAM_LENGTH: envVar
    .positiveInt()
    .min(16, 'at least 16 (a day and a row count must fit)')
    .max(4_096, 'at most 4096')
    .default(DEFAULT_EXPORT_LIMITS.maxParamLength),
  ODX_SINK_COLLECTION: z
    .string()
    .regex(/^[A-Za-z0-9_]+$/)
    .default('analytics_events'),
});

export interface SinkTopic {
  name: string;
  /** The catalog topic whose events it carries. */
  catalogTopic: string;
  /** The catalog's key field (orderId, shipmentId, ...). */
  catalogKey: string;
}

export interface AnalyticsSinkConfig {
  groupId: string;
  topics: SinkTopic[];
  consumer: { batchSize: number; partitionConcurrency: number; retryDelaysMs: number[]; sessionTimeoutMs: number | undefined };
  failureTopicRefreshMs: number;
  ediAckSlaMs: number;
  kpiLookbackMs: number;
  kpiCacheMs: number;
  /** Group -> topics whose lag is reported. */
  lagGroups: Map<string, string[]>;
  kpiMetricsIntervalMs: number;
  provisionTopics: boolean;
  collection: string;
  readModel: 'memory' | 'database';
  lifecycles: { intervalMs: number; maxPerRun: number };
  resyncMs: number;
  memoryRetentionMs: number;
  exportLimits: ExportLimits;
}

/** The sink's own settings, fully defaulted (ODX_* runtime settings are read by the runtime). */
export function loadSinkConfig(env: NodeJS.ProcessEnv = process.env): AnalyticsSinkConfig {
  const e = parseEnv(schema, env);
  const catalog = loadCatalog();
  const byName = new Map(catalog.topics.map((t) => [t.name, t]));
  // Unset: the catalog topics that name the sink among their consumers. Not a service's internal topic
  // (odx.orchestrator.inbox.v1 carries each source event again under the source's event id: indexed too,
  // whichever copy came first would take the id and the order's own event would be dropped as a duplicate).
  const entries =
    e.ODX_SINK_TOPICS ??
    catalog.topics.filter((t) => t.consumers.includes('analytics-sink')).map((t) => `${catalogTopicName(t.name, env)}=${t.name}`);
  const topics = entries.map((entry): SinkTopic => {
    const [name, alias] = entry.split('=') as [string, string | undefined];
    const def = byName.get(alias ?? name);
    if (!def || !topicName.test(name)) {
      throw new Error(
        `ODX_SINK_TOPICS: "${entry}" names no catalog topic; use one of ${[...byName.keys()].join(', ')} or name=<catalog topic>`,
      );
    }
    return { name, catalogTopic: def.name, catalogKey: def.key };
  });
  // Unset: every group with offsets committed on the sink's topics is found at query time.
  const lagGroups = new Map<string, string[]>();
  for (const g of e.ODX_SINK_LAG_GROUPS ?? [])
    lagGroups.set(
      g,
      topics.map((t) => t.name),
    );
  return {
    groupId: e.ODX_SINK_GROUP,
    topics,
    consumer: {
      batchSize: e.ODX_SINK_BATCH_SIZE,
      partitionConcurrency: e.ODX_SINK_PARTITION_CONCURRENCY,
      retryDelaysMs: e.ODX_SINK_RETRY_DELAYS_MS,
      sessionTimeoutMs: e.ODX_SINK_SESSION_TIMEOUT_MS,
    },
    failureTopicRefreshMs: e.ODX_SINK_FAILURE_REFRESH_MS,
    ediAckSlaMs: e.ODX_SINK_EDI_ACK_SLA_MS,
    kpiLookbackMs: e.ODX_SINK_KPI_LOOKBACK_MS,
    kpiCacheMs: e.ODX_SINK_KPI_CACHE_MS,
    lagGroups,
    kpiMetricsIntervalMs: e.ODX_SINK_KPI_METRICS_INTERVAL_MS,
    provisionTopics: e.ODX_SINK_PROVISION_TOPICS,
    collection: e.ODX_SINK_COLLECTION,
    readModel: e.ODX_SINK_READ_MODEL,
    lifecycles: { intervalMs: e.ODX_SINK_LIFECYCLE_INTERVAL_MS, maxPerRun: e.ODX_SINK_LIFECYCLE_MAX_PER_RUN },
    resyncMs: e.ODX_SINK_RESYNC_MS,
    memoryRetentionMs: e.ODX_SINK_MEMORY_RETENTION_MS,
    exportLimits: {
      maxDays: e.ODX_SINK_EXPORT_MAX_DAYS,
      maxRows: e.ODX_SINK_EXPORT_MAX_ROWS,
      maxParamLength: e.ODX_SINK_EXPORT_MAX_PARAM_LENGTH,
    },
  };
}
