import { runNow, type Stepwise } from '../model/stepwise.js';
import type { PurchaseOrderFacts, PurchaseOrderLookup } from '../model/supplier-documents.js';
import type { PartnerDirectory, PartnerProfile } from '../partners/partner-profile.js';
import { build997, groupStatus, type SetOutcome } from '../x12/build-997.js';
import type { SetBody } from '../x12/build-interchange.js';
import { readInterchangeSteps, type GroupReading, type IsaFacts, type ReadOptions, type SetReading } from '../x12/read-interchange.js';
import { describeSegmentError, type SegmentError } from '../x12/segment-error.js';
import { validate810 } from '../x12/validate-810.js';
import { validate850 } from '../x12/validate-850.js';
import { validate855 } from '../x12/validate-855.js';
import { validate856 } from '../x12/validate-856.js';
import { validate997, type ReceivedAck } from '../x12/validate-997.js';
import { TA1 } from '../x12/x12-codes.js';
import type { DocumentContent, InboundReading, ReceivedAcknowledgment, ReceivedDocument, ReceivedEnvelope } from './parsed-interchange.js';

export interface ParseX12Options extends ReadOptions {
  partners: PartnerDirectory;
  /**
   * The POs sent to a supplier, by partner and PO name, for its 855, 856 and 810 (a document naming
   * another PO is rejected). @default none known
   */
  purchaseOrders?: (partnerId: string, poName: string) => PurchaseOrderFacts | undefined;
}

/**
 * An X12 interchange in the neutral form: envelope checks (readInterchange),
 * segment rules of each 850 and 997, and the answer: a 997 per group (997
 * groups only when in error), or a TA1 when the envelope is refused.
 */
export function parseX12Interchange(bytes: Buffer, o: ParseX12Options): InboundReading {
  return runNow(parseX12InterchangeSteps(bytes, o));
}

/** parseX12Interchange with checkpoints (model/stepwise.ts) between the steps and the sets. */
export function* parseX12InterchangeSteps(bytes: Buffer, o: ParseX12Options): Stepwise<InboundReading> {
  const reading = yield* readInterchangeSteps(bytes, o.partners, o);
  if (!reading.ok) {
    const { isa, partner, ta1Code } = reading;
    return {
      ok: false,
      rejected: {
        envelope: envelopeOf(isa, partner),
        problems: reading.problems.map((p) => p.message),
        reply: partner !== null && ta1Code !== null ? { type: 'TA1', isa: isa && answeredIsa(isa), noteCode: ta1Code } : null,
      },
    };
  }
  const { isa, partner } = reading;
  const id = `in:${partner.id}:${isa.controlNumber}`;
  const documents: ReceivedDocument[] = [];
  const acks: SetBody[] = [];
  for (const g of reading.groups) {
    const outcomes: SetOutcome[] = [];
    for (const s of g.sets) {
      yield;
      const read = readSet(s, g, partner, (poName) => o.purchaseOrders?.(partner.id, poName));
      outcomes.push(read.outcome);
      documents.push({ ...read.document, documentId: `${id}:${g.controlNumber}:${s.controlNumber}` });
    }
    // 997s are not acknowledged unless in error.
    if (g.functionalId !== 'FA' || groupStatus(g.problems.length, outcomes) !== 'A') acks.push(build997(g, outcomes, partner.version));
  }
  return {
    ok: true,
    interchange: {
      envelope: { ...envelopeOf(isa, partner), partner, controlNumber: isa.controlNumber },
      id,
      claimKey: isa.controlNumber,
      documents,
      reply: partner.acknowledgments.send997 && acks.length > 0 ? { type: '997', sets: acks } : null,
      repeat: {
        problem: `interchange control number ${isa.controlNumber} was received from ${partner.id} before`,
        reply: { type: 'TA1', isa: answeredIsa(isa), noteCode: TA1.duplicate },
      },
    },
  };
}

/** One set: its segment rules (850, 997), its AK2 loop outcome and its document. */
function readSet(
  s: SetReading,
  g: GroupReading,
  partner: PartnerProfile,
  lookup: PurchaseOrderLookup,
): { outcome: SetOutcome; document: Omit<ReceivedDocument, 'documentId'> } {
  const checked = s.problems.length === 0 ? checkSet(s, partner, lookup) : null;
  const segmentErrors = checked?.errors ?? [];
  const problems = [
    ...g.problems.map((p) => `group ${g.controlNumber}: ${p.message}`),
    ...s.problems.map((p) => p.message),
    ...segmentErrors.map(describeSegmentError),
  ];
  const content = problems.length === 0 ? (checked?.content ?? null) : null;
  return {
    outcome: { code: s.code, controlNumber: s.controlNumber, setCodes: s.problems.map((p) => p.code), segmentErrors },
    document: {
      type: s.code || 'unknown',
      version: g.version || partner.version,
      groupControlNumber: g.controlNumber,
      controlNumber: s.controlNumber,
      raw: s.transaction.toString(),
      problems,
      content,
    },
  };
}

/** The segment rules of the set's type, and what an accepted set says. */
function checkSet(
  s: SetReading,
  partner: PartnerProfile,
  lookup: PurchaseOrderLookup,
): { errors: SegmentError[]; content: DocumentContent | null } | null {
  switch (s.code) {
    case '850': {
      const v = validate850(s.transaction, partner);
      return { errors: v.errors, content: v.po ? { kind: 'purchaseOrder', po: v.po } : null };
    }
    case '997': {
      const v = validate997(s.transaction);
      return { errors: v.errors, content: v.ack ? { kind: 'acknowledgment', ack: neutralAck(v.ack) } : null };
    }
    case '855': {
      const v = validate855(s.transaction, partner, lookup);
      return { errors: v.errors, content: v.ack ? { kind: 'poAcknowledgment', ack: v.ack } : null };
    }
    case '856': {
      const v = validate856(s.transaction, partner, lookup);
      return { errors: v.errors, content: v.notice ? { kind: 'shipNotice', notice: v.notice } : null };
    }
    case '810': {
      const v = validate810(s.transaction, partner, lookup);
      return { errors: v.errors, content: v.invoice ? { kind: 'supplierInvoice', invoice: v.invoice } : null };
    }
    default:
      return null;
  }
}

function envelopeOf(isa: IsaFacts | null, partner: PartnerProfile | null): ReceivedEnvelope {
  return {
    standard: 'X12',
    type: 'ISA',
    version: partner?.version ?? 'unknown',
    partner,
    controlNumber: isa?.controlNumber ?? null,
    senderId: isa?.senderId.trim() ?? '',
    receiverId: isa?.receiverId.trim() ?? '',
  };
}

const answeredIsa = (isa: IsaFacts): { controlNumber: string; date: string; time: string } => ({
  controlNumber: isa.controlNumber,
  date: isa.date,
  time: isa.time,
});

/** AK9/AK5 A (accepted) and E (accepted with errors) accept; P, R and the rest do not. */
function neutralAck(ack: ReceivedAck): ReceivedAcknowledgment {
  const accepts = (status: string): boolean => status === 'A' || status === 'E';
  return {
    functionalId: ack.functionalId,
    groupControlNumber: ack.groupControlNumber,
    groupAccepted: accepts(ack.groupStatus),
    sets: ack.sets.map((s) => ({ controlNumber: s.controlNumber, accepted: accepts(s.status) })),
  };
}
