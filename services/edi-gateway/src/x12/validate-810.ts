import type { X12Segment, X12Transaction } from 'node-x12';
import type { PurchaseOrderFacts, PurchaseOrderLookup, SupplierInvoice } from '../model/supplier-documents.js';
import type { PartnerProfile } from '../partners/partner-profile.js';
import { el, readProductIds } from './product-ids.js';
import { SegmentErrors, type BadElement, type SegmentError } from './segment-error.js';
import { checkDate, checkUnit, matchLine, readLineNumber, readPrice, readQuantity, toDate } from './supplier-lines.js';
import { AK3, AK4 } from './x12-codes.js';
import { formatScaled, multiplyScaled, parseX12Decimal } from './x12-numbers.js';

/** BIG07 transaction type: debit invoice, credit memo, debit memo, final, proforma. */
const BIG07 = new Set(['DI', 'CR', 'DR', 'FD', 'PR']);
const KNOWN_SEGMENTS = new Set(
  'BIG NTE CUR REF YNQ PER N1 N2 N3 N4 ITD DTM FOB PID MEA PWK PKG TD1 TD5 TD3 TD4 MSG IT1 IT3 TXI CTP PO4 SDQ SLN SAC TDS AMT CAD ISS CTT'.split(
    ' ',
  ),
);
/** N2: an amount with two implied decimals ("1438" = 14.38). */
const N2 = /^-?\d{1,16}$/;
const n2ToScaled4 = (v: string): bigint => BigInt(v) * 100n;

type InvoiceLine = SupplierInvoice['lines'][number];

/**
 * Segment rules of a supplier's 810 (BIG dates, invoice number and the PO it
 * bills, IT1 lines with quantity, unit and price, TXI taxes, SAC charges, TDS
 * total that must add up within a cent per line, CTT count), and the invoice
 * matched to our PO when there are no errors.
 */
export function validate810(
  tx: X12Transaction,
  profile: PartnerProfile,
  lookup: PurchaseOrderLookup,
): { errors: SegmentError[]; invoice: SupplierInvoice | null } {
  const errors = new SegmentErrors();
  let big = null as { date: Date; number: string; credit: boolean } | null;
  let po = undefined as PurchaseOrderFacts | undefined;
  let currency = null as string | null;
  let dueDate = null as Date | null;
  let paymentTerm = null as string | null;
  const lines: InvoiceLine[] = [];
  const charges: SupplierInvoice['charges'] = [];
  let tax = 0n;
  let sum = 0n; // decimal(18,4) units
  let tds = null as { seg: X12Segment; position: number; total: bigint } | null;
  let ctt = null as { seg: X12Segment; position: number } | null;
  let current = null as InvoiceLine | null;
  let loop: string | null = null;

  tx.segments.forEach((seg, i) => {
    const position = i + 2;
    const tag = seg.tag;
    if (!/^[A-Z][A-Z0-9]{1,2}$/.test(tag))
      return errors.segment(tag, position, loop, AK3.unrecognizedSegment, `unrecognized segment id "${tag}"`);
    if (!KNOWN_SEGMENTS.has(tag)) return errors.segment(tag, position, loop, AK3.unexpectedSegment, `segment ${tag} is not part of an 810`);
    if (tag === 'N1') loop = 'N1';
    if (tag === 'IT1') loop = 'IT1';
    if (tag === 'TDS') loop = null;
    switch (tag) {
      case 'BIG': {
        if (big || i !== 0) return errors.segment(tag, position, null, AK3.notInProperSequence, 'BIG must be the first segment, once');
        const bad: BadElement[] = [];
        const d1 = checkDate(el(seg, 1), 1);
        if (d1) bad.push(d1);
        if (!el(seg, 2)) bad.push([2, AK4.mandatoryMissing, '']);
        else if (el(seg, 2).length > 22) bad.push([2, AK4.tooLong, el(seg, 2)]);
        const d3 = checkDate(el(seg, 3), 3, true);
        if (d3) bad.push(d3);
        po = el(seg, 4) ? lookup(el(seg, 4)) : undefined;
        if (!el(seg, 4)) bad.push([4, AK4.mandatoryMissing, '']);
        else if (!po) bad.push([4, AK4.invalidCode, el(seg, 4)]);
        if (el(seg, 7) && !BIG07.has(el(seg, 7))) bad.push([7, AK4.invalidCode, el(seg, 7)]);
        if (bad.length) {
          const unknown = el(seg, 4) && !po;
          return errors.elements(
            tag,
            position,
            null,
            bad,
            unknown ? `BIG04 "${el(seg, 4)}" is not a purchase order we sent ${profile.id}` : `BIG has ${bad.length} bad element(s)`,
          );
        }
        big = { date: toDate(el(seg, 1)), number: el(seg, 2), credit: el(seg, 7) === 'CR' };
        return;
      }
      case 'CUR':
        if (!/^[A-Z]{3}$/.test(el(seg, 2)))
          return errors.elements(
            tag,
            position,
            null,
            [[2, el(seg, 2) ? AK4.invalidCode : AK4.mandatoryMissing, el(seg, 2)]],
            'CUR02 is not an ISO 4217 code',
          );
        currency = el(seg, 2);
        return;
      case 'ITD': {
        const bad: BadElement[] = [];
        const d = checkDate(el(seg, 6), 6, true);
        if (d) bad.push(d);
        if (el(seg, 7) && !/^\d{1,3}$/.test(el(seg, 7))) bad.push([7, AK4.invalidCharacter, el(seg, 7)]);
        if (bad.length) return errors.elements(tag, position, null, bad, `ITD has ${bad.length} bad element(s)`);
        if (el(seg, 6)) dueDate ??= toDate(el(seg, 6));
        paymentTerm ??= el(seg, 12) || (el(seg, 7) ? `Net ${el(seg, 7)}` : null);
        return;
      }
      case 'DTM': {
        if (!el(seg, 1)) return errors.elements(tag, position, loop, [[1, AK4.mandatoryMissing, '']], 'DTM01 qualifier missing');
        const d = checkDate(el(seg, 2), 2);
        if (d) return errors.elements(tag, position, loop, [d], `DTM02 "${el(seg, 2)}" is not a date`);
        if (el(seg, 1) === '814') dueDate = toDate(el(seg, 2));
        return;
      }
      case 'N1':
        if (!el(seg, 1)) return errors.elements(tag, position, 'N1', [[1, AK4.mandatoryMissing, '']], 'N101 entity code missing');
        return;
      case 'IT1': {
        current = null;
        const bad: BadElement[] = [];
        const lineNumber = readLineNumber(el(seg, 1), 1, true);
        if ('bad' in lineNumber) bad.push(lineNumber.bad);
        else if (lineNumber.value !== null && lines.some((l) => l.lineNumber === lineNumber.value))
          bad.push([1, AK4.invalidCode, el(seg, 1)]);
        const qty = readQuantity(el(seg, 2), 2);
        if ('bad' in qty) bad.push(qty.bad);
        const unit = checkUnit(el(seg, 3), 3);
        if (unit) bad.push(unit);
        const price = readPrice(el(seg, 4), 4, false);
        if ('bad' in price) bad.push(price.bad);
        const ids = readProductIds(seg, 6);
        bad.push(...ids.bad);
        if (!el(seg, 1) && Object.keys(ids.ids).length === 0 && ids.bad.length === 0) bad.push([7, AK4.mandatoryMissing, '']);
        if (bad.length)
          return errors.elements(tag, position, 'IT1', bad, `IT1 line ${el(seg, 1) || lines.length + 1} has ${bad.length} bad element(s)`);
        const q = (qty as { value: string }).value;
        const p = (price as { value: string }).value;
        sum += multiplyScaled(parseX12Decimal(q, 4)!, 4, parseX12Decimal(p, 6)!, 6, 4);
        if (!po) return;
        const line = matchLine(
          {
            lineNumber: (lineNumber as { value: number | null }).value,
            productIds: ids.ids,
            quantity: q,
            partnerUom: el(seg, 3),
            unitPrice: p,
          },
          po,
          profile,
        );
        current = { ...line, unitPrice: p, description: null };
        lines.push(current);
        return;
      }
      case 'PID':
        if (current && el(seg, 5)) current.description ??= el(seg, 5);
        return;
      case 'TXI': {
        if (!el(seg, 1)) return errors.elements(tag, position, loop, [[1, AK4.mandatoryMissing, '']], 'TXI01 tax type missing');
        if (!el(seg, 2)) return;
        const amount = parseX12Decimal(el(seg, 2), 4);
        if (amount === null)
          return errors.elements(tag, position, loop, [[2, AK4.invalidCharacter, el(seg, 2)]], `TXI02 "${el(seg, 2)}" is not an amount`);
        tax += amount;
        sum += amount;
        return;
      }
      case 'SAC': {
        const bad: BadElement[] = [];
        if (!el(seg, 1)) bad.push([1, AK4.mandatoryMissing, '']);
        else if (el(seg, 1) !== 'A' && el(seg, 1) !== 'C') bad.push([1, AK4.invalidCode, el(seg, 1)]);
        if (el(seg, 5) && !N2.test(el(seg, 5))) bad.push([5, AK4.invalidCharacter, el(seg, 5)]);
        if (bad.length) return errors.elements(tag, position, loop, bad, `SAC has ${bad.length} bad element(s)`);
        if (!el(seg, 5)) return;
        const amount = n2ToScaled4(el(seg, 5)) * (el(seg, 1) === 'A' ? -1n : 1n);
        sum += amount;
        charges.push({ code: el(seg, 2) || el(seg, 1), amount: formatScaled(amount, 4), description: el(seg, 15) || null });
        return;
      }
      case 'TDS':
        if (tds) return errors.segment(tag, position, null, AK3.segmentExceedsMaxUse, 'TDS more than once');
        if (!el(seg, 1) || !N2.test(el(seg, 1)))
          return errors.elements(
            tag,
            position,
            null,
            [[1, el(seg, 1) ? AK4.invalidCharacter : AK4.mandatoryMissing, el(seg, 1)]],
            'TDS01 must be the invoice total (N2)',
          );
        tds = { seg, position, total: n2ToScaled4(el(seg, 1)) };
        return;
      case 'CTT':
        ctt = errors.ctt(seg, position, 'IT1 lines') ?? ctt;
        return;
      default:
        return;
    }
  });

  if (!tx.segments.some((s) => s.tag === 'BIG')) errors.headerMissing('BIG');
  const it1 = tx.segments.filter((s) => s.tag === 'IT1').length;
  if (it1 === 0) errors.segment('IT1', tx.segments.length + 1, 'IT1', AK3.mandatorySegmentMissing, 'an 810 needs at least one IT1 line');
  const t = tds;
  if (!t) errors.segment('TDS', tx.segments.length + 1, null, AK3.mandatorySegmentMissing, 'the mandatory TDS total is missing');
  else if (errors.count === 0) {
    // Each line amount may have been rounded to the cent by the supplier: a cent per line (and one for the taxes) is tolerated.
    const diff = t.total > sum ? t.total - sum : sum - t.total;
    if (diff > BigInt(it1 + 1) * 100n)
      errors.elements(
        'TDS',
        t.position,
        null,
        [[1, AK4.invalidCode, el(t.seg, 1)]],
        `TDS01 is ${formatScaled(t.total, 4)}, the lines, charges and taxes add up to ${formatScaled(sum, 4)}`,
      );
  }
  errors.cttMatches(ctt, it1, ` lines, the invoice has ${it1}`);
  if (errors.count > 0 || !big || !po || !t) return { errors: errors.list, invoice: null };
  const b = big;
  const order = po;
  return {
    errors: errors.list,
    invoice: {
      purchaseOrder: order,
      invoiceNumber: b.number,
      invoiceDate: b.date,
      credit: b.credit,
      currency: currency ?? order.currency,
      dueDate,
      paymentTerm,
      lines,
      charges,
      taxAmount: formatScaled(tax, 4),
      totalAmount: formatScaled(t.total, 4),
    },
  };
}
