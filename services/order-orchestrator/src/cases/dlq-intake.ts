// Dead letters of the order topics become cases. DLQ topics appear whenever a
// consumer group starts (`<topic>.<group>.dlq`), so a fixed subscription would
// miss new ones: each scan lists the topics, compares each DLQ partition's end
// with the cursor kept in MongoDB (one point read per partition) and reads only
// what is new, with a throwaway reader that commits nothing. A message is
// handled before its cursor moves past it, and handling is idempotent on the
// entry's topic/partition/offset, so a crash re-reads and changes nothing.
import {
  OdxError,
  canonicalEventOf,
  parseDerivedTopic,
  readRanges,
  type CanonicalEvent,
  type ClusterAdmin,
  type EventSerde,
  type Logger,
  type PartitionRange,
  type RawMessage,
} from '@odx/runtime';
import type { Collection, Db } from 'mongodb';
import type { CaseDesk } from './case-desk.js';
import type { CaseMetrics } from './case-metrics.js';
import type { Evidence, Severity } from './case-model.js';
import { ORDER_TOPIC_RULES, readDlqEntry } from './dlq-entry.js';

export const DLQ_CURSOR_COLLECTION = 'odx_case_dlq_cursors';

/** Tells an order's process that one of its steps failed for good (ProcessCommands.stepFailed). */
export interface StepFailureSender {
  stepFailed(failure: {
    orderId: string;
    step: string | null;
    errorClass: string;
    lastError: string;
    reportedBy: string;
    evidence: Evidence[];
    key: string;
  }): Promise<void>;
}

/** `<dlq topic>|<partition>` -> the next offset to read. */
interface CursorDoc {
  _id: string;
  next: string;
  at: Date;
}

export interface DlqIntakeOptions {
  cluster: ClusterAdmin;
  serde: EventSerde;
  db: Db;
  desk: CaseDesk;
  metrics: CaseMetrics;
  logger: Logger;
  /** ODX_TOPIC_PREFIX of this deployment ('' when unset). */
  topicPrefix: string;
  /**
   * Start of the short-lived consumer group ids each scan reads with: under the orchestrator's own group id, which
   * its Kafka ACL covers. @default 'odx-orchestrator-dlq-intake'
   */
  readerGroupPrefix?: string;
  /** Severity of a case a dead letter opens. @default 'high' */
  severity?: Severity;
  /** Messages handled per scan at most (the rest waits for the next). @default 5000 */
  maxPerScan?: number;
  /**
   * Where a step failure goes: a dead letter of a group that does a step of the order's process (GROUP_STEPS) is
   * sent to the process, which marks the step failed and opens or joins the step's case (one case). Without it
   * (or for other entries) the desk files the case itself.
   */
  failures?: StepFailureSender;
}

export interface DlqScanResult {
  topics: number;
  read: number;
  opened: number;
  attached: number;
  /** Sent to the order's process as a step failure (the process opens or joins the case). */
  toProcess: number;
  duplicate: number;
  skipped: number;
}

export class DlqIntake {
  private readonly cursors: Collection<CursorDoc>;

  constructor(private readonly options: DlqIntakeOptions) {
    this.cursors = options.db.collection<CursorDoc>(DLQ_CURSOR_COLLECTION);
  }

  /** The catalog name of a deployed topic (prefix removed); null for topics of another prefix. */
  catalogName = (deployed: string): string | null => {
    const p = this.options.topicPrefix;
    return deployed.startsWith(p) ? deployed.slice(p.length) : null;
  };

  /** The DLQ topics of order topics among `topics`. */
  orderDlqTopics(topics: readonly string[]): string[] {
    return topics.filter((t) => {
      const parsed = parseDerivedTopic(t);
      const original = parsed?.dlq ? this.catalogName(parsed.topic) : null;
      return original !== null && ORDER_TOPIC_RULES[original] !== undefined;
    });
  }

  /** Reads what is new on every order-topic DLQ and files each entry on a case. */
  async scan(signal?: AbortSignal): Promise<DlqScanResult> {
    const { cluster } = this.options;
    const result: DlqScanResult = { topics: 0, read: 0, opened: 0, attached: 0, toProcess: 0, duplicate: 0, skipped: 0 };
    const topics = this.orderDlqTopics(await cluster.listTopics());
    result.topics = topics.length;
    const ranges: PartitionRange[] = [];
    for (const topic of topics) {
      for (const [partition, w] of await cluster.watermarks(topic)) {
        const cursor = await this.cursors.findOne({ _id: `${topic}|${partition}` });
        const from = cursor ? BigInt(cursor.next) : 0n;
        const start = from < w.low ? w.low : from;
        if (start < w.high) ranges.push({ topic, partition, from: start, to: w.high });
      }
    }
    if (ranges.length === 0) return result;
    const budget = this.options.maxPerScan ?? 5_000;
    await readRanges(cluster, {
      ranges,
      ...(signal ? { signal } : {}),
      concurrency: 1,
      groupPrefix: this.options.readerGroupPrefix ?? 'odx-orchestrator-dlq-intake',
      onBatch: async (batch) => {
        for (const m of batch.messages) {
          await this.file(m, result);
          result.read++;
        }
        await this.cursors.updateOne(
          { _id: `${batch.topic}|${batch.partition}` },
          { $set: { next: batch.next.toString(), at: new Date() } },
          { upsert: true },
        );
        return result.read < budget;
      },
    });
    if (result.read > 0) this.options.logger.info('dead letters filed on cases', { ...result });
    return result;
  }

  private async file(m: RawMessage, result: DlqScanResult): Promise<void> {
    const { desk, metrics } = this.options;
    const reading = readDlqEntry(m, await this.decode(m), this.catalogName, this.options.severity ?? 'high');
    if (reading.kind === 'skip') {
      result.skipped++;
      metrics.dlqEntries.inc({ outcome: 'skipped' });
      return;
    }
    const { failures } = this.options;
    if (reading.stepFailure && failures) {
      // Idempotent without a check: the signal's id comes from the entry's key, and the process's case from the signal.
      const o = reading.opening;
      await failures.stepFailed({
        orderId: o.orderId,
        step: reading.stepFailure.step,
        errorClass: o.reasonClass,
        lastError: o.lastError,
        reportedBy: reading.stepFailure.group,
        evidence: o.evidence,
        key: o.dedupeKey,
      });
      result.toProcess++;
      metrics.dlqEntries.inc({ outcome: 'process' });
      return;
    }
    const before = await desk.knownKey(reading.opening.dedupeKey);
    if (before) {
      result.duplicate++;
      metrics.dlqEntries.inc({ outcome: 'duplicate' });
      return;
    }
    const c = await desk.intakeDeadLetter(reading.opening);
    const outcome = c.version === 1 ? 'opened' : 'attached';
    result[outcome]++;
    metrics.dlqEntries.inc({ outcome });
  }

  /** The entry's event, or null when its bytes are not a readable ODX event (often why it is there). */
  private async decode(m: RawMessage): Promise<CanonicalEvent | null> {
    if (!m.value) return null;
    try {
      return canonicalEventOf(await this.options.serde.decode(m.value)) ?? null;
    } catch (err) {
      // The registry being away says nothing about the entry: stop this scan (the cursor stays) rather than file it unattributed.
      if (err instanceof OdxError && err.kind === 'transient') throw err;
      return null;
    }
  }
}
