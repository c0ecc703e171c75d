import type { GroupReading } from './read-interchange.js';
import type { SegmentError } from './segment-error.js';
import type { SetBody, SegmentSpec } from './build-interchange.js';

/** The outcome of one received set, as its AK2 loop reports it. */
export interface SetOutcome {
  code: string;
  controlNumber: string;
  /** AK502 codes of the set (envelope problems or 5 for segment errors). */
  setCodes: string[];
  segmentErrors: SegmentError[];
}

export type GroupStatus = 'A' | 'E' | 'P' | 'R';

/** AK901 for the group: every set accepted -> A, none -> R, some -> P; group-level problems reject it whole. */
export function groupStatus(groupProblems: number, outcomes: SetOutcome[]): GroupStatus {
  if (groupProblems > 0) return 'R';
  const accepted = outcomes.filter((o) => o.setCodes.length === 0 && o.segmentErrors.length === 0).length;
  if (accepted === outcomes.length) return 'A';
  return accepted === 0 ? 'R' : 'P';
}

/** A 997 for one received group: AK1, an AK2/AK3/AK4/AK5 loop per set, AK9. */
export function build997(
  group: Pick<GroupReading, 'functionalId' | 'controlNumber' | 'version' | 'problems'>,
  outcomes: SetOutcome[],
  version: '004010' | '005010',
): SetBody {
  const segments: SegmentSpec[] = [
    version === '005010'
      ? ['AK1', group.functionalId, group.controlNumber, group.version]
      : ['AK1', group.functionalId, group.controlNumber],
  ];
  for (const o of outcomes) {
    segments.push(['AK2', o.code, o.controlNumber]);
    for (const e of o.segmentErrors.slice(0, 50)) {
      segments.push(['AK3', e.segmentId, String(e.position), e.loopId ?? '', e.code]);
      for (const el of e.elements.slice(0, 10)) segments.push(['AK4', String(el.position), '', el.code, sanitize(el.value)]);
    }
    const rejected = o.setCodes.length > 0 || o.segmentErrors.length > 0;
    const codes = [...o.setCodes, ...(o.segmentErrors.length > 0 && !o.setCodes.includes('5') ? ['5'] : [])].slice(0, 5);
    segments.push(['AK5', rejected || group.problems.length > 0 ? 'R' : 'A', ...codes]);
  }
  const status = groupStatus(group.problems.length, outcomes);
  const accepted = status === 'R' ? 0 : outcomes.filter((o) => o.setCodes.length === 0 && o.segmentErrors.length === 0).length;
  segments.push([
    'AK9',
    status,
    String(outcomes.length),
    String(outcomes.length),
    String(accepted),
    ...group.problems.map((p) => p.code).slice(0, 5),
  ]);
  return { code: '997', segments };
}

/** AK404 copies the bad value; keep it printable and short so it never breaks our own separators. */
function sanitize(value: string): string {
  return value.replace(/[^A-Za-z0-9 .,-]/g, '').slice(0, 99);
}
