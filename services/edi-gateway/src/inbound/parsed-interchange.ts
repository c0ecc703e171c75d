import type { PurchaseOrder } from '../model/purchase-order.js';
import type { SupplierAcknowledgment, SupplierInvoice, SupplierShipNotice } from '../model/supplier-documents.js';
import type { PartnerProfile } from '../partners/partner-profile.js';
import type { Reply } from './replies.js';

/**
 * A received interchange in neither standard's terms: what the X12 reader
 * (parse-x12-interchange.ts) and the EDIFACT reader
 * (parse-edifact-interchange.ts) both produce, and all that the commit
 * (commit-plan.ts, commit-interchange.ts) reads.
 */
export interface ParsedInterchange {
  envelope: ReceivedEnvelope & { partner: PartnerProfile; controlNumber: string };
  /** Id of the interchange's own audit record and parent of its documents: `in:<partner>:<ISA13>`, `in:<partner>:UNB:<UNB05>`. */
  id: string;
  /** Key of the once-per-partner claim of the control number (`<ISA13>`, `UNB:<UNB05>`). */
  claimKey: string;
  documents: ReceivedDocument[];
  /** Our acknowledgment (997s, a CONTRL), or null when none is due. */
  reply: Reply | null;
  /** How a repeat of the control number is rejected: the problem recorded and the reply (TA1 025, a rejecting CONTRL). */
  repeat: { problem: string; reply: Reply | null };
}

/** An interchange refused whole (envelope, size, bytes, unknown partner, a repeated control number). */
export interface RejectedInterchange {
  envelope: ReceivedEnvelope;
  problems: string[];
  /** TA1 or rejecting CONTRL, when the partner is known and the envelope readable enough to answer. */
  reply: Reply | null;
}

export type InboundReading = { ok: true; interchange: ParsedInterchange } | { ok: false; rejected: RejectedInterchange };

/** An interchange's envelope, as far as it could be read. */
export interface ReceivedEnvelope {
  standard: 'X12' | 'EDIFACT';
  /** The type of the interchange's own audit record. */
  type: 'ISA' | 'UNB';
  /** The version recorded for the interchange: the partner's X12 version, or D (EDIFACT directory). */
  version: string;
  partner: PartnerProfile | null;
  /** ISA13 or UNB05; null when unreadable. */
  controlNumber: string | null;
  senderId: string;
  receiverId: string;
}

/** One received document (X12 transaction set, EDIFACT message). */
export interface ReceivedDocument {
  /** Audit record id, the same whenever the same bytes are read again. */
  documentId: string;
  /** 850, 997, ORDERS, ... */
  type: string;
  version: string;
  /** GS06 (X12 only). */
  groupControlNumber: string | null;
  /** ST02 or UNH01. */
  controlNumber: string;
  raw: string;
  /** Why the document is rejected (envelope, syntax or business rules); empty when accepted. */
  problems: string[];
  /** What an accepted document says that the gateway acts on; null for others. */
  content: DocumentContent | null;
}

export type DocumentContent =
  | { kind: 'purchaseOrder'; po: PurchaseOrder }
  | { kind: 'acknowledgment'; ack: ReceivedAcknowledgment }
  /** A supplier's answers to our purchase orders (855, 856, 810), matched to the POs we sent. */
  | { kind: 'poAcknowledgment'; ack: SupplierAcknowledgment }
  | { kind: 'shipNotice'; notice: SupplierShipNotice }
  | { kind: 'supplierInvoice'; invoice: SupplierInvoice };

/** A partner's acknowledgment of one of our groups (an X12 997). */
export interface ReceivedAcknowledgment {
  /** The functional id of the group acknowledged (AK101), e.g. PR. */
  functionalId: string;
  /** Our GS06. */
  groupControlNumber: string;
  /** The verdict on the group (accepted, possibly with errors), for sets the acknowledgment does not list. */
  groupAccepted: boolean;
  sets: Array<{ controlNumber: string; accepted: boolean }>;
}
