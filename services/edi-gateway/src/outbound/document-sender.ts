import { createHash } from 'node:crypto';
import type { PartnerProfile } from '../partners/partner-profile.js';
import type { BatchingPublisher, PublishedEvent } from '@odx/runtime';
import { sentEvent } from '../events/edi-events.js';
import type { ControlNumberAllocator } from '../store/control-numbers.js';
import type { DocumentStore, EdiDocumentRecord } from '../store/document-store.js';
import { buildEdifactInterchange, type EdifactBody } from '../edifact/build-interchange.js';
import type { EdiMetrics } from '../telemetry/edi-metrics.js';
import type { Delivery } from '../transport/delivery.js';
import { buildInterchange, buildTa1Interchange, st02, type SetBody } from '../x12/build-interchange.js';

export interface SenderDeps {
  documents: DocumentStore;
  controls: ControlNumberAllocator;
  delivery: Delivery;
  publisher: BatchingPublisher;
  company: string;
  ediTopic: string;
  metrics?: EdiMetrics;
}

export interface SendRequest {
  profile: PartnerProfile;
  /** Deterministic: the same request after a crash finds the document built before and sends those same bytes. */
  documentId: string;
  businessObjectType: string | null;
  businessObjectId: string | null;
  businessRef: string | null;
  inResponseTo: string | null;
  /** The event the document was built from. */
  source: PublishedEvent | null;
  correlationId: string;
  causationId: string | null;
  /** The partner owes a 997 for it (not for 997s and TA1s). */
  expectAck: boolean;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * Builds (once), records, delivers and announces an outbound document:
 * control numbers are allocated and the bytes stored as `built` before anything
 * leaves, so a retry after a crash resends the same interchange; then the file
 * is delivered, EdiDocumentSent published and the record marked `sent`.
 */
export class DocumentSender {
  constructor(private readonly deps: SenderDeps) {}

  /**
   * Sets in one interchange. The record is inserted first (no lookup on the
   * common path); only when its id exists already (a redelivered event) is the
   * earlier document read, and resent as it was if it never left. Numbers
   * allocated for such a repeat are skipped, never reused.
   */
  async sendSets(req: SendRequest, bodies: SetBody[], at = new Date()): Promise<EdiDocumentRecord> {
    const control = await this.deps.controls.forInterchange(req.profile.id, bodies.length);
    const raw = buildInterchange(req.profile, control, bodies, at);
    const rec = this.record(
      req,
      bodies[0]!.code,
      raw,
      String(control.interchange).padStart(9, '0'),
      String(control.group),
      st02(control.sets[0]!),
      at,
    );
    return this.insertThenDeliver(req, rec);
  }

  /** A TA1 answering an interchange rejected at the envelope. */
  async sendTa1(
    req: SendRequest,
    answered: { controlNumber: string; date: string; time: string },
    noteCode: string,
    at = new Date(),
  ): Promise<EdiDocumentRecord> {
    const isa13 = await this.deps.controls.next(req.profile.id, 'isa');
    const raw = buildTa1Interchange(req.profile, isa13, answered, false, noteCode, at);
    return this.insertThenDeliver(req, this.record(req, 'TA1', raw, String(isa13).padStart(9, '0'), null, null, at));
  }

  /** An EDIFACT message (DESADV, INVOIC) in its own interchange. */
  async sendEdifact(req: SendRequest, body: EdifactBody, at = new Date()): Promise<EdiDocumentRecord> {
    const ref = await this.deps.controls.next(req.profile.id, 'unb');
    const raw = buildEdifactInterchange(req.profile, ref, body, at);
    const rec = {
      ...this.record(req, body.type, raw, String(ref), null, '1', at),
      standard: 'EDIFACT' as const,
      version: 'D:96A',
      senderId: req.profile.edifact?.ourId ?? '',
      receiverId: req.profile.edifact?.partnerId ?? '',
    };
    return this.insertThenDeliver(req, { ...rec, fileName: `${body.type}-${req.profile.id}-${ref}.edi` });
  }

  /** An EDIFACT CONTRL answering an interchange (UNB reference from the partner's `unb` sequence). */
  async sendContrl(req: SendRequest, build: (ourRef: number) => string, at = new Date()): Promise<EdiDocumentRecord> {
    const ref = await this.deps.controls.next(req.profile.id, 'unb');
    const rec = {
      ...this.record(req, 'CONTRL', build(ref), String(ref), null, null, at),
      standard: 'EDIFACT' as const,
      version: 'D:3',
      senderId: req.profile.edifact?.ourId ?? '',
      receiverId: req.profile.edifact?.partnerId ?? '',
    };
    return this.insertThenDeliver(req, { ...rec, fileName: `CONTRL-${req.profile.id}-${ref}.edi` });
  }

  private async insertThenDeliver(req: SendRequest, rec: EdiDocumentRecord): Promise<EdiDocumentRecord> {
    if (await this.deps.documents.insert(rec)) return this.deliver(req, rec);
    const earlier = await this.deps.documents.get(rec._id);
    if (!earlier) throw new Error(`document ${rec._id} exists and cannot be read`);
    return earlier.status === 'built' ? this.deliver(req, earlier) : earlier;
  }

  private record(
    req: SendRequest,
    type: string,
    raw: string,
    isa13: string,
    gs06: string | null,
    st: string | null,
    at: Date,
  ): EdiDocumentRecord {
    const p = req.profile;
    return {
      _id: req.documentId,
      partnerId: p.id,
      direction: 'out',
      standard: 'X12',
      version: p.version,
      type,
      status: 'built',
      errors: [],
      senderId: p.isa.ourId,
      receiverId: p.isa.partnerId,
      interchangeControlNumber: isa13,
      groupControlNumber: gs06,
      transactionControlNumber: st,
      businessObjectType: req.businessObjectType,
      businessObjectId: req.businessObjectId,
      businessRef: req.businessRef,
      fileName: `${type}-${p.id}-${isa13}.x12`,
      transport: '',
      raw,
      sha256: sha256(raw),
      sizeBytes: Buffer.byteLength(raw),
      links: req.source ? [{ ...req.source, role: 'source' }] : [],
      inResponseTo: req.inResponseTo,
      ackDocumentId: null,
      ackDueAt: null,
      createdAt: at,
      updatedAt: at,
    };
  }

  private async deliver(req: SendRequest, rec: EdiDocumentRecord): Promise<EdiDocumentRecord> {
    const transport = await this.deps.delivery.deliver(req.profile, rec.fileName!, rec.raw);
    const sent = { ...rec, transport, status: 'sent' as const };
    const [link] = await this.deps.publisher.publishAll([
      sentEvent(
        sent,
        { company: this.deps.company, topic: this.deps.ediTopic, correlationId: req.correlationId, causationId: req.causationId },
        transport,
      ),
    ]);
    const ackDueAt = req.expectAck ? new Date(Date.now() + req.profile.acknowledgments.windowMinutes * 60_000) : null;
    const links = link ? [{ ...link, role: 'produced' as const }] : [];
    await this.deps.documents.setStatus(rec._id, 'sent', { transport, ackDueAt, links });
    this.deps.metrics?.documents.inc({ partner: rec.partnerId, direction: 'out', type: rec.type, status: 'sent' });
    return { ...sent, ackDueAt, links: [...rec.links, ...links] };
  }
}
