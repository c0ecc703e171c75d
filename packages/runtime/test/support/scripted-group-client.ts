// A double of the consumer runner's own group-client port (not of Kafka), for unit tests of the runner's
// logic: connect can fail or wait, subscribe can throw, and `run` keeps the batch callback for the test to call.
import type { ClusterAdmin, GroupClient, GroupClientListeners, PartitionBatch } from '../../src/kafka/index.js';

/** A group client whose connect fails `failures` times, then works; `run` keeps the batch callback for the test to call. */
export class ScriptedClient implements GroupClient {
  connects = 0;
  disconnects = 0;
  runs = 0;
  eachBatch: ((batch: PartitionBatch) => Promise<void>) | undefined;
  listeners: GroupClientListeners | undefined;
  /** While set, connect waits for it. */
  gate: Promise<void> | undefined;

  /** Errors subscribe throws, one per call, before it works. */
  subscribeErrors: Error[] = [];
  subscribes = 0;

  constructor(private failures = 0) {}

  async connect(): Promise<void> {
    this.connects++;
    await this.gate;
    if (this.failures-- > 0) throw new Error('connect ECONNREFUSED 127.0.0.1:9092');
  }
  async subscribe(): Promise<void> {
    this.subscribes++;
    const error = this.subscribeErrors.shift();
    if (error) throw error;
  }
  async run(options: { eachBatch: (batch: PartitionBatch) => Promise<void> }): Promise<void> {
    this.runs++;
    this.eachBatch = options.eachBatch;
  }
  async disconnect(): Promise<void> {
    this.disconnects++;
  }
  admin(): ClusterAdmin {
    throw new Error('provisioning is off in these tests');
  }
}
