// The consumer runner's view of a Kafka client: ODX-owned types, so the
// runner's logic never sees kafkajs and another client (or a test double of
// this port) can stand in for it.
import type { ClusterAdmin } from '../cluster-admin.js';

/** One record as the runner reads it: headers already decoded to strings. */
export interface ConsumerMessage {
  /** Decimal string: offsets may exceed 2^53. */
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Header values as UTF-8 strings (the first value of a repeated header). */
  readonly headers: Record<string, string>;
}

/** One fetched batch of one partition, and the controls the runner has over it. */
export interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly ConsumerMessage[];
  /** False once the consumer stops or the partition was reassigned: work on the batch must stop. */
  isActive(): boolean;
  /** Marks `offset` and every message before it as done, for the client to commit. */
  resolveOffset(offset: string): void;
  /** Tells the coordinator this member is alive; rejects when the member has left its group. */
  heartbeat(): Promise<void>;
  /** Stops fetching this partition; call the returned function to resume (unresolved messages come again). */
  pause(): () => void;
}

export interface GroupClientSettings {
  groupId: string;
  sessionTimeoutMs: number;
}

/** What the client reports about this member's place in its group. */
export interface GroupClientListeners {
  /** The coordinator accepted a heartbeat. */
  heartbeat(): void;
  /** The member joined (or rejoined) its group and holds these partitions of each topic now. */
  joined(assignment: Readonly<Record<string, readonly number[]>>): void;
  /** The consumer crashed; `restarting` says whether the client starts it again by itself. */
  crashed(error: Error, restarting: boolean): void;
}

/** A consumer group member as the runner drives it. */
export interface GroupClient {
  connect(): Promise<void>;
  subscribe(topics: readonly string[], fromBeginning: boolean): Promise<void>;
  /** Joins the group and starts fetching: `eachBatch` gets one partition's batch at a time, `partitionConcurrency` partitions at once. */
  run(options: { partitionConcurrency: number; eachBatch: (batch: PartitionBatch) => Promise<void> }): Promise<void>;
  /** Leaves the group (committing resolved offsets) and closes the connections. */
  disconnect(): Promise<void>;
  /** A fresh admin on the same cluster; the caller closes it. */
  admin(): ClusterAdmin;
}

/** Builds the client of one runner; the runner's listeners are wired in before anything connects. */
export type GroupClientFactory = (settings: GroupClientSettings, listeners: GroupClientListeners) => GroupClient;
