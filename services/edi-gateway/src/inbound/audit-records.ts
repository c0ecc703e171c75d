import { createHash } from 'node:crypto';
import type { EdiDocumentRecord } from '../store/document-store.js';
import type { InboundSource } from './inbound-result.js';
import type { ReceivedDocument, ReceivedEnvelope } from './parsed-interchange.js';

/** A received file: its bytes, and where and when it came. */
export interface ReceivedFile {
  bytes: Buffer;
  /** Hex SHA-256 of `bytes`. */
  sha256: string;
  source: InboundSource;
  receivedAt: Date;
}

export const sha256Hex = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** Raw text kept for a rejected document that is too large to keep whole. */
const MAX_RAW_KEPT = 256 * 1024;

export interface InterchangeRecordOptions {
  id: string;
  envelope: ReceivedEnvelope;
  file: ReceivedFile;
  status: EdiDocumentRecord['status'];
  errors: string[];
  ackDocumentId: string | null;
}

/** The audit record of a whole interchange (type ISA or UNB), kept with the file's raw text. */
export function interchangeRecord(o: InterchangeRecordOptions): EdiDocumentRecord {
  const { bytes, source, receivedAt } = o.file;
  const e = o.envelope;
  return {
    _id: o.id,
    partnerId: e.partner?.id ?? 'unknown',
    direction: 'in',
    standard: e.standard,
    version: e.version,
    type: e.type,
    status: o.status,
    errors: o.errors,
    senderId: e.senderId,
    receiverId: e.receiverId,
    interchangeControlNumber: e.controlNumber ?? '',
    groupControlNumber: null,
    transactionControlNumber: null,
    businessObjectType: null,
    businessObjectId: null,
    businessRef: null,
    fileName: source.fileName,
    transport: source.transport,
    raw: bytes.length > MAX_RAW_KEPT ? bytes.subarray(0, MAX_RAW_KEPT).toString('utf8') : bytes.toString('utf8'),
    sha256: o.file.sha256,
    sizeBytes: Math.max(bytes.length, source.declaredSize ?? 0),
    links: [],
    inResponseTo: null,
    ackDocumentId: o.ackDocumentId,
    ackDueAt: null,
    createdAt: receivedAt,
    updatedAt: receivedAt,
  };
}

export interface DocumentRecordOptions {
  document: ReceivedDocument;
  envelope: ReceivedEnvelope;
  /** The interchange record's id. */
  interchangeId: string;
  file: ReceivedFile;
  ackDocumentId: string | null;
  business: Pick<EdiDocumentRecord, 'businessObjectType' | 'businessObjectId' | 'businessRef'>;
}

/** The audit record of one received document, accepted when it has no problems. */
export function documentRecord(o: DocumentRecordOptions): EdiDocumentRecord {
  const { document: d, envelope: e } = o;
  return {
    _id: d.documentId,
    partnerId: e.partner?.id ?? 'unknown',
    direction: 'in',
    standard: e.standard,
    version: d.version,
    type: d.type,
    status: d.problems.length === 0 ? 'accepted' : 'rejected',
    errors: d.problems,
    senderId: e.senderId,
    receiverId: e.receiverId,
    interchangeControlNumber: e.controlNumber ?? '',
    groupControlNumber: d.groupControlNumber,
    transactionControlNumber: d.controlNumber,
    ...o.business,
    fileName: o.file.source.fileName,
    transport: o.file.source.transport,
    raw: d.raw,
    sha256: sha256Hex(d.raw),
    sizeBytes: Buffer.byteLength(d.raw),
    links: [],
    inResponseTo: o.interchangeId,
    ackDocumentId: o.ackDocumentId,
    ackDueAt: null,
    createdAt: o.file.receivedAt,
    updatedAt: o.file.receivedAt,
  };
}
