import { errorMessage } from '@odx/runtime';
import type { X12Interchange, X12Transaction } from 'node-x12';
import { DEFAULT_CONTENT_LIMITS, type ContentLimits } from '../model/content-limits.js';
import type { PartnerDirectory, PartnerProfile } from '../partners/partner-profile.js';
import { runNow, type Stepwise } from '../model/stepwise.js';
import { parseX12Segments } from './parse-segments.js';
import { scanSegments } from './scan-segments.js';
import { AK5, AK9, FUNCTIONAL_ID, TA1, functionalIdOf } from './x12-codes.js';

/** The separators an interchange declares in its ISA. */
export interface Separators {
  element: string;
  segment: string;
  component: string;
  repetition: string | null;
}

/** The ISA's fields, as sent (ids untrimmed in `raw`). */
export interface IsaFacts {
  senderQualifier: string;
  senderId: string;
  receiverQualifier: string;
  receiverId: string;
  date: string;
  time: string;
  /** ISA11: the standards id "U" in 004010, the repetition separator from 00402 on. */
  isa11: string;
  versionCode: string;
  controlNumber: string;
  ackRequested: string;
  usage: string;
  separators: Separators;
}

export interface Problem {
  code: string;
  message: string;
}

export interface SetReading {
  /** ST01, e.g. 850. */
  code: string;
  /** ST02. */
  controlNumber: string;
  transaction: X12Transaction;
  /** Envelope problems of the set (AK502 codes). */
  problems: Problem[];
}

export interface GroupReading {
  functionalId: string;
  senderId: string;
  receiverId: string;
  controlNumber: string;
  version: string;
  sets: SetReading[];
  /** Envelope problems of the group (AK905 codes); any makes the whole group rejected. */
  problems: Problem[];
}

export type InterchangeReading =
  | { ok: true; isa: IsaFacts; partner: PartnerProfile; groups: GroupReading[] }
  | {
      ok: false;
      /** What could be read of the ISA (for the TA1 and the audit record). */
      isa: IsaFacts | null;
      /** The partner, when the ISA or the transport tells who sent it. */
      partner: PartnerProfile | null;
      /** TA105 to answer with, or null when no TA1 can be addressed. */
      ta1Code: string | null;
      problems: Problem[];
    };

/** Byte offsets of the 16 element separators of the fixed-length ISA. */
const ISA_SEPARATOR_OFFSETS = [3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103];
const ISA_LENGTH = 106;
const VERSION_CODES: Record<string, string> = { '004010': '00401', '005010': '00501' };
const SEPARATOR_SAFE = /^[^A-Za-z0-9\s]$/;
/** The segment that opens a line of each set (counted against EDI_MAX_LINES_PER_DOCUMENT). */
const LINE_TAGS: Partial<Record<string, string>> = { '850': 'PO1', '855': 'PO1', '856': 'LIN', '810': 'IT1' };

/** Control characters that never belong in X12 text (CR, LF and TAB are allowed between segments). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN_BYTES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function fail(isa: IsaFacts | null, partner: PartnerProfile | null, ta1Code: string | null, ...problems: Problem[]): InterchangeReading {
  return { ok: false, isa, partner, ta1Code, problems };
}

/**
 * Reads the fixed-length ISA by position (the parser would silently accept a
 * shifted one), so the separators and control number are those declared.
 */
export function readIsa(text: string): { isa: IsaFacts } | { problem: Problem } {
  if (!text.startsWith('ISA'))
    return { problem: { code: TA1.invalidControlStructure, message: 'the document does not start with an ISA segment' } };
  if (text.length < ISA_LENGTH)
    return { problem: { code: TA1.prematureEnd, message: `the ISA is truncated: ${text.length} characters, 106 required` } };
  const element = text[3]!;
  if (!SEPARATOR_SAFE.test(element))
    return {
      problem: { code: TA1.invalidElementSeparator, message: `ISA declares an invalid element separator ${JSON.stringify(element)}` },
    };
  for (const offset of ISA_SEPARATOR_OFFSETS) {
    if (text[offset] !== element) {
      return {
        problem: {
          code: TA1.invalidControlStructure,
          message: `the ISA is not fixed-length: expected the element separator "${element}" at position ${offset + 1}, found ${JSON.stringify(text[offset])}`,
        },
      };
    }
  }
  const fields = text.slice(4, 105).split(element);
  const component = text[104]!;
  const segment = text[105]!;
  if (!SEPARATOR_SAFE.test(component) && component !== '\n')
    return {
      problem: {
        code: TA1.invalidComponentSeparator,
        message: `ISA16 declares an invalid component separator ${JSON.stringify(component)}`,
      },
    };
  if (!(SEPARATOR_SAFE.test(segment) || segment === '\n' || segment === '\r'))
    return { problem: { code: TA1.invalidControlStructure, message: `invalid segment terminator ${JSON.stringify(segment)} after ISA16` } };
  const versionCode = fields[11]!;
  const repetition = versionCode >= '00402' ? fields[10]! : null;
  const distinct = [element, component, segment, ...(repetition ? [repetition] : [])];
  if (new Set(distinct).size !== distinct.length)
    return {
      problem: {
        code: TA1.invalidComponentSeparator,
        message: `the ISA declares separators that are not distinct: ${JSON.stringify(distinct)}`,
      },
    };
  return {
    isa: {
      senderQualifier: fields[4]!,
      senderId: fields[5]!,
      receiverQualifier: fields[6]!,
      receiverId: fields[7]!,
      date: fields[8]!,
      time: fields[9]!,
      isa11: fields[10]!,
      versionCode,
      controlNumber: fields[12]!,
      ackRequested: fields[13]!,
      usage: fields[14]!,
      separators: { element, segment, component, repetition },
    },
  };
}

/** ISA field checks against the standard and the partner's profile; the first problem wins (one TA1 code). */
function checkIsa(isa: IsaFacts, partner: PartnerProfile): Problem | null {
  if (isa.senderQualifier !== partner.isa.partnerQualifier)
    return {
      code: TA1.invalidSenderQualifier,
      message: `ISA05 is "${isa.senderQualifier}", the profile says "${partner.isa.partnerQualifier}"`,
    };
  if (isa.senderId.trim() !== partner.isa.partnerId)
    return { code: TA1.invalidSenderId, message: `ISA06 is "${isa.senderId.trim()}", the profile says "${partner.isa.partnerId}"` };
  if (isa.receiverQualifier !== partner.isa.ourQualifier)
    return { code: TA1.invalidReceiverQualifier, message: `ISA07 is "${isa.receiverQualifier}", expected "${partner.isa.ourQualifier}"` };
  if (isa.receiverId.trim() !== partner.isa.ourId)
    return { code: TA1.invalidReceiverId, message: `ISA08 is "${isa.receiverId.trim()}", expected our id "${partner.isa.ourId}"` };
  if (!/^\d{6}$/.test(isa.date) || !validDate(`20${isa.date}`))
    return { code: TA1.invalidDate, message: `ISA09 "${isa.date}" is not a YYMMDD date` };
  if (!/^([01]\d|2[0-3])[0-5]\d$/.test(isa.time)) return { code: TA1.invalidTime, message: `ISA10 "${isa.time}" is not an HHMM time` };
  if (isa.versionCode !== VERSION_CODES[partner.version])
    return {
      code: TA1.invalidVersion,
      message: `ISA12 is "${isa.versionCode}", the partner trades ${partner.version} (${VERSION_CODES[partner.version]})`,
    };
  if (isa.versionCode === '00401' && isa.isa11 !== 'U') return { code: TA1.invalidStandardsId, message: 'ISA11 must be "U" in 004010' };
  if (!/^\d{9}$/.test(isa.controlNumber))
    return { code: TA1.invalidControlNumber, message: `ISA13 "${isa.controlNumber}" is not nine digits` };
  if (!/^[01]$/.test(isa.ackRequested)) return { code: TA1.invalidAckRequested, message: `ISA14 "${isa.ackRequested}" is not 0 or 1` };
  if (isa.usage !== partner.isa.usageIndicator)
    return { code: TA1.invalidTestIndicator, message: `ISA15 is "${isa.usage}", the profile expects "${partner.isa.usageIndicator}"` };
  return null;
}

export function validDate(ccyymmdd: string): boolean {
  if (!/^\d{8}$/.test(ccyymmdd)) return false;
  const y = Number(ccyymmdd.slice(0, 4));
  const m = Number(ccyymmdd.slice(4, 6));
  const d = Number(ccyymmdd.slice(6, 8));
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

export interface ReadOptions {
  /** The partner the transport says sent the file (folder or URL); the ISA must agree. */
  expectedPartnerId?: string | null;
  /** Larger documents are refused unread. */
  maxBytes: number;
  /** The real size when `bytes` is only the document's head. */
  declaredSize?: number;
  /** Caps on segments, sets and lines. @default DEFAULT_CONTENT_LIMITS */
  limits?: ContentLimits;
}

/**
 * Parses one interchange with node-x12 and checks its envelope: ISA layout and
 * separators, sender/receiver against the profile, IEA/GE/SE counts and control
 * numbers, ST02 uniqueness, GS ids and versions. Segment rules of each set are
 * checked by the set's validator.
 */
export function readInterchange(bytes: Buffer, partners: PartnerDirectory, options: ReadOptions): InterchangeReading {
  return runNow(readInterchangeSteps(bytes, partners, options));
}

/** readInterchange with checkpoints (model/stepwise.ts), for a caller that must not hold the event loop. */
export function* readInterchangeSteps(bytes: Buffer, partners: PartnerDirectory, options: ReadOptions): Stepwise<InterchangeReading> {
  const hinted = options.expectedPartnerId ? (partners.get(options.expectedPartnerId) ?? null) : null;
  if (bytes.length === 0)
    return fail(null, hinted, hinted ? TA1.prematureEnd : null, { code: TA1.prematureEnd, message: 'the document is empty' });
  const size = Math.max(bytes.length, options.declaredSize ?? 0);
  if (size > options.maxBytes) {
    // Unread, but the ISA at its head still tells whom to answer and which interchange is refused.
    const head = readIsa(
      bytes
        .subarray(0, 256)
        .toString('utf8')
        .replace(/^[\r\n\t ]+/, ''),
    );
    return fail('isa' in head ? head.isa : null, hinted, hinted ? TA1.invalidContent : null, {
      code: TA1.invalidContent,
      message: `the document is ${size} bytes, more than the ${options.maxBytes} accepted`,
    });
  }
  const text = bytes.toString('utf8');
  if (FORBIDDEN_BYTES.test(text) || text.includes('\uFFFD')) {
    return fail(null, hinted, hinted ? TA1.invalidContent : null, {
      code: TA1.invalidContent,
      message: 'the document holds bytes that are not X12 text (control characters or invalid UTF-8)',
    });
  }
  const start = text.replace(/^[\r\n\t ]+/, '');
  const isaRead = readIsa(start);
  if ('problem' in isaRead) return fail(null, hinted, hinted ? isaRead.problem.code : null, isaRead.problem);
  const { isa } = isaRead;
  const partner = partners.bySender(isa.senderQualifier, isa.senderId);
  if (!partner) {
    return fail(isa, hinted, hinted ? TA1.invalidSenderId : null, {
      code: TA1.invalidSenderId,
      message: `no partner profile sends as ISA ${isa.senderQualifier}/${isa.senderId.trim()}`,
    });
  }
  if (hinted && hinted.id !== partner.id) {
    return fail(isa, hinted, TA1.invalidSenderId, {
      code: TA1.invalidSenderId,
      message: `the interchange comes from partner "${partner.id}" but arrived on the channel of "${hinted.id}"`,
    });
  }
  const isaProblem = checkIsa(isa, partner);
  if (isaProblem) return fail(isa, partner, isaProblem.code, isaProblem);

  const sep = isa.separators;
  const limits = options.limits ?? DEFAULT_CONTENT_LIMITS;
  yield;
  const scan = yield* scanSegments(start, sep, limits);
  if (scan.overLimit !== null)
    return fail(isa, partner, TA1.invalidContent, { code: TA1.invalidContent, message: `${scan.overLimit}; the interchange is refused` });
  if (scan.interchanges > 1)
    return fail(isa, partner, TA1.invalidControlStructure, {
      code: TA1.invalidControlStructure,
      message: `${scan.interchanges} interchanges in one document; send one per file`,
    });
  let tail = start.slice(start.lastIndexOf(sep.segment) + 1);
  // With newline terminators the last line often has none.
  if (sep.segment === '\n' && tail.startsWith(`IEA${sep.element}`)) tail = '';
  if (tail.trim() !== '')
    return fail(isa, partner, TA1.prematureEnd, {
      code: TA1.prematureEnd,
      message: `the document ends inside a segment: ${JSON.stringify(tail.slice(0, 40))}`,
    });
  if (!scan.trailer) return fail(isa, partner, TA1.prematureEnd, { code: TA1.prematureEnd, message: 'the IEA trailer is missing' });

  let parsed: X12Interchange;
  try {
    parsed = yield* parseX12Segments(start, sep);
  } catch (err) {
    return fail(isa, partner, TA1.invalidControlStructure, {
      code: TA1.invalidControlStructure,
      message: `the parser could not read the interchange: ${errorMessage(err)}`,
    });
  }
  if (!parsed.trailer) return fail(isa, partner, TA1.prematureEnd, { code: TA1.prematureEnd, message: 'the IEA trailer is missing' });
  if (parsed.trailer.valueOf(1) !== String(parsed.functionalGroups.length)) {
    return fail(isa, partner, TA1.invalidGroupCount, {
      code: TA1.invalidGroupCount,
      message: `IEA01 says ${parsed.trailer.valueOf(1)} groups, the interchange has ${parsed.functionalGroups.length}`,
    });
  }
  if (Number(parsed.trailer.valueOf(2)) !== Number(isa.controlNumber) || !/^\d+$/.test(parsed.trailer.valueOf(2) ?? '')) {
    return fail(isa, partner, TA1.controlNumberMismatch, {
      code: TA1.controlNumberMismatch,
      message: `IEA02 (${parsed.trailer.valueOf(2)}) does not match ISA13 (${isa.controlNumber})`,
    });
  }
  if (parsed.functionalGroups.length === 0)
    return fail(isa, partner, TA1.invalidContent, { code: TA1.invalidContent, message: 'the interchange holds no functional group' });

  const groups: GroupReading[] = [];
  const groupNumbers = new Set<string>();
  for (const g of parsed.functionalGroups) {
    const gs = (i: number): string => g.header.valueOf(i) ?? '';
    if (gs(2) !== partner.gs.partnerId || gs(3) !== partner.gs.ourId) {
      return fail(isa, partner, TA1.invalidContent, {
        code: TA1.invalidContent,
        message: `GS02/GS03 are "${gs(2)}"/"${gs(3)}", the profile says "${partner.gs.partnerId}"/"${partner.gs.ourId}"`,
      });
    }
    const problems: Problem[] = [];
    const controlNumber = gs(6);
    if (!/^\d{1,9}$/.test(controlNumber))
      problems.push({ code: AK9.invalidControlNumber, message: `GS06 "${controlNumber}" is not 1 to 9 digits` });
    if (groupNumbers.has(controlNumber))
      problems.push({ code: AK9.invalidControlNumber, message: `GS06 ${controlNumber} is used by two groups` });
    groupNumbers.add(controlNumber);
    if (!gs(8).startsWith(partner.version))
      problems.push({ code: AK9.versionNotSupported, message: `GS08 "${gs(8)}" is not the partner's version ${partner.version}` });
    if (!g.trailer) problems.push({ code: AK9.trailerMissing, message: 'the GE trailer is missing' });
    else {
      if (g.trailer.valueOf(1) !== String(g.transactions.length))
        problems.push({
          code: AK9.setCountMismatch,
          message: `GE01 says ${g.trailer.valueOf(1)} sets, the group has ${g.transactions.length}`,
        });
      if (g.trailer.valueOf(2) !== controlNumber)
        problems.push({
          code: AK9.controlNumberMismatch,
          message: `GE02 (${g.trailer.valueOf(2)}) does not match GS06 (${controlNumber})`,
        });
    }
    const supportedFunctional = Object.entries(FUNCTIONAL_ID)
      .filter(([set]) => acceptsInbound(partner, set))
      .map(([, f]) => f);
    if (!supportedFunctional.includes(gs(1)))
      problems.push({ code: AK9.groupNotSupported, message: `functional group "${gs(1)}" is not accepted from this partner` });
    const sets: SetReading[] = [];
    const setNumbers = new Set<string>();
    for (const t of g.transactions) {
      yield;
      const code = t.header.valueOf(1) ?? '';
      const st02 = t.header.valueOf(2) ?? '';
      const setProblems: Problem[] = [];
      if (functionalIdOf(code) !== gs(1) || !acceptsInbound(partner, code))
        setProblems.push({
          code: AK5.notSupported,
          message: `transaction set ${code} is not accepted in a ${gs(1)} group from this partner`,
        });
      if (!/^\d{4,9}$/.test(st02))
        setProblems.push({ code: AK5.missingOrInvalidIdentifier, message: `ST02 "${st02}" is not 4 to 9 digits` });
      if (setNumbers.has(st02))
        setProblems.push({ code: AK5.controlNumberNotUnique, message: `ST02 ${st02} is used twice in group ${controlNumber}` });
      setNumbers.add(st02);
      if (!t.trailer) setProblems.push({ code: AK5.trailerMissing, message: 'the SE trailer is missing' });
      else {
        if (t.trailer.valueOf(1) !== String(t.segments.length + 2))
          setProblems.push({
            code: AK5.segmentCountMismatch,
            message: `SE01 says ${t.trailer.valueOf(1)} segments, the set has ${t.segments.length + 2}`,
          });
        if (t.trailer.valueOf(2) !== st02)
          setProblems.push({ code: AK5.controlNumberMismatch, message: `SE02 (${t.trailer.valueOf(2)}) does not match ST02 (${st02})` });
      }
      const lineTag = (Object.hasOwn(LINE_TAGS, code) ? LINE_TAGS[code] : undefined) ?? 'PO1';
      const lines = t.segments.reduce((n, s) => (s.tag === lineTag ? n + 1 : n), 0);
      if (lines > limits.maxLinesPerDocument)
        setProblems.push({
          code: AK5.segmentsInError,
          message: `the set has ${lines} ${lineTag} lines, more than the ${limits.maxLinesPerDocument} accepted in one document`,
        });
      sets.push({ code, controlNumber: st02, transaction: t, problems: setProblems });
    }
    groups.push({ functionalId: gs(1), senderId: gs(2), receiverId: gs(3), controlNumber, version: gs(8), sets, problems });
  }
  return { ok: true, isa, partner, groups };
}

/** Whether the profile accepts transaction set `code` (any text read from ST01/GS) from the partner. */
function acceptsInbound(partner: PartnerProfile, code: string): boolean {
  return partner.transactionSets.inbound.some((accepted) => accepted === code);
}
