import { randomUUID } from 'node:crypto';
import {
  type ClusterAdmin,
  errorMessage,
  type EventProducer,
  type EventSerde,
  type Logger,
  OdxError,
  parseDerivedTopic,
  type PartitionRange,
  type Principal,
  type RawMessage,
  type RawOutgoingMessage,
  readRanges,
} from '@odx/runtime';
import { isEventType } from '@odx/schemas';
import type { AuditLog } from '../audit/audit-log.js';
import { AlreadyRedriven, InvalidRequest, NotFound, RedriveIncomplete, Unprocessable } from '../errors.js';
import { chunkBySize, messageBytes } from '../kafka/produce-chunks.js';
import { READER_GROUP_PREFIX } from '../kafka/reader-group.js';
import { requireDlqTopic, requireTopic } from '../kafka/topics.js';
import { matchesFilter, type DlqFilter } from './dlq-filter.js';
import { readFailure, redriveHeaders, redriveRecordId, type FailureInfo } from './dlq-message.js';
import type { RedriveRecords } from './redrive-records.js';
import { reviveJsonPayload } from './revive-payload.js';

export interface DlqServiceOptions {
  cluster: ClusterAdmin;
  serde: EventSerde;
  producer: EventProducer;
  records: RedriveRecords;
  audit: AuditLog;
  logger: Logger;
  scanLimit: number;
  redriveMax: number;
  produceBatch: number;
}

export interface DlqTopicSummary {
  topic: string;
  originalTopic: string;
  group: string;
  depth: number;
  partitions: Array<{ partition: number; low: string; high: string; depth: number }>;
  oldestTimestamp: string | null;
  oldestAgeMs: number | null;
  errorClasses: Record<string, number>;
  /** False when error-class counts stopped at the scan limit. */
  countsComplete: boolean;
}

export interface DlqMessageView {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: string | null;
  eventId: string | null;
  eventType: string | null;
  failure: FailureInfo;
  headers: Record<string, string>;
  payload?: unknown;
  decodeError?: string;
  redriven: boolean;
}

/** Per-partition next offset to read. Without a cursor every partition starts at its low watermark; with one, partitions it leaves out are finished. */
export type Cursor = Record<string, string>;

export interface ScanRequest {
  filter: DlqFilter;
  partitions?: number[] | undefined;
  cursor?: Cursor | undefined;
  limit: number;
  maxScan: number;
}

interface Found {
  partition: number;
  message: RawMessage;
  failure: FailureInfo;
}

export interface RedriveRequest {
  selection?: Array<{ partition: number; offset: string }> | undefined;
  filter?: DlqFilter | undefined;
  cursor?: Cursor | undefined;
  limit?: number | undefined;
  targetTopic?: string | undefined;
  payload?: unknown;
  execute: boolean;
  force: boolean;
}

/** Browse, redrive and purge of dead-letter topics. */
export class DlqService {
  constructor(private readonly options: DlqServiceOptions) {}

  /** Every DLQ topic with its depth, oldest message age and counts by error class. */
  async list(filter: { originalTopic?: string | undefined; group?: string | undefined }): Promise<DlqTopicSummary[]> {
    const names = (await this.options.cluster.listTopics()).filter((t) => parseDerivedTopic(t)?.dlq).sort();
    const summaries: DlqTopicSummary[] = [];
    const ranges: PartitionRange[] = [];
    for (const name of names) {
      const parsed = parseDerivedTopic(name)!;
      if (filter.originalTopic && parsed.topic !== filter.originalTopic) continue;
      if (filter.group && parsed.group !== filter.group) continue;
      const wm = await this.options.cluster.watermarks(name);
      const partitions = [...wm]
        .sort(([a], [b]) => a - b)
        .map(([partition, { low, high }]) => ({ partition, low: low.toString(), high: high.toString(), depth: Number(high - low) }));
      let countsComplete = true;
      for (const [partition, { low, high }] of wm) {
        if (high <= low) continue;
        const to = high - low > BigInt(this.options.scanLimit) ? low + BigInt(this.options.scanLimit) : high;
        if (to < high) countsComplete = false;
        ranges.push({ topic: name, partition, from: low, to });
      }
      summaries.push({
        topic: name,
        originalTopic: parsed.topic,
        group: parsed.group,
        depth: partitions.reduce((s, p) => s + p.depth, 0),
        partitions,
        oldestTimestamp: null,
        oldestAgeMs: null,
        // Null prototype: an error class named by a header ("__proto__", "constructor") is counted like any other.
        errorClasses: Object.create(null) as Record<string, number>,
        countsComplete,
      });
    }
    const byTopic = new Map(summaries.map((s) => [s.topic, { s, oldest: Number.POSITIVE_INFINITY }]));
    await readRanges(this.options.cluster, {
      ranges,
      groupPrefix: READER_GROUP_PREFIX,
      onBatch: async (b) => {
        const entry = byTopic.get(b.topic)!;
        for (const m of b.messages) {
          if (m.timestamp < entry.oldest) entry.oldest = m.timestamp;
          const cls = readFailure(m.headers).errorClass ?? '(none)';
          entry.s.errorClasses[cls] = (entry.s.errorClasses[cls] ?? 0) + 1;
        }
      },
    });
    const now = Date.now();
    for (const { s, oldest } of byTopic.values()) {
      if (Number.isFinite(oldest)) {
        s.oldestTimestamp = new Date(oldest).toISOString();
        s.oldestAgeMs = Math.max(0, now - oldest);
      }
    }
    return summaries;
  }

  /** Reads matching messages from `cursor` on, up to `limit` matches or `maxScan` messages read. */
  private async scan(topic: string, req: ScanRequest): Promise<{ found: Found[]; scanned: number; nextCursor: Cursor | null }> {
    const wm = await this.options.cluster.watermarks(topic);
    for (const p of req.partitions ?? []) if (!wm.has(p)) throw new InvalidRequest(`${topic} has no partition ${p}`);
    const positions = new Map<number, { next: bigint; high: bigint }>();
    const ranges: PartitionRange[] = [];
    for (const [partition, { low, high }] of wm) {
      if (req.partitions && !req.partitions.includes(partition)) continue;
      // A cursor names the partitions with messages left; the ones it leaves out are finished.
      const c = req.cursor ? (req.cursor[String(partition)] ?? high.toString()) : undefined;
      const from = c !== undefined && BigInt(c) > low ? BigInt(c) : low;
      positions.set(partition, { next: from, high });
      ranges.push({ topic, partition, from, to: high });
    }
    if (req.cursor)
      for (const p of Object.keys(req.cursor))
        if (!wm.has(Number(p))) throw new InvalidRequest(`cursor names partition ${p}, which ${topic} does not have`);
    const found: Found[] = [];
    let scanned = 0;
    await readRanges(this.options.cluster, {
      ranges,
      groupPrefix: READER_GROUP_PREFIX,
      onBatch: async (b) => {
        const pos = positions.get(b.partition)!;
        for (const m of b.messages) {
          if (found.length >= req.limit || scanned >= req.maxScan) return false;
          scanned++;
          pos.next = BigInt(m.offset) + 1n;
          const failure = readFailure(m.headers);
          const subject = {
            key: m.key ? m.key.toString('utf8') : null,
            timestamp: m.timestamp,
            failure,
            eventType: m.headers['ce_type'] ?? null,
          };
          if (matchesFilter(subject, req.filter)) found.push({ partition: b.partition, message: m, failure });
        }
        pos.next = b.next;
        return found.length < req.limit && scanned < req.maxScan;
      },
    });
    const nextCursor: Cursor = {};
    for (const [p, { next, high }] of positions) if (next < high) nextCursor[String(p)] = next.toString();
    return { found, scanned, nextCursor: Object.keys(nextCursor).length > 0 ? nextCursor : null };
  }

  private async view(topic: string, f: Found, redriven: boolean): Promise<DlqMessageView> {
    const m = f.message;
    const v: DlqMessageView = {
      topic,
      partition: f.partition,
      offset: m.offset,
      timestamp: new Date(m.timestamp).toISOString(),
      key: m.key ? m.key.toString('utf8') : null,
      eventId: m.headers['ce_id'] ?? null,
      eventType: m.headers['ce_type'] ?? null,
      failure: f.failure,
      headers: m.headers,
      redriven,
    };
    try {
      const decoded = await this.options.serde.decode(m.value);
      v.payload = decoded.payload;
      v.eventType ??= decoded.fullName;
    } catch (err) {
      v.decodeError = errorMessage(err);
      v.payload = m.value ? { base64: m.value.toString('base64') } : null;
    }
    return v;
  }

  /** Decoded messages of a DLQ topic with their headers and whether each was redriven already. */
  async browse(topic: string, req: ScanRequest): Promise<{ messages: DlqMessageView[]; scanned: number; nextCursor: Cursor | null }> {
    await requireDlqTopic(this.options.cluster, topic);
    const { found, scanned, nextCursor } = await this.scan(topic, req);
    const redriven = await this.options.records.alreadyRedriven(found.map((f) => redriveRecordId(topic, f.partition, f.message.offset)));
    const messages: DlqMessageView[] = [];
    for (const f of found) messages.push(await this.view(topic, f, redriven.has(redriveRecordId(topic, f.partition, f.message.offset))));
    return { messages, scanned, nextCursor };
  }

  /** Reads exactly the selected messages; 404 naming the ones that are not (or no longer) there. */
  private async select(topic: string, selection: Array<{ partition: number; offset: string }>): Promise<Found[]> {
    const wm = await this.options.cluster.watermarks(topic);
    const wanted = new Map<number, Set<string>>();
    for (const s of selection) {
      const range = wm.get(s.partition);
      if (!range) throw new InvalidRequest(`${topic} has no partition ${s.partition}`);
      const off = BigInt(s.offset);
      if (off < range.low || off >= range.high)
        throw new NotFound(
          'record',
          [`${s.partition}/${s.offset}`],
          `${topic} partition ${s.partition} has no offset ${s.offset} (it holds ${range.low}..${range.high - 1n})`,
        );
      let set = wanted.get(s.partition);
      if (!set) wanted.set(s.partition, (set = new Set()));
      set.add(off.toString());
    }
    const ranges: PartitionRange[] = [...wanted].map(([partition, offs]) => {
      const list = [...offs].map(BigInt);
      return { topic, partition, from: list.reduce((a, b) => (b < a ? b : a)), to: list.reduce((a, b) => (b > a ? b : a)) + 1n };
    });
    const found: Found[] = [];
    await readRanges(this.options.cluster, {
      ranges,
      groupPrefix: READER_GROUP_PREFIX,
      onBatch: async (b) => {
        const set = wanted.get(b.partition)!;
        for (const m of b.messages) {
          if (!set.has(m.offset)) continue;
          found.push({ partition: b.partition, message: m, failure: readFailure(m.headers) });
        }
      },
    });
    const got = new Set(found.map((f) => `${f.partition}/${f.message.offset}`));
    const missing = selection.filter((s) => !got.has(`${s.partition}/${BigInt(s.offset).toString()}`));
    if (missing.length > 0) {
      const names = missing.map((s) => `${s.partition}/${s.offset}`);
      throw new NotFound('record', names, `not found in ${topic}: ${names.slice(0, 20).join(', ')}`);
    }
    return found;
  }

  /**
   * Republishes DLQ messages to the topic they failed on (or `targetTopic`),
   * with their key and event id, so consumers' idempotency drops any duplicate.
   * Dry run unless `execute`; already-redriven messages are refused (selection)
   * or skipped (filter) unless `force`.
   */
  async redrive(topic: string, req: RedriveRequest, who: Principal): Promise<Record<string, unknown>> {
    await requireDlqTopic(this.options.cluster, topic);
    if (req.payload !== undefined && req.selection?.length !== 1)
      throw new InvalidRequest('an edited payload needs a selection of exactly one message');
    if (req.targetTopic) await requireTopic(this.options.cluster, req.targetTopic, 'target topic');
    const limit = Math.min(req.limit ?? this.options.redriveMax, this.options.redriveMax);
    let found: Found[];
    let nextCursor: Cursor | null = null;
    let scanned: number;
    if (req.selection) {
      found = await this.select(topic, req.selection);
      scanned = found.length;
    } else {
      ({ found, nextCursor, scanned } = await this.scan(topic, {
        filter: req.filter ?? {},
        cursor: req.cursor,
        limit,
        maxScan: Number.MAX_SAFE_INTEGER,
      }));
    }
    const ids = found.map((f) => redriveRecordId(topic, f.partition, f.message.offset));
    const already = await this.options.records.alreadyRedriven(ids);
    if (req.selection && already.size > 0 && !req.force) throw new AlreadyRedriven(topic, [...already]);
    const todo = req.force ? found : found.filter((_, i) => !already.has(ids[i]!));
    const targets = Object.create(null) as Record<string, number>;
    const noTarget: string[] = [];
    for (const f of todo) {
      const target = req.targetTopic ?? f.failure.originalTopic;
      if (!target) noTarget.push(`${f.partition}/${f.message.offset}`);
      else targets[target] = (targets[target] ?? 0) + 1;
    }
    if (noTarget.length > 0) throw new Unprocessable(`no original topic header on ${noTarget.slice(0, 20).join(', ')}; name a targetTopic`);
    for (const t of Object.keys(targets)) if (t !== req.targetTopic) await requireTopic(this.options.cluster, t, 'original topic');

    let editedValue: Buffer | undefined;
    if (req.payload !== undefined)
      editedValue = await this.encodeEdited(todo[0] ?? found[0]!, req.targetTopic ?? found[0]!.failure.originalTopic!, req.payload);

    const base = {
      topic,
      dryRun: !req.execute,
      matched: found.length,
      scanned,
      skippedAlreadyRedriven: found.length - todo.length,
      targets,
      nextCursor,
    };
    if (!req.execute) {
      return {
        ...base,
        wouldRedrive: todo.length,
        sample: todo.slice(0, 20).map((f) => ({
          partition: f.partition,
          offset: f.message.offset,
          key: f.message.key?.toString('utf8') ?? null,
          eventId: f.message.headers['ce_id'] ?? null,
          errorClass: f.failure.errorClass,
          target: req.targetTopic ?? f.failure.originalTopic,
        })),
      };
    }
    const redriveId = randomUUID();
    let done = 0;
    let failure: unknown;
    const sizeOf = (f: Found): number =>
      messageBytes({ key: f.message.key, value: editedValue ?? f.message.value, headers: f.message.headers });
    for (const chunk of chunkBySize(todo, sizeOf, this.options.produceBatch)) {
      const messages: RawOutgoingMessage[] = chunk.map((f) => ({
        topic: req.targetTopic ?? f.failure.originalTopic!,
        key: f.message.key,
        value: editedValue ?? f.message.value,
        headers: redriveHeaders(f.message.headers, { topic, partition: f.partition, offset: f.message.offset }, redriveId, who.subject),
      }));
      try {
        await this.options.producer.publishRaw(messages);
        await this.options.records.record(
          chunk.map((f) => {
            const source = redriveRecordId(topic, f.partition, f.message.offset);
            return { source, target: req.targetTopic ?? f.failure.originalTopic!, repeat: already.has(source) };
          }),
          redriveId,
          who.subject,
        );
      } catch (err) {
        failure = err;
        break;
      }
      done += chunk.length;
    }
    await this.options.audit.record({
      actor: who.subject,
      role: who.role,
      action: 'dlq.redrive',
      target: topic,
      count: done,
      details: {
        redriveId,
        targets: Object.entries(targets).map(([topic, count]) => ({ topic, count })),
        selection: req.selection?.length ?? null,
        filter: req.filter ?? null,
        targetTopic: req.targetTopic ?? null,
        edited: editedValue !== undefined,
        force: req.force,
        ...(failure ? { error: String(failure) } : {}),
      },
    });
    if (failure) {
      this.options.logger.error('redrive failed part way', { topic, redriveId, done, err: failure });
      throw new RedriveIncomplete(redriveId, done, todo.length, failure);
    }
    this.options.logger.info('redrive done', { topic, redriveId, redriven: done, actor: who.subject });
    return { ...base, redriveId, redriven: done };
  }

  private async encodeEdited(f: Found, target: string, payload: unknown): Promise<Buffer> {
    let eventType: string;
    try {
      eventType = (await this.options.serde.decode(f.message.value)).eventType;
    } catch (err) {
      throw new Unprocessable(`the original message cannot be decoded, so its schema is unknown: ${errorMessage(err)}`);
    }
    // Its writer schema is readable but no event this service can write: nothing to check an edit against.
    if (!isEventType(eventType)) throw new Unprocessable(`unknown event type ${eventType}`);
    try {
      return (await this.options.serde.encode(target, eventType, reviveJsonPayload(eventType, payload))).value;
    } catch (err) {
      if (err instanceof OdxError && err.kind !== 'transient')
        throw new Unprocessable(`edited payload does not match the ${eventType} schema: ${err.message}`);
      throw err;
    }
  }

  /** Deletes DLQ records below `before[partition]` (every record when absent); dry run unless `execute`. */
  async purge(
    topic: string,
    req: { before?: Record<string, string> | undefined; execute: boolean },
    who: Principal,
  ): Promise<Record<string, unknown>> {
    await requireDlqTopic(this.options.cluster, topic);
    const wm = await this.options.cluster.watermarks(topic);
    const plan: Array<{ partition: number; low: string; newLow: string; deleted: number }> = [];
    const parts = req.before ? Object.keys(req.before).map(Number) : [...wm.keys()];
    for (const p of parts) {
      const range = wm.get(p);
      if (!range) throw new InvalidRequest(`${topic} has no partition ${p}`);
      const to = req.before ? BigInt(req.before[String(p)]!) : range.high;
      if (to > range.high) throw new InvalidRequest(`partition ${p}: offset ${to} is past the end (${range.high})`);
      const newLow = to > range.low ? to : range.low;
      plan.push({ partition: p, low: range.low.toString(), newLow: newLow.toString(), deleted: Number(newLow - range.low) });
    }
    plan.sort((a, b) => a.partition - b.partition);
    const total = plan.reduce((s, p) => s + p.deleted, 0);
    if (!req.execute) return { topic, dryRun: true, wouldDelete: total, plan };
    const changes = plan.filter((p) => p.deleted > 0);
    if (changes.length > 0)
      await this.options.cluster.deleteRecords(
        topic,
        changes.map((p) => ({ partition: p.partition, offset: BigInt(p.newLow) })),
      );
    await this.options.audit.record({
      actor: who.subject,
      role: who.role,
      action: 'dlq.purge',
      target: topic,
      count: total,
      details: { plan },
    });
    this.options.logger.warn('DLQ purged', { topic, deleted: total, actor: who.subject });
    return { topic, dryRun: false, deleted: total, plan };
  }
}
