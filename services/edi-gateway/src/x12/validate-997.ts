import type { X12Segment, X12Transaction } from 'node-x12';
import type { SegmentError } from './segment-error.js';
import { AK3, AK4 } from './x12-codes.js';

/** What a partner's 997 says about one of our groups. */
export interface ReceivedAck {
  /** AK101 functional id of the group acknowledged. */
  functionalId: string;
  /** AK102 = our GS06. */
  groupControlNumber: string;
  /** AK901: A accepted, E accepted with errors, P partially accepted, R rejected. */
  groupStatus: 'A' | 'E' | 'P' | 'R';
  /** Per set (AK202 = our ST02) the AK501 status. */
  sets: Array<{ code: string; controlNumber: string; status: 'A' | 'E' | 'M' | 'R' | 'W' | 'X' }>;
}

const el = (seg: X12Segment, n: number): string => seg.elements[n - 1]?.value ?? '';

/** Segment rules of a received 997 (AK1 first, AK2/AK5 pairs, AK9 last) and what it acknowledges. */
export function validate997(tx: X12Transaction): { errors: SegmentError[]; ack: ReceivedAck | null } {
  const errors: SegmentError[] = [];
  const segs = tx.segments;
  const bad = (seg: X12Segment, position: number, code: string, elements: Array<[number, string, string]>, message: string): void => {
    errors.push({
      segmentId: seg.tag,
      position,
      loopId: seg.tag === 'AK2' || seg.tag === 'AK5' ? 'AK2' : null,
      code,
      elements: elements.map(([p, c, v]) => ({ position: p, code: c, value: v })),
      message,
    });
  };
  const ak1 = segs[0];
  if (!ak1 || ak1.tag !== 'AK1') {
    errors.push({
      segmentId: 'AK1',
      position: 2,
      loopId: null,
      code: AK3.mandatorySegmentMissing,
      elements: [],
      message: 'a 997 starts with AK1',
    });
    return { errors, ack: null };
  }
  if (!el(ak1, 1)) bad(ak1, 2, AK3.segmentHasElementErrors, [[1, AK4.mandatoryMissing, '']], 'AK101 missing');
  if (!/^\d{1,9}$/.test(el(ak1, 2)))
    bad(
      ak1,
      2,
      AK3.segmentHasElementErrors,
      [[2, el(ak1, 2) ? AK4.invalidCharacter : AK4.mandatoryMissing, el(ak1, 2)]],
      'AK102 must be the group control number',
    );
  const sets: ReceivedAck['sets'] = [];
  let open: { code: string; controlNumber: string } | null = null;
  let ak9: X12Segment | null = null;
  segs.slice(1).forEach((seg, i) => {
    const position = i + 3;
    switch (seg.tag) {
      case 'AK2':
        if (open) sets.push({ ...open, status: 'A' });
        if (!el(seg, 1) || !el(seg, 2))
          return bad(
            seg,
            position,
            AK3.segmentHasElementErrors,
            [[el(seg, 1) ? 2 : 1, AK4.mandatoryMissing, '']],
            'AK2 needs the set code and control number',
          );
        open = { code: el(seg, 1), controlNumber: el(seg, 2) };
        return;
      case 'AK3':
      case 'AK4':
        if (!open) bad(seg, position, AK3.notInProperSequence, [], `${seg.tag} outside an AK2 loop`);
        return;
      case 'AK5': {
        const status = el(seg, 1);
        if (!['A', 'E', 'M', 'R', 'W', 'X'].includes(status))
          return bad(
            seg,
            position,
            AK3.segmentHasElementErrors,
            [[1, status ? AK4.invalidCode : AK4.mandatoryMissing, status]],
            'AK501 must be A, E, M, R, W or X',
          );
        if (!open) return bad(seg, position, AK3.notInProperSequence, [], 'AK5 without AK2');
        const o = open as { code: string; controlNumber: string };
        sets.push({ ...o, status: status as ReceivedAck['sets'][number]['status'] });
        open = null;
        return;
      }
      case 'AK9':
        if (!['A', 'E', 'P', 'R'].includes(el(seg, 1)))
          return bad(
            seg,
            position,
            AK3.segmentHasElementErrors,
            [[1, el(seg, 1) ? AK4.invalidCode : AK4.mandatoryMissing, el(seg, 1)]],
            'AK901 must be A, E, P or R',
          );
        for (const n of [2, 3, 4])
          if (!/^\d+$/.test(el(seg, n)))
            return bad(
              seg,
              position,
              AK3.segmentHasElementErrors,
              [[n, el(seg, n) ? AK4.invalidCharacter : AK4.mandatoryMissing, el(seg, n)]],
              `AK90${n} must be a count`,
            );
        ak9 = seg;
        return;
      default:
        return bad(seg, position, AK3.unexpectedSegment, [], `segment ${seg.tag} is not part of a 997`);
    }
  });
  if (!ak9)
    errors.push({
      segmentId: 'AK9',
      position: segs.length + 2,
      loopId: null,
      code: AK3.mandatorySegmentMissing,
      elements: [],
      message: 'the mandatory AK9 segment is missing',
    });
  if (errors.length > 0 || !ak9) return { errors, ack: null };
  const status = el(ak9 as X12Segment, 1) as ReceivedAck['groupStatus'];
  return { errors, ack: { functionalId: el(ak1, 1), groupControlNumber: el(ak1, 2), groupStatus: status, sets } };
}
