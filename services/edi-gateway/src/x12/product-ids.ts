import type { X12Segment } from 'node-x12';
import type { BadElement } from './segment-error.js';
import { AK4 } from './x12-codes.js';

/** Product id qualifiers (element 235) accepted in PO1/LIN/IT1 qualifier-id pairs. */
export const PRODUCT_QUALIFIERS = new Set(['UP', 'UK', 'EN', 'UA', 'BP', 'VP', 'VN', 'IN', 'SK', 'PI', 'CB', 'MG']);

export const el = (seg: X12Segment, n: number): string => seg.elements[n - 1]?.value ?? '';

/**
 * The qualifier-id pairs of a line segment from element `from` on (PO106, LIN02, IT106): ids by
 * qualifier, and the AK4s of bad pairs. Qualifiers in `extra` (e.g. LT lot numbers in an 856 LIN)
 * are returned apart.
 */
export function readProductIds(
  seg: X12Segment,
  from: number,
  extra: ReadonlySet<string> = new Set(),
): { ids: Record<string, string>; extra: Array<[string, string]>; bad: BadElement[] } {
  const ids: Record<string, string> = {};
  const others: Array<[string, string]> = [];
  const bad: BadElement[] = [];
  for (let p = from; p <= seg.elements.length; p += 2) {
    const q = el(seg, p);
    const id = el(seg, p + 1);
    if (!q && !id) continue;
    if (!PRODUCT_QUALIFIERS.has(q) && !extra.has(q)) bad.push([p, q ? AK4.invalidCode : AK4.conditionalMissing, q]);
    else if (!id) bad.push([p + 1, AK4.conditionalMissing, '']);
    else if (extra.has(q)) others.push([q, id]);
    else ids[q] = id;
  }
  return { ids, extra: others, bad };
}
