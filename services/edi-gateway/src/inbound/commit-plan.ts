import { outgoingEvent, type OutgoingEvent } from '@odx/runtime';
import { receivedEvent } from '../events/edi-events.js';
import { mapPurchaseOrder } from '../mapping/map-purchase-order.js';
import { mapPoAcknowledgment, mapShipNotice, mapSupplierInvoice } from '../mapping/map-supplier-documents.js';
import type { ShipNoticeReceived, VendorBillReceived } from '../model/supplier-events.js';
import { partnerOrderOf } from '../model/purchase-order.js';
import type { PartnerProfile } from '../partners/partner-profile.js';
import type { EdiDocumentRecord } from '../store/document-store.js';
import type { EdiOrderFacts } from '../store/order-facts.js';
import { documentRecord, interchangeRecord, type ReceivedFile } from './audit-records.js';
import type { InboundResult } from './inbound-result.js';
import type {
  ParsedInterchange,
  ReceivedAcknowledgment,
  ReceivedDocument,
  ReceivedEnvelope,
  RejectedInterchange,
} from './parsed-interchange.js';
import type { SendReplyOptions } from './replies.js';

/** Everything one interchange leaves behind, decided before anything is written; commitInterchange writes it. */
export interface InterchangeCommit {
  /** Audit records, each with the events it produces (the record links them once they are published). */
  records: Array<{ record: EdiDocumentRecord; events: OutgoingEvent[] }>;
  /** The partner's view of each accepted purchase order. */
  orderFacts: EdiOrderFacts[];
  /** A supplier's 856s and 810s as published (model/supplier-events.ts), also kept in MongoDB. */
  supplierFacts: { partnerId: string; shipNotices: ShipNoticeReceived[]; vendorBills: VendorBillReceived[] };
  /** Received acknowledgments of our documents, with the id of the document that carried each. */
  acknowledgments: Array<{ partnerId: string; ack: ReceivedAcknowledgment; documentId: string }>;
  reply: Omit<SendReplyOptions, 'sender'> | null;
  /**
   * The control number claim to mark last (a rejection of the envelope holds none): done when any
   * document was accepted, else rejected, so that the partner may resend under the same number.
   */
  claim: { partnerId: string; key: string; attempt: number; sha256: string; outcome: 'accepted' | 'rejected' } | null;
  /** What is reported for the interchange; the acknowledgments are known once sent. */
  result: Omit<InboundResult, 'acknowledgments'>;
}

export interface PlanContext {
  file: ReceivedFile;
  company: string;
  topics: { orders: string; edi: string; purchasing: string };
}

/**
 * An interchange whose envelope passed and whose control number is ours: an
 * audit record for it and for each document, OrderReceived and the partner's
 * order facts for each accepted purchase order, PurchaseOrderAcknowledged for
 * each accepted supplier 855, the kept facts of supplier 856s and 810s,
 * EdiDocumentReceived for every
 * document, the acknowledgments it carries, and our reply.
 */
export function planAcceptedCommit(o: PlanContext & { interchange: ParsedInterchange; attempt?: number }): InterchangeCommit {
  const attempt = o.attempt ?? 1;
  const ic = attempt === 1 ? o.interchange : asAttempt(o.interchange, attempt);
  const { file } = o;
  const { partner } = ic.envelope;
  // A resend after a rejection is another attempt at the same control number: its records and reply get ids of their own.
  const suffix = attempt === 1 ? '' : `~${attempt}`;
  const replyId = ic.reply ? `out:${partner.id}:${ic.reply.type}:${ic.envelope.controlNumber}${suffix}` : null;
  const planned = ic.documents.map((document) => planDocument({ ...o, interchange: ic, document, partner, ackDocumentId: replyId }));
  const received = planned.map((p) => p.record);
  const accepted = received.filter((r) => r.status === 'accepted').length;
  const status = received.length > 0 && accepted === received.length ? 'accepted' : accepted === 0 ? 'rejected' : 'partially_accepted';
  const record = interchangeRecord({
    id: ic.id,
    envelope: ic.envelope,
    file,
    status: status === 'partially_accepted' ? 'accepted_with_errors' : status,
    errors: [],
    ackDocumentId: replyId,
  });
  return {
    records: [{ record, events: [] }, ...planned.map((p) => ({ record: p.record, events: p.events }))],
    orderFacts: planned.flatMap((p) => (p.facts ? [p.facts] : [])),
    supplierFacts: {
      partnerId: partner.id,
      shipNotices: planned.flatMap((p) => p.shipNotices),
      vendorBills: planned.flatMap((p) => p.vendorBills),
    },
    acknowledgments: planned.flatMap((p) => (p.acknowledgment ? [p.acknowledgment] : [])),
    reply:
      ic.reply && replyId
        ? { partner, documentId: replyId, reply: ic.reply, answers: ic.id, businessRef: controlRef(ic.envelope), at: file.receivedAt }
        : null,
    claim: {
      partnerId: partner.id,
      key: ic.claimKey,
      attempt,
      sha256: file.sha256,
      outcome: status === 'rejected' ? 'rejected' : 'accepted',
    },
    result: {
      status,
      partnerId: partner.id,
      interchangeControlNumber: ic.envelope.controlNumber,
      documents: received.map(summary),
      errors: received.flatMap((r) => r.errors),
    },
  };
}

/** The interchange with the ids of its n-th attempt (`in:<partner>:<ISA13>~<n>`, its documents under it). */
function asAttempt(ic: ParsedInterchange, attempt: number): ParsedInterchange {
  const id = `${ic.id}~${attempt}`;
  return {
    ...ic,
    id,
    documents: ic.documents.map((d) => ({
      ...d,
      documentId: d.documentId.startsWith(ic.id) ? id + d.documentId.slice(ic.id.length) : d.documentId,
    })),
  };
}

interface PlannedDocument {
  record: EdiDocumentRecord;
  events: OutgoingEvent[];
  facts: EdiOrderFacts | null;
  shipNotices: ShipNoticeReceived[];
  vendorBills: VendorBillReceived[];
  acknowledgment: InterchangeCommit['acknowledgments'][number] | null;
}

/** One document's record and events (OrderReceived first for a purchase order), and its order facts or acknowledgment. */
function planDocument(
  o: PlanContext & { interchange: ParsedInterchange; document: ReceivedDocument; partner: PartnerProfile; ackDocumentId: string | null },
): PlannedDocument {
  const { document, partner, file } = o;
  const content = document.content;
  const planned: Omit<PlannedDocument, 'record'> = { events: [], facts: null, acknowledgment: null, shipNotices: [], vendorBills: [] };
  const supplierContext = { profile: partner, documentId: document.documentId, company: o.company, receivedAt: file.receivedAt };
  let business: Pick<EdiDocumentRecord, 'businessObjectType' | 'businessObjectId' | 'businessRef'> = {
    businessObjectType: null,
    businessObjectId: null,
    businessRef: null,
  };
  if (content?.kind === 'purchaseOrder') {
    const order = mapPurchaseOrder(content.po, {
      profile: partner,
      documentId: document.documentId,
      company: o.company,
      receivedAt: file.receivedAt,
    });
    const orderId = order.order.orderId;
    business = { businessObjectType: 'order', businessObjectId: orderId, businessRef: content.po.poNumber };
    planned.events.push(outgoingEvent('OrderReceived', orderId, order, { topic: o.topics.orders }));
    planned.facts = {
      _id: orderId,
      partnerId: partner.id,
      documentId: document.documentId,
      createdAt: file.receivedAt,
      ...partnerOrderOf(content.po),
    };
  } else if (content?.kind === 'acknowledgment') {
    business = {
      businessObjectType: 'ack',
      businessObjectId: null,
      businessRef: `${content.ack.functionalId} ${content.ack.groupControlNumber}`,
    };
    planned.acknowledgment = { partnerId: partner.id, ack: content.ack, documentId: document.documentId };
  } else if (content?.kind === 'poAcknowledgment') {
    const ack = mapPoAcknowledgment(content.ack, supplierContext);
    business = { businessObjectType: 'purchase_order', businessObjectId: ack.purchaseOrderId, businessRef: ack.purchaseOrderName };
    planned.events.push(outgoingEvent('PurchaseOrderAcknowledged', ack.purchaseOrderId, ack, { topic: o.topics.purchasing }));
  } else if (content?.kind === 'shipNotice') {
    // The receipt to expect (GoodsReceived follows when the goods are in): one event per (ASN, PO), also kept.
    planned.shipNotices = mapShipNotice(content.notice, supplierContext);
    for (const n of planned.shipNotices)
      planned.events.push(outgoingEvent('ShipNoticeReceived', n.purchaseOrderId, n, { topic: o.topics.purchasing }));
    business = {
      businessObjectType: 'ship_notice',
      businessObjectId: planned.shipNotices[0]?.purchaseOrderId ?? null,
      businessRef: content.notice.asnNumber,
    };
  } else if (content?.kind === 'supplierInvoice') {
    // A draft vendor bill for the poller to create in Odoo (VendorBillPosted follows once it is posted), also kept.
    const bill = mapSupplierInvoice(content.invoice, supplierContext);
    planned.vendorBills = [bill];
    planned.events.push(outgoingEvent('VendorBillReceived', bill.purchaseOrderId, bill, { topic: o.topics.purchasing }));
    business = { businessObjectType: 'vendor_bill', businessObjectId: bill.purchaseOrderId, businessRef: content.invoice.invoiceNumber };
  }
  const record = documentRecord({
    document,
    envelope: o.interchange.envelope,
    interchangeId: o.interchange.id,
    file,
    ackDocumentId: o.ackDocumentId,
    business,
  });
  planned.events.push(
    receivedEvent(record, { company: o.company, topic: o.topics.edi, correlationId: record.businessObjectId ?? o.interchange.id }),
  );
  return { ...planned, record };
}

/**
 * An interchange refused whole: its audit record and EdiDocumentReceived, and
 * the reply when there is one. `idKey` names both: by content for a bad file
 * (processed again, it finds its first record and reply), by content and time
 * for a repeated control number (each repeat is its own event).
 */
export function planRejectedCommit(o: PlanContext & { rejected: RejectedInterchange; idKey: string }): InterchangeCommit {
  const { envelope, reply } = o.rejected;
  const { partner } = envelope;
  const id = `in:${partner?.id ?? 'unknown'}:rejected:${o.idKey}`;
  const replyId = partner && reply ? `out:${partner.id}:${reply.type}:${o.idKey}` : null;
  const record = interchangeRecord({ id, envelope, file: o.file, status: 'rejected', errors: o.rejected.problems, ackDocumentId: replyId });
  return {
    records: [{ record, events: [receivedEvent(record, { company: o.company, topic: o.topics.edi, correlationId: id })] }],
    orderFacts: [],
    supplierFacts: { partnerId: partner?.id ?? 'unknown', shipNotices: [], vendorBills: [] },
    acknowledgments: [],
    reply:
      partner && reply && replyId
        ? { partner, documentId: replyId, reply, answers: id, businessRef: controlRef(envelope), at: o.file.receivedAt }
        : null,
    claim: null,
    result: {
      status: 'rejected',
      partnerId: partner?.id ?? null,
      interchangeControlNumber: envelope.controlNumber,
      documents: [summary(record)],
      errors: record.errors,
    },
  };
}

/** How a reply's audit record names what it answers: `ISA13 000000701`, `UNB05 EF0001`. */
const controlRef = (e: ReceivedEnvelope): string => `${e.type === 'ISA' ? 'ISA13' : 'UNB05'} ${e.controlNumber ?? 'unreadable'}`;

const summary = (r: EdiDocumentRecord): InboundResult['documents'][number] => ({
  documentId: r._id,
  type: r.type,
  status: r.status,
  errors: r.errors,
});
