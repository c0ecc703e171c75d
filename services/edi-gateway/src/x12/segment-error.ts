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

  get count(): number {
    return this.list.length;
  }
}
