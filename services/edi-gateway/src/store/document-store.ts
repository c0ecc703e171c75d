import { InsertBatcher, findByIds, withoutNulChars } from '@odx/runtime';
import type { Collection, Db, Filter } from 'mongodb';
import type { PublishedEvent } from '@odx/runtime';

export type DocumentStatus =
  | 'accepted'
  | 'accepted_with_errors'
  | 'rejected' // received
  | 'built'
  | 'sent'
  | 'acknowledged'
  | 'ack_rejected'
  | 'ack_overdue'; // sent

export type DocumentLink = PublishedEvent & { role: 'produced' | 'source' };

/** One EDI document, in or out, kept raw with its status and the events it produced or came from. */
export interface EdiDocumentRecord {
  _id: string;
  partnerId: string;
  direction: 'in' | 'out';
  standard: 'X12' | 'EDIFACT';
  version: string;
  /** Transaction set (850, 997, ...) or TA1/ISA for envelope-level documents. */
  type: string;
  /** The current status (the record's first status, or the latest status change). */
  status: DocumentStatus;
  errors: string[];
  senderId: string;
  receiverId: string;
  interchangeControlNumber: string;
  groupControlNumber: string | null;
  transactionControlNumber: string | null;
  businessObjectType: string | null;
  businessObjectId: string | null;
  businessRef: string | null;
  fileName: string | null;
  transport: string;
  raw: string;
  sha256: string;
  sizeBytes: number;
  /** produced: events this document caused; source: the event it was built from. */
  links: DocumentLink[];
  inResponseTo: string | null;
  ackDocumentId: string | null;
  /** Outbound: when the partner's 997 is due. */
  ackDueAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A status change, kept as its own document (`<documentId>:<status>`): appended, never updated. */
interface StatusChange {
  _id: string;
  documentId: string;
  status: DocumentStatus;
  at: Date;
  transport?: string;
  ackDueAt?: Date | null;
  ackDocumentId?: string | null;
  errors?: string[];
  links: DocumentLink[];
}

export interface StatusExtra {
  transport?: string;
  ackDueAt?: Date | null;
  ackDocumentId?: string | null;
  errors?: string[];
  links?: DocumentLink[];
}

export interface DocumentQuery {
  partner?: string | undefined;
  status?: string | undefined;
  type?: string | undefined;
  direction?: 'in' | 'out' | undefined;
  limit: number;
}

/**
 * The audit store, append-only for FerretDB (where updates and lookups scan):
 * one insert per document, one insert per later status change (sent,
 * acknowledged, overdue), merged when read. Reads (listing, 997 matching, the
 * overdue sweep, a redelivered event finding its document) are the rare path.
 */
export class DocumentStore {
  readonly col: Collection<EdiDocumentRecord>;
  private readonly statuses: Collection<StatusChange>;
  /**
   * Records and status changes of the interchanges being processed at once go out as one insertMany per
   * collection (FerretDB takes a command of hundreds of documents about as fast as one insertOne).
   */
  private readonly recordInserts: InsertBatcher<EdiDocumentRecord>;
  private readonly statusInserts: InsertBatcher<StatusChange>;

  constructor(db: Db, collection = 'edi_documents') {
    this.col = db.collection<EdiDocumentRecord>(collection);
    this.statuses = db.collection<StatusChange>(`${collection}_status`);
    this.recordInserts = new InsertBatcher(this.col);
    this.statusInserts = new InsertBatcher(this.statuses);
  }

  async init(): Promise<void> {
    await this.col.createIndex({ partnerId: 1, direction: 1, groupControlNumber: 1 });
    await this.col.createIndex({ createdAt: -1 });
    await this.statuses.createIndex({ documentId: 1 });
  }

  /** Inserts `rec`; returns false when a record with its id exists already. */
  async insert(rec: EdiDocumentRecord): Promise<boolean> {
    // A partner's file may hold NULs, which FerretDB on PostgreSQL cannot store; the file itself keeps every byte.
    return this.recordInserts.insert(withoutNulChars(rec));
  }

  /** Records a status change (once per status and document). */
  async setStatus(documentId: string, status: DocumentStatus, extra: StatusExtra = {}): Promise<void> {
    await this.statusInserts.insert(
      withoutNulChars({
        _id: `${documentId}:${status}`,
        documentId,
        status,
        at: new Date(),
        links: extra.links ?? [],
        ...withoutLinks(extra),
      }),
    );
  }

  async get(id: string): Promise<EdiDocumentRecord | null> {
    const rec = await this.col.findOne({ _id: id });
    return rec ? (await this.merge([rec]))[0]! : null;
  }

  /** Our sent documents of `partnerId` in group `gs06`. */
  async sentInGroup(partnerId: string, gs06: string): Promise<EdiDocumentRecord[]> {
    return this.merge(await this.col.find({ partnerId, direction: 'out', groupControlNumber: gs06 }).toArray());
  }

  /** Sent documents whose acknowledgment is overdue at `now` and that no later status settled. */
  async overdue(now: Date, limit = 500): Promise<EdiDocumentRecord[]> {
    const due = await this.statuses
      .find({ status: 'sent', ackDueAt: { $lt: now } })
      .limit(limit * 4)
      .toArray();
    if (due.length === 0) return [];
    const ids = due.map((d) => d.documentId);
    const settled = new Set(
      (
        await this.statuses.find({ documentId: { $in: ids }, status: { $in: ['acknowledged', 'ack_rejected', 'ack_overdue'] } }).toArray()
      ).map((s) => s.documentId),
    );
    const open = ids.filter((id) => !settled.has(id)).slice(0, limit);
    if (open.length === 0) return [];
    // Point lookups: an `_id: { $in }` filter scans the whole collection on FerretDB.
    return this.merge(await findByIds(this.col, open));
  }

  async list(q: DocumentQuery): Promise<Array<Omit<EdiDocumentRecord, 'raw'>>> {
    const filter: Filter<EdiDocumentRecord> = {};
    if (q.partner) filter.partnerId = q.partner;
    if (q.type) filter.type = q.type;
    if (q.direction) filter.direction = q.direction;
    // The status filter applies to the merged (current) status, so read a wider window first.
    const window = q.status ? Math.max(q.limit * 10, 1_000) : q.limit;
    const recs = await this.col
      .find(filter, { projection: { raw: 0 } })
      .sort({ createdAt: -1 })
      .limit(window)
      .toArray();
    const merged = await this.merge(recs as EdiDocumentRecord[]);
    return merged.filter((r) => !q.status || r.status === q.status).slice(0, q.limit);
  }

  /** Applies each record's status changes, in time order. */
  private async merge(recs: EdiDocumentRecord[]): Promise<EdiDocumentRecord[]> {
    if (recs.length === 0) return recs;
    const changes = await this.statuses.find({ documentId: { $in: recs.map((r) => r._id) } }).toArray();
    const byDoc = new Map<string, StatusChange[]>();
    for (const c of changes) {
      let list = byDoc.get(c.documentId);
      if (!list) byDoc.set(c.documentId, (list = []));
      list.push(c);
    }
    return recs.map((r) => {
      const list = (byDoc.get(r._id) ?? []).sort((a, b) => a.at.getTime() - b.at.getTime());
      let out = r;
      for (const c of list) {
        out = {
          ...out,
          status: c.status,
          updatedAt: c.at,
          links: [...out.links, ...c.links],
          ...(c.transport !== undefined ? { transport: c.transport } : {}),
          ...(c.ackDueAt !== undefined ? { ackDueAt: c.ackDueAt } : {}),
          ...(c.ackDocumentId !== undefined ? { ackDocumentId: c.ackDocumentId } : {}),
          ...(c.errors !== undefined ? { errors: c.errors } : {}),
        };
      }
      return out;
    });
  }
}

function withoutLinks(extra: StatusExtra): Omit<StatusExtra, 'links'> {
  const { links: _links, ...rest } = extra;
  return rest;
}
