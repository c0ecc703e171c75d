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
import type { Severity } from './case-model.js';
import { ORDER_TOPIC_RULES, readDlqEntry } from './dlq-entry.js';

export const DLQ_CURSOR_COLLECTION = 'odx_case_dlq_cursors';

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
  /** Severity of a case a dead letter opens. @default 'high' */
  severity?: Severity;
  /** Messages handled per scan at most (the rest waits for the next). @default 5000 */
  maxPerScan?: number;
}

export interface DlqScanResult {
  topics: number;
  read: number;
  opened: number;
  attached: number;
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
    const result: DlqScanResult = { topics: 0, read: 0, opened: 0, attached: 0, duplicate: 0, skipped: 0 };
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
      groupPrefix: 'odx-orchestrator-dlq-intake',
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
