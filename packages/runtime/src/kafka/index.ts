export { createKafka } from './client.js';
export { GroupActiveError, IDLE_GROUP_STATES, createClusterAdmin } from './cluster-admin.js';
export type {
  BrokerInfo,
  ClusterAdmin,
  GroupInfo,
  GroupListing,
  GroupMemberInfo,
  GroupTopicOffsets,
  PartitionOffset,
  TopicPartitionOffset,
  Watermarks,
} from './cluster-admin.js';
export { readRanges } from './range-reader.js';
export type { PartitionRange, RangeBatch, ReadRangesOptions } from './range-reader.js';
export { LatestValueFeed, stockLevelDocOf, stockLevelKind } from './latest-value-feed.js';
export type { LatestValueFeedOptions, LatestValueKind, StockLevelDoc } from './latest-value-feed.js';
export { RawConsumer } from './raw-consumer.js';
export type { RawBatch, RawConsumerOptions } from './raw-consumer.js';
export type { RawMessage } from './raw-message.js';
export { collectTopic } from './topic-collector.js';
export type { CollectedMessage, TopicCollector } from './topic-collector.js';
export { BatchingPublisher, EventProducer } from './event-producer.js';
export type { BatchingPublisherOptions, EventProducerOptions, RawOutgoingMessage } from './event-producer.js';
export { canonicalEventOf, outgoingEvent } from './events.js';
export type { CanonicalEvent, ConsumedEvent, EventHandler, EventMetaLike, OutgoingEvent, PublishedEvent } from './events.js';
export { ConsumerRunner, isMembershipError } from './consumer-runner.js';
export type { ConsumerRunnerOptions, RunningConsumer } from './consumer-runner.js';
export { ConsumerOptionsError, compileConsumerOptions } from './consumer/consumer-options.js';
export type { CompiledConsumerOptions } from './consumer/consumer-options.js';
export type { MessageOutcome } from './consumer/decide-outcome.js';
export type {
  ConsumerMessage,
  GroupClient,
  GroupClientFactory,
  GroupClientListeners,
  GroupClientSettings,
  PartitionBatch,
} from './consumer/group-client.js';
export type { ConsumerRunnerEventMap, MessageOutcomeEvent } from './consumer/outcome-events.js';
export { ERROR_HEADERS, RETRY_HEADERS, buildDlqHeaders, buildRetryHeaders, readRetryState } from './failure-headers.js';
export { headersToStrings } from './headers.js';
export type { RawHeaders } from './headers.js';
export { DEFAULT_GROUPS, allows, catalogAcls, servicePrincipal } from './acls.js';
export type { AclOperation, AclPlanOptions, AclRule } from './acls.js';
export { ensureTopics, provisionCatalogTopics, specFromCatalog } from './topic-admin.js';
export type { TopicSpec } from './topic-admin.js';
export { assertTopicName, catalogTopicName, dlqTopicName, parseDerivedTopic, retryTopicName } from './topic-names.js';
export type { ConsumerSubscription } from './subscription.js';
