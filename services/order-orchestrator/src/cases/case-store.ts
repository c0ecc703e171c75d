// Cases in MongoDB (FerretDB in the local stack). FerretDB's SQLite backend
// answers inserts with a unique _id fast, but reads and updates filtered on
// anything but exactly `{ _id }` scan the collection. So: every hot path is a
// point lookup or an insert keyed by _id (the case by id, the one open case
// of an order's step through a key document, a dedupe key, a history entry),
// documents stay small (history lives apart, a case keeps its first evidence
// links only), and the scans that remain (listing, the escalation scan) read
// a collection that holds exceptions, not orders. The indexes are for MongoDB
// proper (and FerretDB versions that use them).
//
// FerretDB does not make a filtered update a compare-and-set: two writers can
// both match `{ _id, version: n }` and both write. So every change is decided
// by a unique insert, history entry n+1, which carries the state it makes;
// the case document is only ever overwritten with such a state (by its writer,
// or by whoever finds an entry the case does not show yet because its writer
// stopped in between). The events to send wait in a small outbox collection
// until Kafka acknowledged them.
import { findByIds, insertOnce, isDuplicateKeyError } from '@odx/runtime';
import type { Collection, Db, Filter } from 'mongodb';
import type { CaseRecord, CaseStatus, Evidence, HistoryEntry } from './case-model.js';

export const CASE_COLLECTIONS = {
  cases: 'odx_cases',
  history: 'odx_case_history',
  keys: 'odx_case_keys',
  outbox: 'odx_case_outbox',
} as const;

/** A stored case: the record and the change that made its version. */
export interface CaseDoc extends Omit<CaseRecord, 'caseId'> {
  _id: string;
  last: HistoryEntry;
}

/** A change whose event Kafka has not acknowledged yet: `<caseId>|<version>`. */
interface OutboxDoc {
  _id: string;
  caseId: string;
  version: number;
  at: Date;
}

/** A change as it was made: the case after it and its history entry. */
export interface CaseChange {
  record: CaseRecord;
  entry: HistoryEntry;
}

/** One history entry: `_id` is `<caseId>|<version, 8 digits>`; `next` is the case it made. */
interface HistoryDoc extends HistoryEntry {
  _id: string;
  caseId: string;
  version: number;
  evidence: Evidence[];
  next: CaseDoc;
}

function historyDoc(record: CaseRecord, entry: HistoryEntry, evidence: Evidence[]): HistoryDoc {
  return {
    _id: historyId(record.caseId, record.version),
    caseId: record.caseId,
    version: record.version,
    ...entry,
    evidence,
    next: toDoc(record, entry),
  };
}

/** `open|<orderId>|<step>` -> the order step's open case; `dedupe|<key>` -> the case an opening went to. */
interface KeyDoc {
  _id: string;
  caseId: string;
  at: Date;
}

export interface StoredCase {
  record: CaseRecord;
  last: HistoryEntry;
}

export interface CaseQuery {
  status?: CaseStatus | 'unresolved';
  ownerId?: string;
  orderId?: string;
  limit: number;
}

const historyId = (caseId: string, version: number): string => `${caseId}|${String(version).padStart(8, '0')}`;
const openKey = (orderId: string, step: string): string => `open|${orderId}|${step}`;
const dedupeKey = (key: string): string => `dedupe|${key}`;

function toDoc(record: CaseRecord, last: HistoryEntry): CaseDoc {
  const { caseId, ...rest } = record;
  return { _id: caseId, ...rest, last };
}

function fromDoc(d: CaseDoc): StoredCase {
  const { _id, last, ...rest } = d;
  return { record: { caseId: _id, ...rest }, last };
}

/** The fields the escalation scan reads. */
export type CaseSummary = Pick<CaseDoc, '_id' | 'severity' | 'status' | 'dueAt' | 'openedAt'>;

/** A change still to publish. */
export interface PendingEvent {
  caseId: string;
  version: number;
  at: Date;
}

export class CaseStore {
  readonly cases: Collection<CaseDoc>;
  private readonly history: Collection<HistoryDoc>;
  private readonly keys: Collection<KeyDoc>;
  private readonly outbox: Collection<OutboxDoc>;

  constructor(db: Db) {
    this.cases = db.collection<CaseDoc>(CASE_COLLECTIONS.cases);
    this.history = db.collection<HistoryDoc>(CASE_COLLECTIONS.history);
    this.keys = db.collection<KeyDoc>(CASE_COLLECTIONS.keys);
    this.outbox = db.collection<OutboxDoc>(CASE_COLLECTIONS.outbox);
  }

  async init(): Promise<void> {
    await this.cases
      .createIndexes([{ key: { orderId: 1, status: 1 } }, { key: { status: 1, dueAt: 1 } }, { key: { 'owner.id': 1, status: 1 } }])
      .catch(() => undefined);
  }

  async get(caseId: string): Promise<StoredCase | null> {
    const d = await this.cases.findOne({ _id: caseId });
    return d ? fromDoc(d) : null;
  }

  /** Inserts a new case (version 1); false when the case exists (a concurrent opener wrote it). */
  async create(record: CaseRecord, entry: HistoryEntry, evidence: Evidence[]): Promise<boolean> {
    await this.queueEvent(record, entry.at);
    if (!(await insertOnce(this.cases, toDoc(record, entry)))) return false;
    await insertOnce(this.history, historyDoc(record, entry, evidence));
    return true;
  }

  /**
   * Writes `record` (version n+1) over the case at version n if this change
   * wins history entry n+1; false when another change took it (reload and
   * decide again).
   */
  async update(record: CaseRecord, entry: HistoryEntry, evidence: Evidence[]): Promise<boolean> {
    const doc = historyDoc(record, entry, evidence);
    if (await insertOnce(this.history, doc)) {
      await this.queueEvent(record, entry.at);
      await this.rollForward(doc.next);
      return true;
    }
    const taken = await this.history.findOne({ _id: doc._id });
    if (taken) {
      await this.queueEvent(fromDoc(taken.next).record, taken.at);
      await this.rollForward(taken.next);
    }
    return false;
  }

  /** Writes the state of version v over version v-1 (nothing when the case is past it). */
  private async rollForward(next: CaseDoc): Promise<void> {
    const { _id, ...fields } = next;
    await this.cases.updateOne({ _id, version: next.version - 1 }, { $set: fields });
  }

  private async queueEvent(record: CaseRecord, at: Date): Promise<void> {
    await insertOnce(this.outbox, { _id: historyId(record.caseId, record.version), caseId: record.caseId, version: record.version, at });
  }

  /** Changes whose event is still to send (the outbox holds only those: it stays small). */
  async pendingEvents(limit: number): Promise<PendingEvent[]> {
    const docs = await this.outbox.find({}, { limit }).toArray();
    return docs.map((d) => ({ caseId: d.caseId, version: d.version, at: d.at }));
  }

  /** The change that made `version` of a case, as it was (for sending its event again). */
  async changeAt(caseId: string, version: number): Promise<CaseChange | null> {
    const d = await this.history.findOne({ _id: historyId(caseId, version) });
    if (!d) {
      const c = await this.get(caseId);
      return c && c.record.version === version ? { record: c.record, entry: c.last } : null;
    }
    return { record: fromDoc(d.next).record, entry: d.next.last };
  }

  /** Kafka acknowledged the event of `version`. */
  async markPublished(caseId: string, version: number): Promise<void> {
    await this.outbox.deleteOne({ _id: historyId(caseId, version) });
  }

  /** The newest `limit` history entries of a case (oldest first), read by _id; a missing entry (crash) is filled from `last`. */
  async historyOf(c: StoredCase, limit = 100): Promise<Array<HistoryEntry & { version: number; evidence: Evidence[] }>> {
    const from = Math.max(1, c.record.version - limit + 1);
    const ids: string[] = [];
    for (let v = from; v <= c.record.version; v++) ids.push(historyId(c.record.caseId, v));
    const found = new Map((await findByIds(this.history, ids)).map((d) => [d.version, d]));
    const out: Array<HistoryEntry & { version: number; evidence: Evidence[] }> = [];
    for (let v = from; v <= c.record.version; v++) {
      const d = found.get(v);
      if (d)
        out.push({
          at: d.at,
          actor: d.actor,
          action: d.action,
          fromStatus: d.fromStatus,
          toStatus: d.toStatus,
          note: d.note,
          version: v,
          evidence: d.evidence,
        });
      else if (v === c.record.version) out.push({ ...c.last, version: v, evidence: [] });
    }
    return out;
  }

  /** Claims the order step's open-case slot for `caseId`; the case id holding it otherwise. */
  async claimOpenSlot(orderId: string, step: string, caseId: string, now: Date): Promise<string> {
    const _id = openKey(orderId, step);
    if (await insertOnce(this.keys, { _id, caseId, at: now })) return caseId;
    const held = await this.keys.findOne({ _id });
    // Released between our insert and read: try once more.
    if (!held) return (await insertOnce(this.keys, { _id, caseId, at: now })) ? caseId : this.claimOpenSlot(orderId, step, caseId, now);
    return held.caseId;
  }

  async openSlot(orderId: string, step: string): Promise<string | null> {
    return (await this.keys.findOne({ _id: openKey(orderId, step) }))?.caseId ?? null;
  }

  /** Frees the slot if `caseId` still holds it (a resolved case). */
  async releaseOpenSlot(orderId: string, step: string, caseId: string): Promise<void> {
    await this.keys.deleteOne({ _id: openKey(orderId, step), caseId });
  }

  async caseForKey(key: string): Promise<string | null> {
    return (await this.keys.findOne({ _id: dedupeKey(key) }))?.caseId ?? null;
  }

  async rememberKey(key: string, caseId: string, now: Date): Promise<void> {
    try {
      await this.keys.insertOne({ _id: dedupeKey(key), caseId, at: now });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }

  /** Unresolved cases of one order (a scan of the case collection, which holds exceptions only). */
  async unresolvedOf(orderId: string): Promise<StoredCase[]> {
    const docs = await this.cases
      .find({ orderId, status: { $ne: 'resolved' } })
      .limit(100)
      .toArray();
    return docs.map(fromDoc);
  }

  async list(q: CaseQuery): Promise<CaseRecord[]> {
    const filter: Filter<CaseDoc> = {};
    if (q.status === 'unresolved') filter.status = { $ne: 'resolved' };
    else if (q.status) filter.status = q.status;
    if (q.ownerId) filter['owner.id'] = q.ownerId;
    if (q.orderId) filter.orderId = q.orderId;
    const docs = await this.cases
      .find(filter, { projection: { last: 0, keys: 0 } })
      .sort({ openedAt: -1 })
      .limit(q.limit)
      .toArray();
    return docs.map((d) => fromDoc({ ...d, keys: [] }).record);
  }

  /** What the escalation scan needs of every unresolved case, projected small. */
  async scan(limit: number): Promise<CaseSummary[]> {
    return this.cases
      .find({ status: { $ne: 'resolved' } }, { projection: { _id: 1, severity: 1, status: 1, dueAt: 1, openedAt: 1 }, limit })
      .toArray();
  }
}
