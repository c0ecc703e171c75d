import type { X12Segment, X12Transaction } from 'node-x12';
import type { PurchaseOrder, PurchaseOrderLine } from '../model/purchase-order.js';
import type { PartnerProfile } from '../partners/partner-profile.js';
import { validDate } from './read-interchange.js';
import type { SegmentError } from './segment-error.js';
import { AK3, AK4 } from './x12-codes.js';
import { PRODUCT_QUALIFIERS } from './product-ids.js';
import { formatScaled, parseX12Decimal } from './x12-numbers.js';

const BEG01 = new Set(['00', '05', '06', '07']);
const BEG02 = new Set(['SA', 'NE', 'KN', 'RL', 'DS', 'OS', 'BK', 'RO', 'CF']);
/** Segments an 850 may carry; anything else is reported as unexpected. */
const KNOWN_SEGMENTS = new Set([
  'BEG',
  'CUR',
  'REF',
  'PER',
  'TAX',
  'FOB',
  'CSH',
  'SAC',
  'ITD',
  'DIS',
  'DTM',
  'LIN',
  'SI',
  'PID',
  'MEA',
  'PWK',
  'PKG',
  'TD1',
  'TD5',
  'TD3',
  'TD4',
  'MAN',
  'CTP',
  'TXI',
  'N9',
  'MSG',
  'N1',
  'N2',
  'N3',
  'N4',
  'PO1',
  'PO3',
  'PO4',
  'SDQ',
  'SCH',
  'AMT',
  'CTT',
  'SLN',
  'QTY',
  'ACK',
]);

function el(seg: X12Segment, n: number): string {
  return seg.elements[n - 1]?.value ?? '';
}

/**
 * Segment rules of an 850 (required segments and elements, codes, numbers,
 * dates, CTT count, item mapping through the profile). Returns every error
 * found (for the 997's AK3/AK4) and the purchase order when there are none.
 */
export function validate850(tx: X12Transaction, profile: PartnerProfile): { errors: SegmentError[]; po: PurchaseOrder | null } {
  const errors: SegmentError[] = [];
  const err = (
    seg: X12Segment,
    position: number,
    loopId: string | null,
    elements: Array<[number, string, string]>,
    message: string,
    code: string = AK3.segmentHasElementErrors,
  ): void => {
    errors.push({
      segmentId: seg.tag,
      position,
      loopId,
      code,
      elements: elements.map(([p, c, v]) => ({ position: p, code: c, value: v })),
      message,
    });
  };
  let beg: { purpose: string; orderType: string; poNumber: string; poDate: Date } | null = null;
  let currency = profile.orders.currency;
  let requested: Date | null = null;
  let shipTo: PurchaseOrder['shipTo'] = null;
  let inShipTo = false;
  let ctt: { seg: X12Segment; position: number } | null = null;
  const notes: string[] = [];
  const lines: PurchaseOrderLine[] = [];
  let currentLine: PurchaseOrderLine | null = null;
  let loop: string | null = null;

  tx.segments.forEach((seg, i) => {
    const position = i + 2; // ST is position 1
    const tag = seg.tag;
    if (!/^[A-Z][A-Z0-9]{1,2}$/.test(tag)) {
      err(seg, position, loop, [], `unrecognized segment id "${tag}"`, AK3.unrecognizedSegment);
      return;
    }
    if (!KNOWN_SEGMENTS.has(tag)) {
      err(seg, position, loop, [], `segment ${tag} is not part of an 850`, AK3.unexpectedSegment);
      return;
    }
    if (tag === 'N1') loop = 'N1';
    if (tag === 'PO1') loop = 'PO1';
    if (tag === 'CTT') loop = 'CTT';
    switch (tag) {
      case 'BEG': {
        if (beg || i !== 0) {
          err(seg, position, null, [], 'BEG must be the first segment, once', AK3.notInProperSequence);
          return;
        }
        const bad: Array<[number, string, string]> = [];
        if (!el(seg, 1)) bad.push([1, AK4.mandatoryMissing, '']);
        else if (!BEG01.has(el(seg, 1))) bad.push([1, AK4.invalidCode, el(seg, 1)]);
        if (!el(seg, 2)) bad.push([2, AK4.mandatoryMissing, '']);
        else if (!BEG02.has(el(seg, 2))) bad.push([2, AK4.invalidCode, el(seg, 2)]);
        if (!el(seg, 3)) bad.push([3, AK4.mandatoryMissing, '']);
        else if (el(seg, 3).length > 22) bad.push([3, AK4.tooLong, el(seg, 3)]);
        if (!el(seg, 5)) bad.push([5, AK4.mandatoryMissing, '']);
        else if (!validDate(el(seg, 5))) bad.push([5, AK4.invalidDate, el(seg, 5)]);
        if (bad.length) return err(seg, position, null, bad, `BEG has ${bad.length} bad element(s)`);
        beg = { purpose: el(seg, 1), orderType: el(seg, 2), poNumber: el(seg, 3), poDate: toDate(el(seg, 5)) };
        return;
      }
      case 'CUR':
        if (el(seg, 1) === 'BY' || el(seg, 1) === 'SE') {
          if (!/^[A-Z]{3}$/.test(el(seg, 2)))
            return err(seg, position, null, [[2, AK4.invalidCode, el(seg, 2)]], 'CUR02 is not an ISO 4217 code');
          currency = el(seg, 2);
        }
        return;
      case 'DTM':
        if (!el(seg, 1)) return err(seg, position, loop, [[1, AK4.mandatoryMissing, '']], 'DTM01 qualifier missing');
        if (el(seg, 2) && !validDate(el(seg, 2)))
          return err(seg, position, loop, [[2, AK4.invalidDate, el(seg, 2)]], `DTM02 "${el(seg, 2)}" is not a date`);
        if (['002', '010', '037', '074'].includes(el(seg, 1)) && el(seg, 2)) {
          const d = toDate(el(seg, 2));
          const line = currentLine as PurchaseOrderLine | null;
          if (line) line.requestedDate ??= d;
          else if (requested === null || el(seg, 1) === '002') requested = d;
        }
        return;
      case 'MSG':
        if (el(seg, 1)) notes.push(el(seg, 1));
        return;
      case 'N1': {
        inShipTo = el(seg, 1) === 'ST';
        if (!el(seg, 1)) return err(seg, position, 'N1', [[1, AK4.mandatoryMissing, '']], 'N101 entity code missing');
        if (el(seg, 3) && !el(seg, 4))
          return err(seg, position, 'N1', [[4, AK4.conditionalMissing, '']], 'N104 required when N103 is given');
        if (!el(seg, 2) && !el(seg, 4))
          return err(seg, position, 'N1', [[2, AK4.conditionalMissing, '']], 'N1 needs a name (N102) or an id (N104)');
        if (inShipTo) {
          const code = el(seg, 4) || null;
          const mapped = code ? profile.mappings.shipTo.get(code) : undefined;
          shipTo = {
            locationCode: code,
            name: mapped?.name ?? (el(seg, 2) || null),
            street1: mapped?.street1 ?? null,
            street2: null,
            city: mapped?.city ?? null,
            region: mapped?.region ?? null,
            postalCode: mapped?.postalCode ?? null,
            countryCode: mapped?.countryCode ?? null,
          };
        }
        return;
      }
      case 'N3':
        if (!el(seg, 1)) return err(seg, position, 'N1', [[1, AK4.mandatoryMissing, '']], 'N301 address missing');
        if (inShipTo && shipTo) {
          shipTo.street1 ??= el(seg, 1);
          shipTo.street2 ??= el(seg, 2) || null;
        }
        return;
      case 'N4':
        if (el(seg, 4) && !/^[A-Z]{2,3}$/.test(el(seg, 4)))
          return err(seg, position, 'N1', [[4, AK4.invalidCode, el(seg, 4)]], `N404 "${el(seg, 4)}" is not a country code`);
        if (inShipTo && shipTo) {
          shipTo.city ??= el(seg, 1) || null;
          shipTo.region ??= el(seg, 2) || null;
          shipTo.postalCode ??= el(seg, 3) || null;
          shipTo.countryCode ??= el(seg, 4) ? el(seg, 4).slice(0, 2) : null;
        }
        return;
      case 'PO1': {
        inShipTo = false;
        currentLine = null;
        const bad: Array<[number, string, string]> = [];
        const qty = el(seg, 2) ? parseX12Decimal(el(seg, 2), 4) : null;
        if (!el(seg, 2)) bad.push([2, AK4.mandatoryMissing, '']);
        else if (qty === null) bad.push([2, AK4.invalidCharacter, el(seg, 2)]);
        else if (qty <= 0n) bad.push([2, AK4.invalidCode, el(seg, 2)]);
        if (!el(seg, 3)) bad.push([3, AK4.mandatoryMissing, '']);
        else if (!/^[A-Z0-9]{2}$/.test(el(seg, 3))) bad.push([3, AK4.invalidCode, el(seg, 3)]);
        const price = el(seg, 4) ? parseX12Decimal(el(seg, 4), 6) : null;
        if (el(seg, 4) && (price === null || price < 0n)) bad.push([4, AK4.invalidCharacter, el(seg, 4)]);
        const productIds: Record<string, string> = {};
        for (let p = 6; p <= seg.elements.length; p += 2) {
          const q = el(seg, p);
          const id = el(seg, p + 1);
          if (!q && !id) continue;
          if (!PRODUCT_QUALIFIERS.has(q)) bad.push([p, q ? AK4.invalidCode : AK4.conditionalMissing, q]);
          else if (!id) bad.push([p + 1, AK4.conditionalMissing, '']);
          else productIds[q] = id;
        }
        if (Object.keys(productIds).length === 0 && !bad.some(([p]) => p >= 6)) bad.push([7, AK4.mandatoryMissing, '']);
        const mappedSku = Object.values(productIds)
          .map((id) => profile.mappings.items.get(id))
          .find((s) => s !== undefined);
        if (!mappedSku && Object.keys(productIds).length > 0 && profile.orders.requireItemMapping) {
          bad.push([7, AK4.invalidCode, Object.values(productIds)[0] ?? '']);
        }
        const lineNumber = /^\d{1,6}$/.test(el(seg, 1)) ? Number(el(seg, 1)) : lines.length + 1;
        if (el(seg, 1) && lines.some((l) => l.buyerLineId === el(seg, 1))) bad.push([1, AK4.invalidCode, el(seg, 1)]);
        if (bad.length)
          return err(
            seg,
            position,
            'PO1',
            bad,
            `PO1 line ${el(seg, 1) || lines.length + 1} has ${bad.length} bad element(s)${!mappedSku && profile.orders.requireItemMapping ? ' (item not in the partner profile)' : ''}`,
          );
        currentLine = {
          lineNumber,
          buyerLineId: el(seg, 1) || String(lineNumber),
          quantity: formatScaled(qty!, 4),
          partnerUom: el(seg, 3),
          uom: profile.mappings.uom.get(el(seg, 3)) ?? el(seg, 3),
          unitPrice: price === null ? null : formatScaled(price, 6),
          productIds,
          sku: mappedSku ?? productIds['VP'] ?? productIds['SK'] ?? Object.values(productIds)[0]!,
          gtin: productIds['UP'] ?? productIds['EN'] ?? productIds['UK'] ?? null,
          description: null,
          requestedDate: null,
        };
        lines.push(currentLine);
        return;
      }
      case 'PID':
        if (currentLine && el(seg, 5)) currentLine.description ??= el(seg, 5);
        return;
      case 'CTT':
        if (!/^\d+$/.test(el(seg, 1)))
          return err(
            seg,
            position,
            'CTT',
            [[1, el(seg, 1) ? AK4.invalidCharacter : AK4.mandatoryMissing, el(seg, 1)]],
            'CTT01 must be the number of PO1 lines',
          );
        ctt = { seg, position };
        return;
      default:
        return;
    }
  });

  if (!tx.segments.some((seg) => seg.tag === 'BEG'))
    errors.unshift({
      segmentId: 'BEG',
      position: 2,
      loopId: null,
      code: AK3.mandatorySegmentMissing,
      elements: [],
      message: 'the mandatory BEG segment is missing',
    });
  const poLines = tx.segments.filter((s) => s.tag === 'PO1').length;
  if (poLines === 0)
    errors.push({
      segmentId: 'PO1',
      position: tx.segments.length + 1,
      loopId: 'PO1',
      code: AK3.mandatorySegmentMissing,
      elements: [],
      message: 'an 850 needs at least one PO1 line',
    });
  const c = ctt as { seg: X12Segment; position: number } | null;
  if (c && Number(el(c.seg, 1)) !== poLines) {
    errors.push({
      segmentId: 'CTT',
      position: c.position,
      loopId: 'CTT',
      code: AK3.segmentHasElementErrors,
      elements: [{ position: 1, code: AK4.invalidCode, value: el(c.seg, 1) }],
      message: `CTT01 says ${el(c.seg, 1)} lines, the order has ${poLines}`,
    });
  }
  if (errors.length > 0 || !beg) return { errors, po: null };
  const b = beg as { purpose: string; orderType: string; poNumber: string; poDate: Date };
  return {
    errors,
    po: {
      purpose: b.purpose,
      orderType: b.orderType,
      poNumber: b.poNumber,
      poDate: b.poDate,
      currency,
      requestedDeliveryDate: requested,
      shipTo,
      lines,
      notes: notes.length ? notes.join('\n') : null,
    },
  };
}

export function toDate(ccyymmdd: string): Date {
  return new Date(Date.UTC(Number(ccyymmdd.slice(0, 4)), Number(ccyymmdd.slice(4, 6)) - 1, Number(ccyymmdd.slice(6, 8))));
}
