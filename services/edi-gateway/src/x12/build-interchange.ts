import { X12Interchange, X12Segment, type X12SerializationOptions } from 'node-x12';
import type { PartnerProfile } from '../partners/partner-profile.js';
import { functionalIdOf } from './x12-codes.js';

/** One segment to write: its tag and elements (composites already joined with the component separator). */
export type SegmentSpec = [tag: string, ...elements: string[]];

/** A transaction set's body (between ST and SE). */
export interface SetBody {
  code: string;
  segments: SegmentSpec[];
}

export interface ControlNumbers {
  interchange: number;
  group: number;
  /** One ST02 per set, in order. */
  sets: number[];
}

/** X12 serialization options of what we send to `profile`. */
export function serializationOptions(profile: PartnerProfile): X12SerializationOptions {
  const s = profile.separators;
  const newline = s.segment.length === 2 && s.segment.endsWith('\n');
  return {
    elementDelimiter: s.element,
    segmentTerminator: s.segment[0]!,
    subElementDelimiter: s.component,
    repetitionDelimiter: s.repetition,
    endOfLine: '\n',
    format: newline,
  };
}

const pad9 = (n: number): string => String(n).padStart(9, '0');
/** ST02: at least four digits. */
export const st02 = (n: number): string => String(n).padStart(4, '0');

function yymmdd(d: Date): string {
  return d.toISOString().slice(2, 10).replace(/-/g, '');
}
export function ccyymmdd(d: Date): string {
  return d.toISOString().slice(0, 10).replace(/-/g, '');
}
export function hhmm(d: Date): string {
  return d.toISOString().slice(11, 16).replace(':', '');
}

/** ISA elements from us to the partner. */
export function isaElements(profile: PartnerProfile, controlNumber: number, at: Date, ackRequested = false): string[] {
  const v5 = profile.version === '005010';
  return [
    '00',
    ''.padEnd(10),
    '00',
    ''.padEnd(10),
    profile.isa.ourQualifier,
    profile.isa.ourId.padEnd(15),
    profile.isa.partnerQualifier,
    profile.isa.partnerId.padEnd(15),
    yymmdd(at),
    hhmm(at),
    v5 ? profile.separators.repetition : 'U',
    v5 ? '00501' : '00401',
    pad9(controlNumber),
    ackRequested ? '1' : '0',
    profile.isa.usageIndicator,
    profile.separators.component,
  ];
}

/**
 * One interchange with one functional group holding `sets`, serialized with the
 * partner's separators through node-x12's object model (which keeps SE01, GE01
 * and IEA01 in step with the content).
 */
export function buildInterchange(profile: PartnerProfile, control: ControlNumbers, sets: SetBody[], at: Date): string {
  if (sets.length === 0) throw new Error('an interchange needs at least one transaction set');
  if (control.sets.length !== sets.length) throw new Error('one ST02 per set is needed');
  const functionalId = functionalIdOf(sets[0]!.code);
  if (!functionalId || sets.some((s) => functionalIdOf(s.code) !== functionalId))
    throw new Error('every set of a group needs the same functional id');
  const options = serializationOptions(profile);
  const s = profile.separators;
  const reserved = new Set([s.element, s.segment[0]!, s.component, s.repetition, '\n', '\r']);
  // Values come from events: a separator inside one would end the element or segment early.
  const clean = (v: string): string => [...v].map((ch) => (reserved.has(ch) ? ' ' : ch)).join('');
  const interchange = new X12Interchange(options);
  interchange.setHeader(isaElements(profile, control.interchange, at));
  const group = interchange.addFunctionalGroup(options);
  group.setHeader([
    functionalId,
    profile.gs.ourId,
    profile.gs.partnerId,
    ccyymmdd(at),
    hhmm(at),
    String(control.group),
    'X',
    profile.version,
  ]);
  sets.forEach((body, i) => {
    const tx = group.addTransaction();
    tx.setHeader([body.code, st02(control.sets[i]!)]);
    for (const [tag, ...elements] of body.segments) tx.addSegment(tag, trimTrailingEmpty(elements.map(clean)));
  });
  return withFinalNewline(interchange.toString(), profile);
}

/** A TA1-only interchange (no functional group), for envelope errors. */
export function buildTa1Interchange(
  profile: PartnerProfile,
  controlNumber: number,
  answered: { controlNumber: string; date: string; time: string },
  accepted: boolean,
  noteCode: string,
  at: Date,
): string {
  const options = serializationOptions(profile);
  const seg = (tag: string, elements: string[]): string => new X12Segment(tag, options).setElements(elements).toString(options);
  const eol = options.format ? '\n' : '';
  return withFinalNewline(
    seg('ISA', isaElements(profile, controlNumber, at)) +
      eol +
      seg('TA1', [answered.controlNumber, answered.date, answered.time, accepted ? 'A' : 'R', noteCode]) +
      eol +
      seg('IEA', ['0', pad9(controlNumber)]),
    profile,
  );
}

function trimTrailingEmpty(elements: string[]): string[] {
  let end = elements.length;
  while (end > 1 && elements[end - 1] === '') end--;
  return elements.slice(0, end);
}

function withFinalNewline(edi: string, profile: PartnerProfile): string {
  return profile.separators.segment.endsWith('\n') && !edi.endsWith('\n') ? `${edi}\n` : edi;
}
