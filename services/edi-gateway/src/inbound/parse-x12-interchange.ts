import { runNow, type Stepwise } from '../model/stepwise.js';
import type { PartnerDirectory, PartnerProfile } from '../partners/partner-profile.js';
import { build997, groupStatus, type SetOutcome } from '../x12/build-997.js';
import type { SetBody } from '../x12/build-interchange.js';
import { readInterchangeSteps, type GroupReading, type IsaFacts, type ReadOptions, type SetReading } from '../x12/read-interchange.js';
import { describeSegmentError } from '../x12/segment-error.js';
import { validate850 } from '../x12/validate-850.js';
import { validate997, type ReceivedAck } from '../x12/validate-997.js';
import { TA1 } from '../x12/x12-codes.js';
import type { DocumentContent, InboundReading, ReceivedAcknowledgment, ReceivedDocument, ReceivedEnvelope } from './parsed-interchange.js';

export interface ParseX12Options extends ReadOptions {
  partners: PartnerDirectory;
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
      const read = readSet(s, g, partner);
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
): { outcome: SetOutcome; document: Omit<ReceivedDocument, 'documentId'> } {
  const v850 = s.problems.length === 0 && s.code === '850' ? validate850(s.transaction, partner) : null;
  const v997 = s.problems.length === 0 && s.code === '997' ? validate997(s.transaction) : null;
  const segmentErrors = v850?.errors ?? v997?.errors ?? [];
  const problems = [
    ...g.problems.map((p) => `group ${g.controlNumber}: ${p.message}`),
    ...s.problems.map((p) => p.message),
    ...segmentErrors.map(describeSegmentError),
  ];
  let content: DocumentContent | null = null;
  if (problems.length === 0 && v850?.po) content = { kind: 'purchaseOrder', po: v850.po };
  if (problems.length === 0 && v997?.ack) content = { kind: 'acknowledgment', ack: neutralAck(v997.ack) };
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
