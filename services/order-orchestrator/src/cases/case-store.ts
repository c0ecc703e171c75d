// Cases in MongoDB (FerretDB in the local stack). FerretDB's SQLite backend
// answers inserts with a unique _id fast, but reads and updates filtered on
// anything but exactly `{ _id }` scan the collection. So: every hot path is a
// point lookup or an insert keyed by _id (the case by id, the one open case
// of an order's step through a key document, a dedupe key, a history entry),
// documents stay small (history lives apart, a case keeps its first evidence
// links only), and the scans that remain (listing, the escalation scan) read
// a collection that holds exceptions, not orders. The indexes are for MongoDB
// proper (and FerretDB versions that use them).
import { findByIds, insertOnce, isDuplicateKeyError } from '@odx/runtime';
import type { Collection, Db, Filter } from 'mongodb';
import type { CaseRecord, CaseStatus, Evidence, HistoryEntry } from './case-model.js';

export const CASE_COLLECTIONS = {
  cases: 'odx_cases',
  history: 'odx_case_history',
  keys: 'odx_case_keys',
} as const;

/** A stored case: the record, the last change (so an unpublished event can be sent again) and whether its event is still to send. */
export interface CaseDoc extends Omit<CaseRecord, 'caseId'> {
  _id: string;
  last: HistoryEntry;
  /** Set with every change, cleared once Kafka acknowledged the event of that version. */
  pending: boolean;
}

/** One history entry: `_id` is `<caseId>|<version, 8 digits>`. */
interface HistoryDoc extends HistoryEntry {
  _id: string;
  caseId: string;
  version: number;
  evidence: Evidence[];
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
  pending: boolean;
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
  return { _id: caseId, ...rest, last, pending: true };
}

function fromDoc(d: CaseDoc): StoredCase {
  const { _id, last, pending, ...rest } = d;
  return { record: { caseId: _id, ...rest }, last, pending };
}

/** The fields the escalation scan reads. */
export type CaseSummary = Pick<CaseDoc, '_id' | 'severity' | 'status' | 'dueAt' | 'version' | 'pending' | 'openedAt' | 'updatedAt'>;

export class CaseStore {
  readonly cases: Collection<CaseDoc>;
  private readonly history: Collection<HistoryDoc>;
  private readonly keys: Collection<KeyDoc>;

  constructor(db: Db) {
    this.cases = db.collection<CaseDoc>(CASE_COLLECTIONS.cases);
    this.history = db.collection<HistoryDoc>(CASE_COLLECTIONS.history);
    this.keys = db.collection<KeyDoc>(CASE_COLLECTIONS.keys);
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

  /** Inserts a new case (version 1) and its first history entry; false when the case exists. */
  async create(record: CaseRecord, entry: HistoryEntry, evidence: Evidence[]): Promise<boolean> {
    const inserted = await insertOnce(this.cases, toDoc(record, entry));
    // Also after a crash between the two inserts: the entry is written by whoever comes next.
    await this.appendHistory(record, entry, evidence);
    return inserted;
  }

  /**
   * Writes `record` if the stored case is still at `expectedVersion` (one
   * change at a time: a concurrent writer makes this return false, and the
   * caller reloads and decides again), then its history entry.
   */
  async update(record: CaseRecord, expectedVersion: number, entry: HistoryEntry, evidence: Evidence[]): Promise<boolean> {
    const { _id, ...fields } = toDoc(record, entry);
    const res = await this.cases.updateOne({ _id, version: expectedVersion }, { $set: fields });
    if (res.matchedCount === 0) return false;
    await this.appendHistory(record, entry, evidence);
    return true;
  }

  private async appendHistory(record: CaseRecord, entry: HistoryEntry, evidence: Evidence[]): Promise<void> {
    await insertOnce(this.history, {
      _id: historyId(record.caseId, record.version),
      caseId: record.caseId,
      version: record.version,
      ...entry,
      evidence,
    });
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

  /** The event of `version` was acknowledged: nothing to resend unless a newer change came meanwhile. */
  async markPublished(caseId: string, version: number): Promise<void> {
    await this.cases.updateOne({ _id: caseId, version }, { $set: { pending: false } });
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

  /**
   * What the escalation scan needs, projected small: every unresolved case
   * (due times, severities) and any case whose last event is still to send.
   */
  async scan(limit: number): Promise<CaseSummary[]> {
    return this.cases
      .find(
        { $or: [{ status: { $ne: 'resolved' } }, { pending: true }] },
        { projection: { _id: 1, severity: 1, status: 1, dueAt: 1, version: 1, pending: 1, openedAt: 1, updatedAt: 1 }, limit },
      )
      .toArray();
  }
}
