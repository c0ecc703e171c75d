import type { EdiDocument, EdiDocumentReceived, EdiDocumentSent } from '@odx/schemas';
import { deterministicEventId, type OutgoingEvent } from '@odx/runtime';
import type { EdiDocumentRecord } from '../store/document-store.js';

/** The EdiDocument facts of an audit record (the raw text stays in MongoDB; storageUri points at it). */
export function ediDocumentOf(rec: EdiDocumentRecord, collection = 'edi_documents'): EdiDocument {
  return {
    documentId: rec._id,
    partnerId: rec.partnerId,
    standard: rec.standard,
    version: rec.version,
    transactionSet: rec.type,
    senderId: rec.senderId,
    receiverId: rec.receiverId,
    interchangeControlNumber: rec.interchangeControlNumber,
    groupControlNumber: rec.groupControlNumber,
    transactionControlNumber: rec.transactionControlNumber,
    businessObjectType: rec.businessObjectType,
    businessObjectId: rec.businessObjectId,
    businessRef: rec.businessRef,
    fileName: rec.fileName,
    storageUri: `mongodb:${collection}/${encodeURIComponent(rec._id)}`,
    sizeBytes: rec.sizeBytes,
    sha256: rec.sha256,
  };
}

export interface EventContext {
  company: string;
  topic: string;
  correlationId?: string;
  causationId?: string | null;
}

export function receivedEvent(
  rec: EdiDocumentRecord,
  ctx: EventContext,
  status: string = rec.status,
  errors: string[] = rec.errors,
): OutgoingEvent {
  const payload: EdiDocumentReceived = {
    meta: {
      eventId: deterministicEventId('EdiDocumentReceived', rec._id, status),
      occurredAt: rec.createdAt,
      source: 'edi',
      correlationId: ctx.correlationId ?? rec.businessObjectId ?? rec._id,
      causationId: ctx.causationId ?? null,
      company: ctx.company,
    },
    document: ediDocumentOf(rec),
    status,
    errors: errors.slice(0, 200),
    ackDocumentId: rec.ackDocumentId,
  };
  return { eventType: 'EdiDocumentReceived', key: rec.partnerId, topic: ctx.topic, payload };
}

export function sentEvent(rec: EdiDocumentRecord, ctx: EventContext, transport: string): OutgoingEvent {
  const payload: EdiDocumentSent = {
    meta: {
      eventId: deterministicEventId('EdiDocumentSent', rec._id),
      occurredAt: new Date(),
      source: 'edi',
      correlationId: ctx.correlationId ?? rec.businessObjectId ?? rec._id,
      causationId: ctx.causationId ?? null,
      company: ctx.company,
    },
    document: ediDocumentOf(rec),
    transport,
    inResponseTo: rec.inResponseTo,
  };
  return { eventType: 'EdiDocumentSent', key: rec.partnerId, topic: ctx.topic, payload };
}
