/**
 * Caps on what one inbound interchange may hold, checked before (or while) it
 * is parsed so that a hostile file is refused in time linear in its size.
 * The byte cap is separate (EDI_MAX_BYTES): it is applied before anything is read.
 */
export interface ContentLimits {
  /** Segments in one interchange (blank lines not counted). @default 200000 */
  maxSegments: number;
  /** Elements in one segment; X12 and EDIFACT segments have a few dozen at most. @default 256 */
  maxElementsPerSegment: number;
  /** Characters in one element value (X12's longest, MSG01, is 264; EDIFACT's free text 512). @default 1024 */
  maxElementLength: number;
  /** Transaction sets (X12) or messages (EDIFACT) in one interchange. @default 500 */
  maxDocuments: number;
  /** Order lines (PO1 or LIN) in one document. @default 10000 */
  maxLinesPerDocument: number;
}

export const DEFAULT_CONTENT_LIMITS: ContentLimits = {
  maxSegments: 200_000,
  maxElementsPerSegment: 256,
  maxElementLength: 1024,
  maxDocuments: 500,
  maxLinesPerDocument: 10_000,
};
