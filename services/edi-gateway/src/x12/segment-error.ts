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
