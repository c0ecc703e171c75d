export { loadSinkConfig, type AnalyticsSinkConfig, type SinkTopic } from './config.js';
export { startAnalyticsSink, type AnalyticsSink } from './sink-service.js';
export { SinkQueries, type Kpis, type TimelineResult } from './sink-queries.js';
export { EventIndex } from './ingest/event-index.js';
export { IndexCommit } from './ingest/index-commit.js';
export { FailureTopicReader, isFailureTopicOf } from './ingest/failure-topic-reader.js';
export {
  indexEntryOf,
  failureEntryOf,
  factsOf,
  traceIdOf,
  type IndexedEvent,
  type EventFacts,
  type FailureInfo,
  type EntryKind,
} from './ingest/event-record.js';
export { orderLinks, link, parseLink, keyLinkKind, ACK_SETS, type LinkKind } from './ingest/order-links.js';
export { assignOrders, referenceTokens } from './analytics/order-graph.js';
export {
  buildLifecycle,
  stageOf,
  MILESTONES,
  MILESTONE_OF,
  type OrderLifecycle,
  type Milestone,
  type Stage,
} from './analytics/lifecycle.js';
export { computeKpis, lifecyclesOf, cohortTime, EXPECTED_TRACKING, type BusinessKpis, type KpiWindow } from './analytics/kpis.js';
export { buildTimeline, ordersForReference, followTokens, type OrderTimeline, type TimelineHop } from './analytics/timeline.js';
export { percentile, summarize, rate, type DurationSummary, type Rate } from './analytics/percentiles.js';
export { csvField, csvHeader, csvLine, exportRow, ndjsonLine, EXPORT_COLUMNS } from './export/export-rows.js';
export { ConsumerLagReader, consumerLag, dlqDepth, type DlqDepth, type GroupLag } from './ops/kafka-health.js';
export { DatabaseReadModel, MemoryReadModel, type ReadModel } from './read/read-model.js';
export { LifecycleSnapshots, type LifecycleDoc } from './read/lifecycle-snapshots.js';
export { sinkSubscriptions } from './subscriptions.js';
