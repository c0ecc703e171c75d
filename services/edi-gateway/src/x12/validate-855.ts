import type { X12Segment, X12Transaction } from 'node-x12';
import type { PurchaseOrderLookup, SupplierAcknowledgment } from '../model/supplier-documents.js';
import type { PartnerProfile } from '../partners/partner-profile.js';
import { el, readProductIds } from './product-ids.js';
import { SegmentErrors, type BadElement, type SegmentError } from './segment-error.js';
import { checkDate, checkUnit, matchLine, readLineNumber, readPrice, readQuantity, toDate } from './supplier-lines.js';
import { AK3, AK4 } from './x12-codes.js';
import { formatScaled, parseX12Decimal } from './x12-numbers.js';

const BAK01 = new Set(['00', '04', '05', '06', '07', '18', '19']);
/** BAK02: acknowledge with detail (AD), with detail and change (AC), exception detail only (AE), no detail (AK), product replenishment (AP), rejected with (RD) or without (RJ) detail. */
const BAK02 = new Set(['AC', 'AD', 'AE', 'AK', 'AP', 'RD', 'RJ']);
/** ACK01 line item status codes (element 668). */
const ACK01 = new Set([
  'AC',
  'AR',
  'BP',
  'DR',
  'IA',
  'IB',
  'IC',
  'ID',
  'IE',
  'IF',
  'IH',
  'IP',
  'IQ',
  'IR',
  'IS',
  'IW',
  'R1',
  'R2',
  'R3',
  'R4',
  'SP',
]);
/** ACK04 qualifiers whose ACK05 is the date the supplier commits to (ship or delivery). */
const COMMITTED_DATES = new Set(['017', '067', '068']);
export const REJECTED_LINE_CODES = new Set(['IR', 'ID', 'R1', 'R2', 'R3', 'R4']);
export const ACCEPTED_LINE_CODES = new Set(['IA', 'AC']);
const KNOWN_SEGMENTS = new Set(
  'BAK CUR REF PER TAX FOB CTP PAM CSH SAC ITD DIS DTM TD5 N9 MSG N1 N2 N3 N4 PO1 LIN SI PID MEA PO3 PO4 ACK SCH SLN AMT CTT TXI'.split(
    ' ',
  ),
);

type AckLine = SupplierAcknowledgment['lines'][number];

/**
 * Segment rules of a supplier's 855 (BAK codes, the PO it answers, PO1 lines
 * with their ACK statuses, quantities, units, prices and dates, CTT count),
 * and the acknowledgment matched to our PO when there are no errors. A PO
 * this supplier was not sent is an error on BAK03 (AK4 7).
 */
export function validate855(
  tx: X12Transaction,
  profile: PartnerProfile,
  lookup: PurchaseOrderLookup,
): { errors: SegmentError[]; ack: SupplierAcknowledgment | null } {
  const errors = new SegmentErrors();
  let bak = null as { ackType: string; poNumber: string; vendorOrderRef: string | null; acknowledgedAt: Date | null } | null;
  const po = (() => {
    const first = tx.segments[0];
    return first?.tag === 'BAK' && el(first, 3) ? lookup(el(first, 3)) : undefined;
  })();
  const lines: AckLine[] = [];
  const notes: string[] = [];
  let current = null as { line: AckLine; acks: number; committed: bigint | null } | null;
  let ctt = null as { seg: X12Segment; position: number } | null;
  let loop: string | null = null;
  let poLines = 0;

  tx.segments.forEach((seg, i) => {
    const position = i + 2;
    const tag = seg.tag;
    if (!/^[A-Z][A-Z0-9]{1,2}$/.test(tag))
      return errors.segment(tag, position, loop, AK3.unrecognizedSegment, `unrecognized segment id "${tag}"`);
    if (!KNOWN_SEGMENTS.has(tag)) return errors.segment(tag, position, loop, AK3.unexpectedSegment, `segment ${tag} is not part of an 855`);
    if (tag === 'N1') loop = 'N1';
    if (tag === 'PO1') loop = 'PO1';
    if (tag === 'CTT') loop = 'CTT';
    switch (tag) {
      case 'BAK': {
        if (bak || i !== 0) return errors.segment(tag, position, null, AK3.notInProperSequence, 'BAK must be the first segment, once');
        const bad: BadElement[] = [];
        if (!el(seg, 1)) bad.push([1, AK4.mandatoryMissing, '']);
        else if (!BAK01.has(el(seg, 1))) bad.push([1, AK4.invalidCode, el(seg, 1)]);
        if (!el(seg, 2)) bad.push([2, AK4.mandatoryMissing, '']);
        else if (!BAK02.has(el(seg, 2))) bad.push([2, AK4.invalidCode, el(seg, 2)]);
        if (!el(seg, 3)) bad.push([3, AK4.mandatoryMissing, '']);
        else if (el(seg, 3).length > 22) bad.push([3, AK4.tooLong, el(seg, 3)]);
        else if (!po) bad.push([3, AK4.invalidCode, el(seg, 3)]);
        for (const d of [checkDate(el(seg, 4), 4), checkDate(el(seg, 9), 9, true)]) if (d) bad.push(d);
        if (bad.length) {
          const unknown = bad.some(([p, c]) => p === 3 && c === AK4.invalidCode);
          return errors.elements(
            tag,
            position,
            null,
            bad,
            unknown ? `BAK03 "${el(seg, 3)}" is not a purchase order we sent ${profile.id}` : `BAK has ${bad.length} bad element(s)`,
          );
        }
        bak = {
          ackType: el(seg, 2),
          poNumber: el(seg, 3),
          vendorOrderRef: el(seg, 8) || null,
          acknowledgedAt: el(seg, 9) ? toDate(el(seg, 9)) : null,
        };
        return;
      }
      case 'DTM': {
        if (!el(seg, 1)) return errors.elements(tag, position, loop, [[1, AK4.mandatoryMissing, '']], 'DTM01 qualifier missing');
        const d = checkDate(el(seg, 2), 2, true);
        if (d) return errors.elements(tag, position, loop, [d], `DTM02 "${el(seg, 2)}" is not a date`);
        return;
      }
      case 'MSG':
        if (el(seg, 1)) notes.push(el(seg, 1));
        return;
      case 'N1':
        if (!el(seg, 1)) return errors.elements(tag, position, 'N1', [[1, AK4.mandatoryMissing, '']], 'N101 entity code missing');
        if (!el(seg, 2) && !el(seg, 4))
          return errors.elements(tag, position, 'N1', [[2, AK4.conditionalMissing, '']], 'N1 needs a name or an id');
        return;
      case 'PO1': {
        poLines++;
        current = null;
        const bad: BadElement[] = [];
        const lineNumber = readLineNumber(el(seg, 1), 1);
        if ('bad' in lineNumber) bad.push(lineNumber.bad);
        else if (lines.some((l) => l.lineNumber === lineNumber.value)) bad.push([1, AK4.invalidCode, el(seg, 1)]);
        const qty = readQuantity(el(seg, 2), 2);
        if ('bad' in qty) bad.push(qty.bad);
        const unit = checkUnit(el(seg, 3), 3);
        if (unit) bad.push(unit);
        const price = readPrice(el(seg, 4), 4);
        if ('bad' in price) bad.push(price.bad);
        const ids = readProductIds(seg, 6);
        bad.push(...ids.bad);
        if (bad.length)
          return errors.elements(tag, position, 'PO1', bad, `PO1 line ${el(seg, 1) || poLines} has ${bad.length} bad element(s)`);
        if (!po) return;
        const q = (qty as { value: string }).value;
        const matched = matchLine(
          {
            lineNumber: (lineNumber as { value: number }).value,
            productIds: ids.ids,
            quantity: q,
            partnerUom: el(seg, 3),
            unitPrice: (price as { value: string | null }).value,
          },
          po,
          profile,
        );
        const line: AckLine = { ...matched, statusCode: null, quantityOrdered: q, deliveryDate: null };
        lines.push(line);
        current = { line, acks: 0, committed: null };
        return;
      }
      case 'ACK': {
        if (loop !== 'PO1') return errors.segment(tag, position, loop, AK3.notInProperSequence, 'ACK outside a PO1 loop');
        const bad: BadElement[] = [];
        const code = el(seg, 1);
        if (!code) bad.push([1, AK4.mandatoryMissing, '']);
        else if (!ACK01.has(code)) bad.push([1, AK4.invalidCode, code]);
        const rejected = REJECTED_LINE_CODES.has(code);
        const qty = readQuantity(el(seg, 2), 2, { optional: rejected, zeroAllowed: true });
        if ('bad' in qty) bad.push(qty.bad);
        if (el(seg, 2)) {
          const unit = checkUnit(el(seg, 3), 3);
          if (unit) bad.push(unit[1] === AK4.mandatoryMissing ? [3, AK4.conditionalMissing, ''] : unit);
        }
        if (el(seg, 4) && !el(seg, 5)) bad.push([5, AK4.conditionalMissing, '']);
        if (el(seg, 5)) {
          if (!el(seg, 4)) bad.push([4, AK4.conditionalMissing, '']);
          const d = checkDate(el(seg, 5), 5);
          if (d) bad.push(d);
        }
        if (bad.length) return errors.elements(tag, position, 'PO1', bad, `ACK has ${bad.length} bad element(s)`);
        const c = current;
        if (!c) return;
        c.acks++;
        c.line.statusCode ??= code;
        if (!rejected && 'value' in qty && qty.value !== null) c.committed = (c.committed ?? 0n) + parseX12Decimal(qty.value, 4)!;
        if (!rejected && COMMITTED_DATES.has(el(seg, 4))) c.line.deliveryDate ??= toDate(el(seg, 5));
        if (c.committed !== null) c.line.quantity = formatScaled(c.committed, 4);
        return;
      }
      case 'CTT':
        ctt = errors.ctt(seg, position, 'PO1 lines') ?? ctt;
        return;
      default:
        return;
    }
  });

  if (!tx.segments.some((s) => s.tag === 'BAK')) errors.headerMissing('BAK');
  errors.cttMatches(ctt, poLines, ` lines, the acknowledgment has ${poLines}`);
  if (errors.count > 0 || !bak || !po) return { errors: errors.list, ack: null };
  const b = bak;
  return {
    errors: errors.list,
    ack: {
      purchaseOrder: po,
      ackType: b.ackType,
      vendorOrderRef: b.vendorOrderRef,
      acknowledgedAt: b.acknowledgedAt,
      // A rejected line commits nothing, whatever PO1 echoed.
      lines: lines.map((l) => (l.statusCode !== null && REJECTED_LINE_CODES.has(l.statusCode) ? { ...l, quantity: '0.0000' } : l)),
      notes: notes.length ? notes.join('\n') : null,
    },
  };
}
