// The one place the consumer runner meets kafkajs: its consumer's events,
// subscribe, run with eachBatch, pause/resume.
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { clusterAdminOn, type ClusterAdmin } from '../cluster-admin.js';
import { headersToStrings } from '../headers.js';
import type { GroupClient, GroupClientFactory, GroupClientListeners, GroupClientSettings, PartitionBatch } from './group-client.js';

/** The Kafka client a runner is built on (what `ConsumerRunnerOptions.kafka` takes). */
export type KafkaClient = Kafka;

/** Group clients on `kafka`'s connection settings. */
export function kafkajsGroupClient(kafka: KafkaClient): GroupClientFactory {
  return (settings, listeners) => new KafkajsGroupClient(kafka, settings, listeners);
}

class KafkajsGroupClient implements GroupClient {
  private readonly consumer: Consumer;

  constructor(
    private readonly kafka: Kafka,
    settings: GroupClientSettings,
    listeners: GroupClientListeners,
  ) {
    this.consumer = kafka.consumer({
      groupId: settings.groupId,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: Math.min(3_000, Math.floor(settings.sessionTimeoutMs / 10)),
      // Topics are provisioned from the catalog; a typo must fail, not create a topic.
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 500,
    });
    const { HEARTBEAT, GROUP_JOIN, CRASH } = this.consumer.events;
    this.consumer.on(HEARTBEAT, () => listeners.heartbeat());
    this.consumer.on(GROUP_JOIN, ({ payload }) => listeners.joined(payload.memberAssignment));
    this.consumer.on(CRASH, ({ payload }) => listeners.crashed(payload.error, payload.restart));
  }

  connect(): Promise<void> {
    return this.consumer.connect();
  }

  subscribe(topics: readonly string[], fromBeginning: boolean): Promise<void> {
    return this.consumer.subscribe({ topics: [...topics], fromBeginning });
  }

  run(options: { partitionConcurrency: number; eachBatch: (batch: PartitionBatch) => Promise<void> }): Promise<void> {
    return this.consumer.run({
      // Offsets are resolved by the runner once a message's effect is done, and committed by the client.
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitionConcurrency,
      eachBatch: (payload) => options.eachBatch(partitionBatch(payload)),
    });
  }

  disconnect(): Promise<void> {
    return this.consumer.disconnect();
  }

  admin(): ClusterAdmin {
    return clusterAdminOn(this.kafka);
  }
}

function partitionBatch(payload: EachBatchPayload): PartitionBatch {
  const { batch } = payload;
  return {
    topic: batch.topic,
    partition: batch.partition,
    messages: batch.messages.map((m) => ({ offset: m.offset, key: m.key ?? null, value: m.value, headers: headersToStrings(m.headers) })),
    isActive: () => payload.isRunning() && !payload.isStale(),
    resolveOffset: (offset) => payload.resolveOffset(offset),
    heartbeat: () => payload.heartbeat(),
    pause: () => payload.pause(),
  };
}
