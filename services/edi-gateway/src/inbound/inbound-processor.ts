import { createHash } from 'node:crypto';
import type { BatchingPublisher, Logger, OutgoingEvent, PublishedEvent } from '@odx/runtime';
import { receivedEvent } from '../events/edi-events.js';
import { map850ToOrderReceived } from '../mapping/map-purchase-order.js';
import type { DocumentSender } from '../outbound/document-sender.js';
import type { PartnerDirectory, PartnerProfile } from '../partners/partner-profile.js';
import type { DocumentStore, EdiDocumentRecord } from '../store/document-store.js';
import type { OrderFactsStore } from '../store/order-facts.js';
import type { SeenInterchanges } from '../store/seen-interchanges.js';
import { build997, groupStatus, type SetOutcome } from '../x12/build-997.js';
import type { SetBody } from '../x12/build-interchange.js';
import { readInterchange, type IsaFacts, type Problem } from '../x12/read-interchange.js';
import { describeSegmentError } from '../x12/segment-error.js';
import { TA1 } from '../x12/x12-codes.js';
import { validate850 } from '../x12/validate-850.js';
import { validate997, type ReceivedAck } from '../x12/validate-997.js';
import { looksLikeEdifact, readEdifactOrders } from '../edifact/read-orders.js';
import { buildContrl, type ContrlInput } from '../edifact/build-contrl.js';
import type { EdiMetrics } from '../telemetry/edi-metrics.js';

export interface InboundSource {
  transport: 'folder' | 'http';
  fileName: string | null;
  /** The partner whose folder or URL the document came through. */
  expectedPartnerId: string | null;
  /** The document's real size when only its head was read (files over the size limit). */
  declaredSize?: number;
}

export interface InboundResult {
  /** accepted: every set; partially_accepted: some; rejected: none (or the envelope); duplicate: ISA13 seen before. */
  status: 'accepted' | 'partially_accepted' | 'rejected' | 'duplicate';
  partnerId: string | null;
  interchangeControlNumber: string | null;
  documents: Array<{ documentId: string; type: string; status: string; errors: string[] }>;
  /** Acknowledgments sent back (997 or TA1). */
  acknowledgments: Array<{ documentId: string; type: string }>;
  errors: string[];
}

export interface InboundDeps {
  partners: PartnerDirectory;
  documents: DocumentStore;
  seen: SeenInterchanges;
  orderFacts: OrderFactsStore;
  sender: DocumentSender;
  publisher: BatchingPublisher;
  logger: Logger;
  company: string;
  topics: { orders: string; edi: string };
  maxBytes: number;
  metrics?: EdiMetrics;
}

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
/** Raw text kept for a rejected document that is too large to keep whole. */
const MAX_RAW_KEPT = 256 * 1024;

/**
 * One inbound interchange, whatever the transport: envelope and segment
 * validation, a 997 per group (or a TA1 for envelope errors), OrderReceived
 * for each accepted 850, EdiDocumentReceived for every set (and for a rejected
 * interchange), acknowledgments of our own documents from received 997s, and
 * an audit record of each document with the events it produced. EDIFACT
 * interchanges (UNA/UNB) take the ORDERS path, answered with a CONTRL.
 */
export class InboundProcessor {
  constructor(private readonly deps: InboundDeps) {}

  async process(bytes: Buffer, source: InboundSource, receivedAt = new Date()): Promise<InboundResult> {
    const result = await this.processOnce(bytes, source, receivedAt);
    for (const doc of result.documents) this.deps.metrics?.documents.inc({ partner: result.partnerId ?? 'unknown', direction: 'in', type: doc.type, status: doc.status });
    return result;
  }

  private async processOnce(bytes: Buffer, source: InboundSource, receivedAt: Date): Promise<InboundResult> {
    const d = this.deps;
    const size = Math.max(bytes.length, source.declaredSize ?? 0);
    if (size <= d.maxBytes && looksLikeEdifact(bytes)) return this.processEdifact(bytes, source, receivedAt);
    const reading = readInterchange(bytes, d.partners, { expectedPartnerId: source.expectedPartnerId, maxBytes: d.maxBytes, ...(source.declaredSize !== undefined ? { declaredSize: source.declaredSize } : {}) });
    const fileSha = sha256(bytes);
    if (!reading.ok) return this.rejectEnvelope(bytes, fileSha, fileSha.slice(0, 32), source, reading.partner, reading.isa, reading.ta1Code, reading.problems, receivedAt);

    const { isa, partner } = reading;
    const claim = await d.seen.claim(partner.id, isa.controlNumber, fileSha);
    if (claim === 'duplicate') {
      const r = await this.rejectEnvelope(bytes, fileSha, `${fileSha.slice(0, 16)}-${receivedAt.getTime()}`, source, partner, isa, TA1.duplicate, [{ code: TA1.duplicate, message: `interchange control number ${isa.controlNumber} was received from ${partner.id} before` }], receivedAt);
      return { ...r, status: 'duplicate' };
    }

    const interchangeId = `in:${partner.id}:${isa.controlNumber}`;
    const ackId = `out:${partner.id}:997:${isa.controlNumber}`;
    const events: OutgoingEvent[] = [];
    const records: EdiDocumentRecord[] = [];
    const eventOwner: number[] = []; // index into records of each event's document
    const acceptedOrders: Array<{ rec: EdiDocumentRecord; facts: Parameters<OrderFactsStore['remember']>[0] }> = [];
    const receivedAcks: Array<{ ack: ReceivedAck; documentId: string }> = [];
    const ackBodies: SetBody[] = [];
    let accepted = 0;
    let total = 0;

    for (const g of reading.groups) {
      const outcomes: SetOutcome[] = [];
      for (const s of g.sets) {
        total++;
        const v850 = s.problems.length === 0 && s.code === '850' ? validate850(s.transaction, partner) : null;
        const v997 = s.problems.length === 0 && s.code === '997' ? validate997(s.transaction) : null;
        const segmentErrors = v850?.errors ?? v997?.errors ?? [];
        const outcome: SetOutcome = { code: s.code, controlNumber: s.controlNumber, setCodes: s.problems.map((p) => p.code), segmentErrors };
        outcomes.push(outcome);
        const ok = g.problems.length === 0 && s.problems.length === 0 && segmentErrors.length === 0;
        const errors = [...g.problems.map((p) => `group ${g.controlNumber}: ${p.message}`), ...s.problems.map((p) => p.message), ...segmentErrors.map(describeSegmentError)];
        const raw = s.transaction.toString();
        const rec: EdiDocumentRecord = {
          _id: `in:${partner.id}:${isa.controlNumber}:${g.controlNumber}:${s.controlNumber}`,
          partnerId: partner.id, direction: 'in', standard: 'X12', version: g.version || partner.version, type: s.code || 'unknown',
          status: ok ? 'accepted' : 'rejected', errors, senderId: isa.senderId.trim(), receiverId: isa.receiverId.trim(),
          interchangeControlNumber: isa.controlNumber, groupControlNumber: g.controlNumber, transactionControlNumber: s.controlNumber,
          businessObjectType: null, businessObjectId: null, businessRef: null, fileName: source.fileName, transport: source.transport,
          raw, sha256: sha256(raw), sizeBytes: Buffer.byteLength(raw), links: [], inResponseTo: interchangeId,
          ackDocumentId: partner.acknowledgments.send997 ? ackId : null, ackDueAt: null, createdAt: receivedAt, updatedAt: receivedAt,
        };
        if (ok) accepted++;
        if (ok && v850?.po) {
          const po = v850.po;
          const order = map850ToOrderReceived(po, { profile: partner, documentId: rec._id, company: d.company, receivedAt });
          rec.businessObjectType = 'order';
          rec.businessObjectId = order.order.orderId;
          rec.businessRef = po.poNumber;
          events.push({ eventType: 'OrderReceived', key: order.order.orderId, topic: d.topics.orders, payload: order });
          eventOwner.push(records.length);
          acceptedOrders.push({
            rec,
            facts: {
              _id: order.order.orderId, partnerId: partner.id, poNumber: po.poNumber, poDate: po.poDate, documentId: rec._id, createdAt: receivedAt,
              lines: po.lines.map((l) => ({ lineNumber: l.lineNumber, buyerLineId: l.buyerLineId, sku: l.sku, quantity: l.quantity, partnerUom: l.partnerUom, unitPrice: l.unitPrice, productIds: l.productIds })),
            },
          });
        }
        if (ok && v997?.ack) {
          const ack = v997.ack;
          {
            receivedAcks.push({ ack, documentId: rec._id });
            rec.businessObjectType = 'ack';
            rec.businessRef = `${ack.functionalId} ${ack.groupControlNumber}`;
          }
        }
        records.push(rec);
        events.push(receivedEvent(rec, { company: d.company, topic: d.topics.edi, correlationId: rec.businessObjectId ?? interchangeId }));
        eventOwner.push(records.length - 1);
      }
      if (g.functionalId !== 'FA') ackBodies.push(build997(g, outcomes, partner.version));
      else if (groupStatus(g.problems.length, outcomes) !== 'A') ackBodies.push(build997(g, outcomes, partner.version)); // 997s are not acknowledged unless in error
    }

    const status: InboundResult['status'] = accepted === total ? 'accepted' : accepted === 0 ? 'rejected' : 'partially_accepted';
    const interchangeRec = this.interchangeRecord(interchangeId, partner, isa, bytes, fileSha, source, status === 'partially_accepted' ? 'accepted_with_errors' : status, [], receivedAt);
    interchangeRec.ackDocumentId = partner.acknowledgments.send997 && ackBodies.length > 0 ? ackId : null;
    await d.documents.insert(interchangeRec);

    // Events first (deterministic ids, so a resumed attempt republishes the same ones), then the records with their links.
    const links = await d.publisher.publishAll(events);
    links.forEach((link, i) => records[eventOwner[i]!]!.links.push({ ...link, role: 'produced' }));
    // A resumed attempt finds its records from before; the events it republished carry the same ids.
    for (const rec of records) await d.documents.insert(rec);
    for (const o of acceptedOrders) await d.orderFacts.remember(o.facts);
    for (const a of receivedAcks) await this.applyAck(partner, a.ack, a.documentId);

    const acknowledgments: InboundResult['acknowledgments'] = [];
    if (partner.acknowledgments.send997 && ackBodies.length > 0) {
      const sent = await d.sender.sendSets({
        profile: partner, documentId: ackId, businessObjectType: 'ack', businessObjectId: null, businessRef: `ISA13 ${isa.controlNumber}`,
        inResponseTo: interchangeId, source: null, correlationId: interchangeId, causationId: null, expectAck: false,
      }, ackBodies, receivedAt);
      acknowledgments.push({ documentId: sent._id, type: '997' });
    }
    await d.seen.done(partner.id, isa.controlNumber, fileSha);
    d.logger.info('EDI interchange processed', { partner: partner.id, isa13: isa.controlNumber, status, sets: total, accepted });
    return {
      status, partnerId: partner.id, interchangeControlNumber: isa.controlNumber,
      documents: records.map((r) => ({ documentId: r._id, type: r.type, status: r.status, errors: r.errors })), acknowledgments,
      errors: records.flatMap((r) => r.errors),
    };
  }

  /**
   * An EDIFACT interchange of ORDERS messages: the same events and audit as an
   * 850 (OrderReceived per accepted message, EdiDocumentReceived per message,
   * UNB05 deduplicated per partner). No CONTRL is sent back yet.
   */
  private async processEdifact(bytes: Buffer, source: InboundSource, receivedAt: Date): Promise<InboundResult> {
    const d = this.deps;
    const fileSha = sha256(bytes);
    const r = readEdifactOrders(bytes, d.partners, source.expectedPartnerId);
    const reject = async (partner: PartnerProfile | null, controlRef: string | null, errors: string[], idKey: string): Promise<InboundResult> => {
      const id = `in:${partner?.id ?? 'unknown'}:rejected:${idKey}`;
      const rec = this.interchangeRecord(id, partner, null, bytes, fileSha, source, 'rejected', errors, receivedAt, 'EDIFACT');
      rec.interchangeControlNumber = controlRef ?? '';
      const [link] = await d.publisher.publishAll([receivedEvent(rec, { company: d.company, topic: d.topics.edi, correlationId: id })]);
      if (link) rec.links.push({ ...link, role: 'produced' });
      await d.documents.insert(rec);
      const acknowledgments: InboundResult['acknowledgments'] = [];
      if (partner?.edifact && controlRef && r.sender) {
        const sent = await this.sendContrl(partner, `out:${partner.id}:CONTRL:${idKey}`, id, { theirRef: controlRef, theirSender: r.sender, theirRecipient: r.recipient ?? '', accepted: false, messages: [] }, receivedAt);
        acknowledgments.push({ documentId: sent, type: 'CONTRL' });
      }
      d.logger.warn('EDIFACT interchange rejected', { partner: partner?.id ?? 'unknown', file: source.fileName, errors });
      return { status: 'rejected', partnerId: partner?.id ?? null, interchangeControlNumber: controlRef, documents: [{ documentId: id, type: 'UNB', status: 'rejected', errors }], acknowledgments, errors };
    };
    if (!r.ok) return reject(r.partner, r.controlRef, r.problems, fileSha.slice(0, 32));
    const { partner } = r;
    const claim = await d.seen.claim(partner.id, `UNB:${r.controlRef}`, fileSha);
    if (claim === 'duplicate') {
      const res = await reject(partner, r.controlRef, [`interchange control reference ${r.controlRef} was received from ${partner.id} before`], `${fileSha.slice(0, 16)}-${receivedAt.getTime()}`);
      return { ...res, status: 'duplicate' };
    }
    const interchangeId = `in:${partner.id}:UNB:${r.controlRef}`;
    const events: OutgoingEvent[] = [];
    const owners: number[] = [];
    const records: EdiDocumentRecord[] = [];
    for (const m of r.messages) {
      const ok = m.errors.length === 0 && m.po !== null;
      const rec: EdiDocumentRecord = {
        _id: `${interchangeId}:${m.reference}`, partnerId: partner.id, direction: 'in', standard: 'EDIFACT', version: m.type.split(':').slice(1, 3).join(':') || 'unknown',
        type: 'ORDERS', status: ok ? 'accepted' : 'rejected', errors: m.errors, senderId: r.sender, receiverId: r.recipient, interchangeControlNumber: r.controlRef,
        groupControlNumber: null, transactionControlNumber: m.reference, businessObjectType: null, businessObjectId: null, businessRef: null,
        fileName: source.fileName, transport: source.transport, raw: m.text, sha256: sha256(m.text), sizeBytes: Buffer.byteLength(m.text), links: [],
        inResponseTo: interchangeId, ackDocumentId: null, ackDueAt: null, createdAt: receivedAt, updatedAt: receivedAt,
      };
      if (ok) {
        const order = map850ToOrderReceived(m.po!, { profile: partner, documentId: rec._id, company: d.company, receivedAt });
        rec.businessObjectType = 'order';
        rec.businessObjectId = order.order.orderId;
        rec.businessRef = m.po!.poNumber;
        events.push({ eventType: 'OrderReceived', key: order.order.orderId, topic: d.topics.orders, payload: order });
        owners.push(records.length);
        await d.orderFacts.remember({
          _id: order.order.orderId, partnerId: partner.id, poNumber: m.po!.poNumber, poDate: m.po!.poDate, documentId: rec._id, createdAt: receivedAt,
          lines: m.po!.lines.map((l) => ({ lineNumber: l.lineNumber, buyerLineId: l.buyerLineId, sku: l.sku, quantity: l.quantity, partnerUom: l.partnerUom, unitPrice: l.unitPrice, productIds: l.productIds })),
        });
      }
      records.push(rec);
      events.push(receivedEvent(rec, { company: d.company, topic: d.topics.edi, correlationId: rec.businessObjectId ?? interchangeId }));
      owners.push(records.length - 1);
    }
    const accepted = records.filter((x) => x.status === 'accepted').length;
    const status: InboundResult['status'] = accepted === records.length && records.length > 0 ? 'accepted' : accepted === 0 ? 'rejected' : 'partially_accepted';
    const ic = this.interchangeRecord(interchangeId, partner, null, bytes, fileSha, source, status === 'partially_accepted' ? 'accepted_with_errors' : status, [], receivedAt, 'EDIFACT');
    ic.interchangeControlNumber = r.controlRef;
    ic.senderId = r.sender;
    ic.receiverId = r.recipient;
    await d.documents.insert(ic);
    const links = await d.publisher.publishAll(events);
    links.forEach((link, i) => records[owners[i]!]!.links.push({ ...link, role: 'produced' }));
    for (const rec of records) await d.documents.insert(rec);
    const contrl = await this.sendContrl(partner, `out:${partner.id}:CONTRL:${r.controlRef}`, interchangeId, {
      theirRef: r.controlRef, theirSender: r.sender, theirRecipient: r.recipient, accepted: status !== 'rejected',
      messages: r.messages.map((m, i) => ({ reference: m.reference, type: m.type, accepted: records[i]!.status === 'accepted' })),
    }, receivedAt);
    await d.seen.done(partner.id, `UNB:${r.controlRef}`, fileSha);
    d.logger.info('EDIFACT interchange processed', { partner: partner.id, unb05: r.controlRef, status, messages: records.length, accepted });
    return {
      status, partnerId: partner.id, interchangeControlNumber: r.controlRef, acknowledgments: [{ documentId: contrl, type: 'CONTRL' }],
      documents: records.map((x) => ({ documentId: x._id, type: x.type, status: x.status, errors: x.errors })), errors: records.flatMap((x) => x.errors),
    };
  }

  private async sendContrl(partner: PartnerProfile, documentId: string, answered: string, c: Omit<ContrlInput, 'ourRef'>, at: Date): Promise<string> {
    const sent = await this.deps.sender.sendContrl({
      profile: partner, documentId, businessObjectType: 'ack', businessObjectId: null, businessRef: `UNB05 ${c.theirRef}`,
      inResponseTo: answered, source: null, correlationId: answered, causationId: null, expectAck: false,
    }, (ourRef) => buildContrl(partner, { ...c, ourRef }, at), at);
    return sent._id;
  }

  /** A received 997 marks our documents of that group acknowledged (or rejected by the partner). */
  private async applyAck(partner: PartnerProfile, ack: ReceivedAck, ackDocumentId: string): Promise<void> {
    const ours = await this.deps.documents.sentInGroup(partner.id, ack.groupControlNumber);
    for (const doc of ours) {
      const set = ack.sets.find((s) => s.controlNumber === doc.transactionControlNumber);
      const accepted = set ? set.status === 'A' || set.status === 'E' : ack.groupStatus === 'A' || ack.groupStatus === 'E';
      await this.deps.documents.setStatus(doc._id, accepted ? 'acknowledged' : 'ack_rejected', { ackDocumentId });
    }
    if (ours.length === 0) this.deps.logger.warn('997 for a group we did not send', { partner: partner.id, gs06: ack.groupControlNumber });
  }

  private interchangeRecord(id: string, partner: PartnerProfile | null, isa: IsaFacts | null, bytes: Buffer, fileSha: string, source: InboundSource, status: EdiDocumentRecord['status'], errors: string[], at: Date, standard: EdiDocumentRecord['standard'] = 'X12'): EdiDocumentRecord {
    const raw = bytes.length > MAX_RAW_KEPT ? bytes.subarray(0, MAX_RAW_KEPT).toString('utf8') : bytes.toString('utf8');
    return {
      _id: id, partnerId: partner?.id ?? 'unknown', direction: 'in', standard, version: standard === 'X12' ? (partner?.version ?? 'unknown') : 'D', type: standard === 'X12' ? 'ISA' : 'UNB', status, errors,
      senderId: isa?.senderId.trim() ?? '', receiverId: isa?.receiverId.trim() ?? '', interchangeControlNumber: isa?.controlNumber ?? '',
      groupControlNumber: null, transactionControlNumber: null, businessObjectType: null, businessObjectId: null, businessRef: null,
      fileName: source.fileName, transport: source.transport, raw, sha256: fileSha, sizeBytes: Math.max(bytes.length, source.declaredSize ?? 0), links: [], inResponseTo: null,
      ackDocumentId: null, ackDueAt: null, createdAt: at, updatedAt: at,
    };
  }

  private async rejectEnvelope(bytes: Buffer, fileSha: string, idKey: string, source: InboundSource, partner: PartnerProfile | null, isa: IsaFacts | null, ta1Code: string | null, problems: Problem[], at: Date): Promise<InboundResult> {
    const d = this.deps;
    const partnerId = partner?.id ?? 'unknown';
    // Named by content: the same bad file processed again (a resumed claim) finds its first record and TA1.
    const id = `in:${partnerId}:rejected:${idKey}`;
    const rec = this.interchangeRecord(id, partner, isa, bytes, fileSha, source, 'rejected', problems.map((p) => p.message), at);
    const ta1Id = `out:${partnerId}:TA1:${idKey}`;
    const canAnswer = partner !== null && ta1Code !== null;
    rec.ackDocumentId = canAnswer ? ta1Id : null;
    const [link] = await d.publisher.publishAll([receivedEvent(rec, { company: d.company, topic: d.topics.edi, correlationId: id })]);
    if (link) rec.links.push({ ...link, role: 'produced' });
    await d.documents.insert(rec);
    const acknowledgments: InboundResult['acknowledgments'] = [];
    if (canAnswer) {
      const sent = await d.sender.sendTa1({
        profile: partner, documentId: ta1Id, businessObjectType: 'ack', businessObjectId: null, businessRef: `ISA13 ${isa?.controlNumber ?? 'unreadable'}`,
        inResponseTo: id, source: null, correlationId: id, causationId: null, expectAck: false,
      }, { controlNumber: isa?.controlNumber ?? '000000000', date: isa?.date ?? at.toISOString().slice(2, 10).replace(/-/g, ''), time: isa?.time ?? at.toISOString().slice(11, 16).replace(':', '') }, ta1Code, at);
      acknowledgments.push({ documentId: sent._id, type: 'TA1' });
    }
    d.logger.warn('EDI interchange rejected', { partner: partnerId, file: source.fileName, errors: rec.errors });
    return { status: 'rejected', partnerId: partner?.id ?? null, interchangeControlNumber: isa?.controlNumber ?? null, documents: [{ documentId: id, type: 'ISA', status: 'rejected', errors: rec.errors }], acknowledgments, errors: rec.errors };
  }
}
