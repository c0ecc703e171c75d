import { readEdifactOrdersSteps } from '../edifact/read-orders.js';
import { DEFAULT_CONTENT_LIMITS, type ContentLimits } from '../model/content-limits.js';
import { runNow, type Stepwise } from '../model/stepwise.js';
import type { PartnerDirectory } from '../partners/partner-profile.js';
import type { InboundReading, ReceivedDocument, ReceivedEnvelope } from './parsed-interchange.js';
import type { Reply } from './replies.js';

export interface ParseEdifactOptions {
  partners: PartnerDirectory;
  /** The partner the transport says sent the file (folder or URL); UNB02 must agree. */
  expectedPartnerId?: string | null;
  /** Caps on segments, messages and lines. @default DEFAULT_CONTENT_LIMITS */
  limits?: ContentLimits;
}

/**
 * An EDIFACT interchange of ORDERS messages in the neutral form (read by
 * readEdifactOrders), answered with a CONTRL: UCI 7 when any message is
 * accepted, a UCM verdict per message; a refused envelope gets a rejecting
 * CONTRL when it names a known partner and its reference.
 */
export function parseEdifactInterchange(bytes: Buffer, o: ParseEdifactOptions): InboundReading {
  return runNow(parseEdifactInterchangeSteps(bytes, o));
}

/** parseEdifactInterchange with checkpoints (model/stepwise.ts). */
export function* parseEdifactInterchangeSteps(bytes: Buffer, o: ParseEdifactOptions): Stepwise<InboundReading> {
  const r = yield* readEdifactOrdersSteps(bytes, o.partners, o.expectedPartnerId ?? null, o.limits ?? DEFAULT_CONTENT_LIMITS);
  const envelope: ReceivedEnvelope = {
    standard: 'EDIFACT',
    type: 'UNB',
    version: 'D',
    partner: r.partner,
    controlNumber: r.controlRef,
    senderId: r.sender ?? '',
    receiverId: r.recipient ?? '',
  };
  const rejecting = (theirRef: string | null): Reply | null =>
    r.partner?.edifact && theirRef && r.sender
      ? { type: 'CONTRL', report: { theirRef, theirSender: r.sender, theirRecipient: r.recipient ?? '', accepted: false, messages: [] } }
      : null;
  if (!r.ok) return { ok: false, rejected: { envelope, problems: r.problems, reply: rejecting(r.controlRef) } };

  const { partner, controlRef } = r;
  const id = `in:${partner.id}:UNB:${controlRef}`;
  const documents = r.messages.map((m): ReceivedDocument => ({
    documentId: `${id}:${m.reference}`,
    type: 'ORDERS',
    version: m.type.split(':').slice(1, 3).join(':') || 'unknown',
    groupControlNumber: null,
    controlNumber: m.reference,
    raw: m.text,
    problems: m.errors,
    content: m.errors.length === 0 && m.po ? { kind: 'purchaseOrder', po: m.po } : null,
  }));
  const verdicts = r.messages.map((m, i) => ({ reference: m.reference, type: m.type, accepted: documents[i]!.problems.length === 0 }));
  return {
    ok: true,
    interchange: {
      envelope: { ...envelope, partner, controlNumber: controlRef },
      id,
      claimKey: `UNB:${controlRef}`,
      documents,
      reply: {
        type: 'CONTRL',
        report: {
          theirRef: controlRef,
          theirSender: r.sender,
          theirRecipient: r.recipient,
          accepted: verdicts.some((v) => v.accepted),
          messages: verdicts,
        },
      },
      repeat: {
        problem: `interchange control reference ${controlRef} was received from ${partner.id} before`,
        reply: rejecting(controlRef),
      },
    },
  };
}
