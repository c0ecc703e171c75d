import { AssignerProtocol, type Admin, type Kafka } from 'kafkajs';
import type { CompiledRuntimeConfig } from '../config/runtime-config.js';
import type { Logger } from '../logging/logger.js';
import { createKafka } from './client.js';
import { applyAcls, removeAcls, type AclRule } from './acls.js';
import { ensureTopics, provisionCatalogTopics, type TopicSpec } from './topic-admin.js';

/** Offsets `[low, high)` of one partition are in the log; `high` is where the next record goes. */
export interface Watermarks {
  low: bigint;
  high: bigint;
}

export interface PartitionOffset {
  partition: number;
  offset: bigint;
}

export interface TopicPartitionOffset extends PartitionOffset {
  topic: string;
}

export interface PartitionReplicas {
  topic: string;
  partition: number;
  /** -1 while the partition has no leader. */
  leader: number;
  replicas: number[];
  isr: number[];
}

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
}

export interface GroupListing {
  groupId: string;
  /** `consumer` for consumer groups; other protocols (Connect, Streams) name their own. */
  protocolType: string;
}

export interface GroupMemberInfo {
  memberId: string;
  clientId: string;
  clientHost: string;
  /** Topic -> partitions assigned to this member (empty for a protocol other than the consumer protocol). */
  assignment: Record<string, number[]>;
}

export interface GroupInfo {
  groupId: string;
  /** Kafka's group state: Empty, Stable, PreparingRebalance, CompletingRebalance, Dead (unknown groups are Dead). */
  state: string;
  protocolType: string;
  members: GroupMemberInfo[];
}

export interface GroupTopicOffsets {
  topic: string;
  /** `offset` is null where the group has committed nothing. */
  partitions: Array<{ partition: number; offset: bigint | null }>;
}

/** States in which a group has no live members, so its offsets may be changed. */
export const IDLE_GROUP_STATES: ReadonlySet<string> = new Set(['Empty', 'Dead']);

/** A group's offsets were to be changed while it has members (they would overwrite the change). */
export class GroupActiveError extends Error {
  constructor(
    readonly groupId: string,
    readonly state: string,
    readonly members: number,
  ) {
    super(`group ${groupId} has ${members} active member(s) (state ${state})`);
    this.name = 'GroupActiveError';
  }
}

/**
 * ODX's operations on a Kafka cluster, in ODX types: topics, watermarks,
 * offsets by time, record deletion, consumer groups and their offsets. The
 * client behind it is the runtime's business (range reads and raw consumers
 * take a ClusterAdmin as their connection).
 */
export interface ClusterAdmin {
  /** Connects (methods connect on first use too); a failed connect can be retried. */
  connect(): Promise<void>;
  /** Disconnects; idempotent. Calls after close fail. */
  close(): Promise<void>;
  brokers(): Promise<BrokerInfo[]>;
  listTopics(): Promise<string[]>;
  /** Each partition's leader, replicas and in-sync replicas (node ids), for `topics`; fewer in sync than replicas is under-replicated. */
  replicaStatus(topics: string[]): Promise<PartitionReplicas[]>;
  /** Partition numbers of `topic`, ascending. */
  partitions(topic: string): Promise<number[]>;
  /** Creates the topics that do not exist yet (existing ones keep their partition count); returns the names created. */
  ensureTopics(specs: TopicSpec[]): Promise<string[]>;
  /** Creates every missing catalog topic, replication capped at the broker count; returns the names created. */
  provisionCatalogTopics(): Promise<string[]>;
  /** Deletes the topics of `names` that exist; returns those. */
  deleteTopics(names: string[]): Promise<string[]>;
  /** Low and high watermark per partition, in partition order. */
  watermarks(topic: string): Promise<Map<number, Watermarks>>;
  /** First offset per partition whose record timestamp is at or after `timestampMs` (the high watermark when none is). */
  offsetsAtTime(topic: string, timestampMs: number): Promise<Map<number, bigint>>;
  /** Deletes each partition's records below `offset` (moves its low watermark there). */
  deleteRecords(topic: string, before: PartitionOffset[]): Promise<void>;
  listGroups(): Promise<GroupListing[]>;
  describeGroup(groupId: string): Promise<GroupInfo>;
  /** Committed offsets of `groupId` on `topics` (every topic it has offsets for when absent). */
  committedOffsets(groupId: string, topics?: string[]): Promise<GroupTopicOffsets[]>;
  /**
   * Commits `offsets` for an idle group (one short membership for all topics);
   * throws GroupActiveError while the group has members.
   */
  setGroupOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void>;
  /** Deletes groups; unknown or non-empty groups are left alone. */
  deleteGroups(groupIds: string[]): Promise<void>;
  /** Adds the ACL entries of `rules` the broker lacks (see acls.ts); returns how many it added. */
  applyAcls(rules: readonly AclRule[]): Promise<number>;
  /** Deletes exactly the ACL entries of `rules`. */
  removeAcls(rules: readonly AclRule[]): Promise<void>;
}

/** The client a ClusterAdmin works on; only the runtime's own Kafka code (range reader, raw consumer) calls this. */
export function kafkaClientOf(cluster: ClusterAdmin): Kafka {
  if (!(cluster instanceof KafkajsClusterAdmin)) throw new Error('not a ClusterAdmin made by @odx/runtime');
  return cluster.kafka;
}

/** The connected kafkajs admin of a ClusterAdmin (what the deprecated `ServiceRuntime.admin` hands out). */
export function kafkaAdminOf(cluster: ClusterAdmin): Admin {
  if (!(cluster instanceof KafkajsClusterAdmin)) throw new Error('not a ClusterAdmin made by @odx/runtime');
  return cluster.kafkaAdmin;
}

/** A ClusterAdmin on its own client (scripts and tests that do not build a ServiceRuntime). Close it when done. */
export function createClusterAdmin(config: CompiledRuntimeConfig['kafka'], logger: Logger): ClusterAdmin {
  return clusterAdminOn(createKafka(config, logger));
}

/** A ClusterAdmin sharing `kafka` with the runtime's producer and consumers. */
/**
 * @param consumerDefaults what consumers made on this cluster (RawConsumer) use unless told otherwise: a service's
 * runtime passes its ODX_KAFKA_SESSION_TIMEOUT_MS
 */
export function clusterAdminOn(kafka: Kafka, consumerDefaults: { sessionTimeoutMs?: number } = {}): ClusterAdmin {
  return new KafkajsClusterAdmin(kafka, consumerDefaults);
}

/** The consumer defaults a ClusterAdmin was made with (see `clusterAdminOn`). */
export function consumerDefaultsOf(cluster: ClusterAdmin): { sessionTimeoutMs?: number } {
  return cluster instanceof KafkajsClusterAdmin ? cluster.consumerDefaults : {};
}

class KafkajsClusterAdmin implements ClusterAdmin {
  readonly kafkaAdmin: Admin;
  private connecting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    readonly kafka: Kafka,
    readonly consumerDefaults: { sessionTimeoutMs?: number } = {},
  ) {
    this.kafkaAdmin = kafka.admin();
  }

  connect(): Promise<void> {
    if (this.closing) return Promise.reject(new Error('ClusterAdmin is closed'));
    this.connecting ??= this.kafkaAdmin.connect().catch((err: unknown) => {
      this.connecting = undefined; // the next call tries again
      throw err;
    });
    return this.connecting;
  }

  close(): Promise<void> {
    // An admin used after disconnect silently reconnects (and leaks its connection): close is final.
    this.closing ??= (this.connecting ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.kafkaAdmin.disconnect())
      .catch((err: unknown) => {
        this.closing = undefined; // a failed close can be retried
        throw err;
      });
    return this.closing;
  }

  /** The connected admin; every operation goes through here. */
  private async use(): Promise<Admin> {
    await this.connect();
    return this.kafkaAdmin;
  }

  async brokers(): Promise<BrokerInfo[]> {
    const { brokers } = await (await this.use()).describeCluster();
    return brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port }));
  }

  async listTopics(): Promise<string[]> {
    return (await this.use()).listTopics();
  }

  async replicaStatus(topics: string[]): Promise<PartitionReplicas[]> {
    if (topics.length === 0) return [];
    const { topics: meta } = await (await this.use()).fetchTopicMetadata({ topics });
    return meta.flatMap((t) =>
      t.partitions.map((p) => ({ topic: t.name, partition: p.partitionId, leader: p.leader, replicas: [...p.replicas], isr: [...p.isr] })),
    );
  }

  async partitions(topic: string): Promise<number[]> {
    const { topics } = await (await this.use()).fetchTopicMetadata({ topics: [topic] });
    return (topics[0]?.partitions ?? []).map((p) => p.partitionId).sort((a, b) => a - b);
  }

  async ensureTopics(specs: TopicSpec[]): Promise<string[]> {
    return ensureTopics(await this.use(), specs);
  }

  async provisionCatalogTopics(): Promise<string[]> {
    return provisionCatalogTopics(await this.use());
  }

  async deleteTopics(names: string[]): Promise<string[]> {
    if (names.length === 0) return [];
    const admin = await this.use();
    // Deleting a topic that does not exist makes kafkajs retry for half a minute.
    const existing = new Set(await admin.listTopics());
    const doomed = [...new Set(names)].filter((n) => existing.has(n));
    if (doomed.length > 0) await admin.deleteTopics({ topics: doomed });
    return doomed;
  }

  async watermarks(topic: string): Promise<Map<number, Watermarks>> {
    const offsets = await (await this.use()).fetchTopicOffsets(topic);
    return new Map(
      offsets.sort((a, b) => a.partition - b.partition).map((o) => [o.partition, { low: BigInt(o.low), high: BigInt(o.high) }]),
    );
  }

  async offsetsAtTime(topic: string, timestampMs: number): Promise<Map<number, bigint>> {
    const offsets = await (await this.use()).fetchTopicOffsetsByTimestamp(topic, timestampMs);
    return new Map(offsets.sort((a, b) => a.partition - b.partition).map((o) => [o.partition, BigInt(o.offset)]));
  }

  async deleteRecords(topic: string, before: PartitionOffset[]): Promise<void> {
    if (before.length === 0) return;
    await (
      await this.use()
    ).deleteTopicRecords({ topic, partitions: before.map((p) => ({ partition: p.partition, offset: p.offset.toString() })) });
  }

  async listGroups(): Promise<GroupListing[]> {
    const { groups } = await (await this.use()).listGroups();
    return groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType }));
  }

  async describeGroup(groupId: string): Promise<GroupInfo> {
    const { groups } = await (await this.use()).describeGroups([groupId]);
    const g = groups[0];
    if (!g) return { groupId, state: 'Dead', protocolType: '', members: [] };
    return {
      groupId,
      state: g.state,
      protocolType: g.protocolType,
      members: g.members.map((m) => {
        let assignment: Record<string, number[]>;
        try {
          assignment = AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment ?? {};
        } catch {
          assignment = {}; // another protocol's assignment: nothing to show
        }
        return { memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost, assignment };
      }),
    };
  }

  async committedOffsets(groupId: string, topics?: string[]): Promise<GroupTopicOffsets[]> {
    const committed = await (await this.use()).fetchOffsets({ groupId, ...(topics ? { topics } : {}) });
    return committed.map((t) => ({
      topic: t.topic,
      partitions: t.partitions
        .map((p) => ({ partition: p.partition, offset: Number(p.offset) >= 0 ? BigInt(p.offset) : null }))
        .sort((a, b) => a.partition - b.partition),
    }));
  }

  async setGroupOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    const group = await this.describeGroup(groupId);
    if (!IDLE_GROUP_STATES.has(group.state) || group.members.length > 0)
      throw new GroupActiveError(groupId, group.state, group.members.length);
    // Offsets are committed by a member of the group: join once for every topic
    // (kafkajs's admin.setOffsets joins once per topic), read nothing, commit, leave.
    const topics = [...new Set(offsets.map((o) => o.topic))];
    const consumer = this.kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
    await consumer.connect();
    try {
      const joined = new Promise<void>((resolve, reject) => {
        consumer.on(consumer.events.GROUP_JOIN, () => resolve());
        consumer.on(consumer.events.CRASH, (e) => {
          if (!e.payload.restart) reject(e.payload.error);
        });
      });
      await consumer.subscribe({ topics, fromBeginning: false });
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
      consumer.pause(topics.map((topic) => ({ topic })));
      await joined;
      await consumer.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset.toString() })));
    } finally {
      await consumer.disconnect();
    }
  }

  async applyAcls(rules: readonly AclRule[]): Promise<number> {
    return applyAcls(await this.use(), rules);
  }

  async removeAcls(rules: readonly AclRule[]): Promise<void> {
    await removeAcls(await this.use(), rules);
  }

  async deleteGroups(groupIds: string[]): Promise<void> {
    if (groupIds.length === 0) return;
    try {
      await (await this.use()).deleteGroups(groupIds);
    } catch (err) {
      // One group that cannot go (unknown, not empty) fails the whole call in kafkajs; the others are gone.
      if ((err as { name?: unknown }).name !== 'KafkaJSDeleteGroupsError') throw err;
    }
  }
}
