import type { RunningConsumer, ServiceRuntime } from '@odx/runtime';
import type { AnalyticsSinkConfig } from './config.js';
import { EventIndex } from './ingest/event-index.js';
import { indexEntryOf } from './ingest/event-record.js';
import { FailureTopicReader } from './ingest/failure-topic-reader.js';
import { IndexCommit } from './ingest/index-commit.js';
import { mountSinkRoutes } from './http/routes.js';
import { dlqDepth } from './ops/kafka-health.js';
import { createSinkMetrics, publishKpiGauges, type SinkMetrics } from './sink-metrics.js';
import { SinkQueries } from './sink-queries.js';
import { sinkSubscriptions } from './subscriptions.js';
import { DatabaseReadModel, MemoryReadModel, type ReadModel } from './read/read-model.js';
import { LifecycleSnapshots } from './read/lifecycle-snapshots.js';

export interface AnalyticsSink {
  index: EventIndex;
  read: ReadModel;
  queries: SinkQueries;
  lifecycles: LifecycleSnapshots;
  consumer: RunningConsumer;
  failures: FailureTopicReader;
  metrics: SinkMetrics;
  /** Stops consuming (canonical and failure topics) and the gauge refresher; idempotent. */
  stop(): Promise<void>;
}

/**
 * Wires the sink into a runtime: the event index, a consumer runner over the
 * canonical topics that stages each event's index entry and commits a claim
 * window with one insertMany (IndexCommit), a reader of every group's retry
 * and DLQ topics, the HTTP routes and the KPI gauges. Call before `rt.listen()`.
 */
export async function startAnalyticsSink(rt: ServiceRuntime, config: AnalyticsSinkConfig): Promise<AnalyticsSink> {
  if (config.provisionTopics) await rt.cluster.provisionCatalogTopics();
  const index = new EventIndex(rt.db, config.collection);
  await index.init();
  const metrics = createSinkMetrics(rt.metrics);
  const commit = new IndexCommit(rt.db, index, rt.logger, (inserted, staged, seconds) => {
    metrics.indexed.inc({ entry: 'event' }, inserted);
    metrics.duplicates.inc(staged - inserted);
    metrics.commitSeconds.observe(seconds);
  });
  const topicSet = new Set(config.topics.map((t) => t.name));
  const memory = config.readModel === 'memory' ? new MemoryReadModel(index, config.memoryRetentionMs) : undefined;
  /** Ends the event index's load retries at shutdown. */
  const loadAbort = new AbortController();
  const read: ReadModel = memory ?? new DatabaseReadModel(index);
  if (memory) {
    rt.http.addReadinessCheck({
      name: 'analytics-read-model',
      check: async () => {
        if (!memory.ready) throw new Error('the event index is still loading into memory');
      },
    });
    void memory
      .loadUntilReady(loadAbort.signal, (err, attempt, delayMs) =>
        rt.logger.warn('loading the event index failed; trying again', { err, attempt, retry_in_ms: delayMs }),
      )
      .then((loaded) => loaded && rt.logger.info('event index loaded into memory', { entries: memory.size }));
    memory.startMaintenance(config.resyncMs, (err) => rt.logger.warn('read model resync failed', { err }));
  }
  const queries = new SinkQueries({
    read,
    cluster: rt.cluster,
    topics: topicSet,
    lagGroups: config.lagGroups,
    ediAckSlaMs: config.ediAckSlaMs,
    kpiLookbackMs: config.kpiLookbackMs,
    kpiCacheMs: config.kpiCacheMs,
  });

  // The index commit is the idempotency store: an event's index entry and its key are one insert.
  const consumer = rt.consumer({
    ...sinkSubscriptions(config).events,
    idempotency: commit,
    completion: 'batch',
    claimBatchSize: config.consumer.batchSize,
    partitionConcurrency: config.consumer.partitionConcurrency,
    retryDelaysMs: config.consumer.retryDelaysMs,
    sessionTimeoutMs: config.consumer.sessionTimeoutMs,
    handler: (event) => {
      commit.stage(indexEntryOf(event));
      return Promise.resolve();
    },
  });
  const failures = new FailureTopicReader({
    cluster: rt.cluster,
    serde: rt.serde,
    index,
    logger: rt.logger,
    groupId: `${config.groupId}-failures`,
    topics: new Map(config.topics.map((t) => [t.name, t.catalogKey])),
    refreshMs: config.failureTopicRefreshMs,
    sessionTimeoutMs: config.consumer.sessionTimeoutMs ?? rt.config.consumers.sessionTimeoutMs,
    onIndexed: (entry, inserted) => metrics.indexed.inc({ entry }, inserted),
  });

  const lifecycles = new LifecycleSnapshots({ db: rt.db, read, logger: rt.logger, ...config.lifecycles });
  let timer: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (timer) clearInterval(timer);
      loadAbort.abort();
      memory?.stop();
      await lifecycles.stop();
      await consumer.close();
      await failures.close();
    })();
    return stopping;
  };
  // Registered before the runtime's own clients are closed (lifecycle closes in reverse order).
  rt.lifecycle.register('analytics-sink', stop);

  await consumer.start();
  await failures.start();
  mountSinkRoutes(rt.http, queries, config.exportLimits);
  lifecycles.start();

  if (config.kpiMetricsIntervalMs > 0) {
    const refresh = async (): Promise<void> => {
      const now = new Date();
      publishKpiGauges(metrics, await queries.businessKpis({ from: new Date(now.getTime() - 7 * 86_400_000), to: now }, now));
      for (const t of (await dlqDepth(rt.cluster, topicSet)).topics) metrics.dlqDepth.set({ topic: t.topic }, t.depth);
      for (const g of await queries.lag.read()) metrics.groupLag.set({ group: g.group }, g.total);
    };
    timer = setInterval(
      () => void refresh().catch((err: unknown) => rt.logger.warn('KPI gauge refresh failed', { err })),
      config.kpiMetricsIntervalMs,
    );
    timer.unref();
  }
  return { index, read, queries, lifecycles, consumer, failures, metrics, stop };
}
