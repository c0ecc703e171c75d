import type { ContentLimits } from '../model/content-limits.js';
import type { Stepwise } from '../model/stepwise.js';

/** What one linear pass over an interchange's segments found (blank segments skipped). */
export interface SegmentScan {
  segments: number;
  /** Segments tagged ISA (more than one: several interchanges in one file). */
  interchanges: number;
  /** Segments tagged ST. */
  sets: number;
  /** Segments tagged GS (capped like the sets: a group holds at least one). */
  groups: number;
  /** Whether a segment tagged IEA was seen. */
  trailer: boolean;
  /** The first cap exceeded, as a sentence for the TA1 note and the audit; null when within every cap. */
  overLimit: string | null;
}

const isBlank = (code: number): boolean => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;

/**
 * One pass over the characters (the separators are single characters, as
 * readIsa checked), so the cost is linear in the text whatever it holds: a
 * flood of terminators, one endless segment, no terminator at all. It stops
 * at the first cap exceeded, before the parser builds an object per element.
 */
export function* scanSegments(
  text: string,
  separators: { element: string; segment: string },
  limits: ContentLimits,
): Stepwise<SegmentScan> {
  const scan: SegmentScan = { segments: 0, interchanges: 0, sets: 0, groups: 0, trailer: false, overLimit: null };
  const element = separators.element.charCodeAt(0);
  const terminator = separators.segment.charCodeAt(0);
  let tag = '';
  let inTag = false;
  let started = false;
  let elements = 0;
  let valueStart = 0;
  const endSegment = (): void => {
    const name = tag.trim();
    if (name === 'ISA') scan.interchanges++;
    else if (name === 'IEA') scan.trailer = true;
    else if (name === 'ST') scan.sets++;
    else if (name === 'GS') scan.groups++;
  };
  for (let i = 0; i < text.length; i++) {
    if ((i & 0xffff) === 0xffff) yield;
    const code = text.charCodeAt(i);
    if (code === terminator) {
      if (started && i - valueStart > limits.maxElementLength)
        return { ...scan, overLimit: tooLong(scan.segments, tag, limits.maxElementLength) };
      if (started) endSegment();
      started = false;
      const over = overDocuments(scan, limits.maxDocuments);
      if (over) return { ...scan, overLimit: over };
      continue;
    }
    if (!started) {
      if (isBlank(code)) continue;
      started = true;
      inTag = true;
      tag = '';
      elements = 0;
      valueStart = i;
      if (++scan.segments > limits.maxSegments)
        return { ...scan, overLimit: `the interchange holds more than ${limits.maxSegments} segments` };
    }
    if (code === element) {
      if (i - valueStart > limits.maxElementLength) return { ...scan, overLimit: tooLong(scan.segments, tag, limits.maxElementLength) };
      valueStart = i + 1;
      inTag = false;
      if (++elements > limits.maxElementsPerSegment)
        return {
          ...scan,
          overLimit: `segment ${scan.segments} (${tag.slice(0, 8)}) has more than ${limits.maxElementsPerSegment} elements`,
        };
    } else if (inTag && tag.length < 8) tag += text[i];
  }
  if (started && text.length - valueStart > limits.maxElementLength)
    return { ...scan, overLimit: tooLong(scan.segments, tag, limits.maxElementLength) };
  if (started) endSegment();
  return { ...scan, overLimit: overDocuments(scan, limits.maxDocuments) };
}

const tooLong = (segment: number, tag: string, max: number): string =>
  `segment ${segment} (${tag.trim().slice(0, 8)}) has an element longer than ${max} characters`;

const overDocuments = (scan: SegmentScan, max: number): string | null =>
  scan.sets > max
    ? `the interchange holds more than ${max} transaction sets`
    : scan.groups > max
      ? `the interchange holds more than ${max} functional groups`
      : null;
