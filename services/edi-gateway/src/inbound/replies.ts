import { buildContrl, type ContrlInput } from '../edifact/build-contrl.js';
import type { DocumentSender } from '../outbound/document-sender.js';
import type { PartnerProfile } from '../partners/partner-profile.js';
import type { EdiDocumentRecord } from '../store/document-store.js';
import type { SetBody } from '../x12/build-interchange.js';

/** What the gateway answers a received interchange with; the reader of each standard decides which. */
export type Reply =
  /** One 997 set per functional group answered. */
  | { type: '997'; sets: SetBody[] }
  /** An X12 interchange rejected at the envelope; `isa` null when its ISA was unreadable. */
  | { type: 'TA1'; isa: { controlNumber: string; date: string; time: string } | null; noteCode: string }
  /** An EDIFACT syntax and service report (our UNB reference is allocated when it is sent). */
  | { type: 'CONTRL'; report: Omit<ContrlInput, 'ourRef'> };

export interface SendReplyOptions {
  sender: DocumentSender;
  partner: PartnerProfile;
  /** Deterministic (`out:<partner>:<type>:<key>`), so a resumed attempt finds the reply it sent and does not send it twice. */
  documentId: string;
  reply: Reply;
  /** Id of the audit record answered (also the correlation id). */
  answers: string;
  /** How the audit record names what is answered, e.g. `ISA13 000000701`. */
  businessRef: string;
  at: Date;
}

/** Builds, records, delivers and announces a reply through the document sender. */
export function sendReply(o: SendReplyOptions): Promise<EdiDocumentRecord> {
  const req = {
    profile: o.partner,
    documentId: o.documentId,
    businessObjectType: 'ack',
    businessObjectId: null,
    businessRef: o.businessRef,
    inResponseTo: o.answers,
    source: null,
    correlationId: o.answers,
    causationId: null,
    expectAck: false,
  };
  const r = o.reply;
  switch (r.type) {
    case '997':
      return o.sender.sendSets(req, r.sets, o.at);
    case 'TA1': {
      // An unreadable ISA is answered with zeros and the time we read it.
      const answered = r.isa ?? {
        controlNumber: '000000000',
        date: o.at.toISOString().slice(2, 10).replace(/-/g, ''),
        time: o.at.toISOString().slice(11, 16).replace(':', ''),
      };
      return o.sender.sendTa1(req, answered, r.noteCode, o.at);
    }
    case 'CONTRL':
      return o.sender.sendContrl(req, (ourRef) => buildContrl(o.partner, { ...r.report, ourRef }, o.at), o.at);
  }
}
