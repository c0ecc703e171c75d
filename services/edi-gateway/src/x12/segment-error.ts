import type { X12Segment } from 'node-x12';
import { el } from './product-ids.js';
import { AK3, AK4 } from './x12-codes.js';

/** One segment in error, as a 997 reports it (AK3 with its AK4s). */
export interface SegmentError {
  /** AK301 segment id. */
  segmentId: string;
  /** AK302 position in the set, ST = 1. */
  position: number;
  /** AK303 loop id, when the segment is in a loop. */
  loopId: string | null;
  /** AK304. */
  code: string;
  elements: ElementError[];
  /** Readable form for logs and the audit record. */
  message: string;
}

export interface ElementError {
  /** AK401 element position in the segment. */
  position: number;
  /** AK403. */
  code: string;
  /** AK404 copy of the bad value (may be empty). */
  value: string;
}

/** Formats a segment error for EdiDocumentReceived.errors. */
export function describeSegmentError(e: SegmentError): string {
  return `${e.segmentId} at position ${e.position}: ${e.message}`;
}

/** An AK4 in the making: element position, AK403 code, the bad value. */
export type BadElement = [position: number, code: string, value: string];

/** Collects a set's segment errors in the 997's terms. */
export class SegmentErrors {
  readonly list: SegmentError[] = [];

  /** A segment with bad elements (AK304 8 unless `code` says otherwise). */
  elements(tag: string, position: number, loopId: string | null, bad: BadElement[], message: string, code = '8'): void {
    this.list.push({
      segmentId: tag,
      position,
      loopId,
      code,
      elements: bad.map(([p, c, v]) => ({ position: p, code: c, value: v })),
      message,
    });
  }

  /** A segment error without element detail (missing, unexpected, out of sequence). */
  segment(tag: string, position: number, loopId: string | null, code: string, message: string): void {
    this.list.push({ segmentId: tag, position, loopId, code, elements: [], message });
  }

  /** The set's mandatory header segment (BAK, BIG, BSN, ...) is absent: reported first, at position 2. */
  headerMissing(tag: string): void {
    this.list.unshift({
      segmentId: tag,
      position: 2,
      loopId: null,
      code: AK3.mandatorySegmentMissing,
      elements: [],
      message: `the mandatory ${tag} segment is missing`,
    });
  }

  /** Reads a CTT segment: its CTT01 when that is a count of `what`; otherwise records the error and answers null. */
  ctt(seg: X12Segment, position: number, what: string): { seg: X12Segment; position: number } | null {
    const count = el(seg, 1);
    if (/^\d+$/.test(count)) return { seg, position };
    this.elements(
      'CTT',
      position,
      'CTT',
      [[1, count ? AK4.invalidCharacter : AK4.mandatoryMissing, count]],
      `CTT01 must be the number of ${what}`,
    );
    return null;
  }

  /** CTT01 against the count the set really has; `says` words the mismatch after "CTT01 says <n>". */
  cttMatches(ctt: { seg: X12Segment; position: number } | null, actual: number, says: string): void {
    if (ctt && Number(el(ctt.seg, 1)) !== actual)
      this.elements('CTT', ctt.position, 'CTT', [[1, AK4.invalidCode, el(ctt.seg, 1)]], `CTT01 says ${el(ctt.seg, 1)}${says}`);
  }

  get count(): number {
    return this.list.length;
  }
}
