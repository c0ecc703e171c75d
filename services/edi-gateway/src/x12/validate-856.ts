import type { X12Segment, X12Transaction } from 'node-x12';
import type { PurchaseOrderFacts, PurchaseOrderLookup, SupplierShipNotice } from '../model/supplier-documents.js';
import type { PartnerProfile } from '../partners/partner-profile.js';
import { el, readProductIds } from './product-ids.js';
import { SegmentErrors, type BadElement, type SegmentError } from './segment-error.js';
import { checkDate, checkUnit, matchLine, readLineNumber, readQuantity, toDate } from './supplier-lines.js';
import { AK3, AK4 } from './x12-codes.js';

const BSN01 = new Set(['00', '01', '05', '06', '07', '18']);
/** HL03 levels: shipment, order, tare, pack, item (and sub-pack). */
const HL03 = new Set(['S', 'O', 'T', 'P', 'I', 'Q']);
const LOT = new Set(['LT']);
const KNOWN_SEGMENTS = new Set(
  'BSN HL LIN SN1 SLN PRF PO4 PID MEA PWK PKG TD1 TD5 TD3 TD4 REF PER MAN DTM FOB N1 N2 N3 N4 CUR SAC CLD TSD CTT'.split(' '),
);

type NoticeOrder = SupplierShipNotice['orders'][number];

/**
 * Segment rules of a supplier's 856 (BSN, the HL hierarchy shipment > order
 * > pack > item, PRF naming a PO we sent, LIN/SN1 per item with quantity and
 * unit, dates, CTT01 = number of HLs), and the ship notice matched to our
 * POs when there are no errors.
 */
export function validate856(
  tx: X12Transaction,
  profile: PartnerProfile,
  lookup: PurchaseOrderLookup,
): { errors: SegmentError[]; notice: SupplierShipNotice | null } {
  const errors = new SegmentErrors();
  let bsn = null as { asnNumber: string; purpose: string; date: Date } | null;
  const levels = new Map<string, { level: string; order: NoticeOrder | null | undefined; position: number }>();
  const orders = new Map<string, NoticeOrder>();
  let shippedAt: Date | null = null;
  let expectedAt: Date | null = null;
  let carrierCode: string | null = null;
  let bookingRef: string | null = null;
  let trackingNumber: string | null = null;
  let hl: { id: string; level: string; order: NoticeOrder | null | undefined; position: number } | null = null;
  let item: {
    position: number;
    sn1: boolean;
    lineNumber: number | null;
    ids: Record<string, string>;
    lot: string | null;
    order: NoticeOrder | null;
  } | null = null;
  let hlCount = 0;
  let lineCount = 0;
  let ctt: { seg: X12Segment; position: number } | null = null;

  const closeItem = (): void => {
    const it = item as typeof item;
    if (it && !it.sn1)
      errors.segment('SN1', it.position + 1, 'HL', AK3.mandatorySegmentMissing, `LIN at position ${it.position} has no SN1 quantity`);
    item = null;
  };

  tx.segments.forEach((seg, i) => {
    const position = i + 2;
    const tag = seg.tag;
    if (!/^[A-Z][A-Z0-9]{1,2}$/.test(tag))
      return errors.segment(tag, position, 'HL', AK3.unrecognizedSegment, `unrecognized segment id "${tag}"`);
    if (!KNOWN_SEGMENTS.has(tag)) return errors.segment(tag, position, 'HL', AK3.unexpectedSegment, `segment ${tag} is not part of an 856`);
    switch (tag) {
      case 'BSN': {
        if (bsn || i !== 0) return errors.segment(tag, position, null, AK3.notInProperSequence, 'BSN must be the first segment, once');
        const bad: BadElement[] = [];
        if (!el(seg, 1)) bad.push([1, AK4.mandatoryMissing, '']);
        else if (!BSN01.has(el(seg, 1))) bad.push([1, AK4.invalidCode, el(seg, 1)]);
        if (!el(seg, 2)) bad.push([2, AK4.mandatoryMissing, '']);
        else if (el(seg, 2).length > 30) bad.push([2, AK4.tooLong, el(seg, 2)]);
        const d = checkDate(el(seg, 3), 3);
        if (d) bad.push(d);
        if (!el(seg, 4)) bad.push([4, AK4.mandatoryMissing, '']);
        else if (!/^([01]\d|2[0-3])[0-5]\d([0-5]\d)?$/.test(el(seg, 4))) bad.push([4, AK4.invalidTime, el(seg, 4)]);
        if (bad.length) return errors.elements(tag, position, null, bad, `BSN has ${bad.length} bad element(s)`);
        bsn = { purpose: el(seg, 1), asnNumber: el(seg, 2), date: toDate(el(seg, 3)) };
        return;
      }
      case 'HL': {
        closeItem();
        hlCount++;
        const bad: BadElement[] = [];
        const id = el(seg, 1);
        const parentId = el(seg, 2);
        const level = el(seg, 3);
        if (!id) bad.push([1, AK4.mandatoryMissing, '']);
        else if (!/^\d{1,12}$/.test(id) || levels.has(id)) bad.push([1, AK4.invalidCode, id]);
        const parent = parentId ? levels.get(parentId) : undefined;
        if (parentId && !parent) bad.push([2, AK4.invalidCode, parentId]);
        if (!level) bad.push([3, AK4.mandatoryMissing, '']);
        else if (!HL03.has(level)) bad.push([3, AK4.invalidCode, level]);
        else if ((level === 'S') !== (hlCount === 1)) bad.push([3, AK4.invalidCode, level]);
        else if (level !== 'S' && !parentId) bad.push([2, AK4.conditionalMissing, '']);
        if (bad.length) {
          hl = { id, level, order: undefined, position };
          return errors.elements(
            tag,
            position,
            'HL',
            bad,
            `HL ${id || hlCount} has ${bad.length} bad element(s)${hlCount === 1 && level !== 'S' ? ' (the first level must be the shipment, S)' : ''}`,
          );
        }
        // An order level names its PO in its PRF; levels under it belong to that order.
        const order = level === 'O' ? null : parent?.order;
        hl = { id, level, order, position };
        levels.set(id, hl);
        return;
      }
      case 'PRF': {
        const h = hl as typeof hl;
        if (!h || h.level !== 'O') return errors.segment(tag, position, 'HL', AK3.notInProperSequence, 'PRF outside an order (O) level');
        const bad: BadElement[] = [];
        const found = el(seg, 1) ? lookup(el(seg, 1)) : undefined;
        if (!el(seg, 1)) bad.push([1, AK4.mandatoryMissing, '']);
        else if (!found) bad.push([1, AK4.invalidCode, el(seg, 1)]);
        const d = checkDate(el(seg, 4), 4, true);
        if (d) bad.push(d);
        if (bad.length)
          return errors.elements(
            tag,
            position,
            'HL',
            bad,
            found || !el(seg, 1)
              ? `PRF has ${bad.length} bad element(s)`
              : `PRF01 "${el(seg, 1)}" is not a purchase order we sent ${profile.id}`,
          );
        const po = found as PurchaseOrderFacts;
        let order = orders.get(po.name);
        if (!order) orders.set(po.name, (order = { purchaseOrder: po, lines: [] }));
        h.order = order;
        levels.set(h.id, h);
        return;
      }
      case 'LIN': {
        closeItem();
        lineCount++;
        const h = hl as typeof hl;
        if (!h || h.level !== 'I') return errors.segment(tag, position, 'HL', AK3.notInProperSequence, 'LIN outside an item (I) level');
        const bad: BadElement[] = [];
        const lineNumber = readLineNumber(el(seg, 1), 1, true);
        if ('bad' in lineNumber) bad.push(lineNumber.bad);
        const ids = readProductIds(seg, 2, LOT);
        bad.push(...ids.bad);
        if (Object.keys(ids.ids).length === 0 && !el(seg, 1) && ids.bad.length === 0) bad.push([3, AK4.mandatoryMissing, '']);
        const order = h.order ?? null;
        // Items under an order whose PRF was refused add nothing to that error.
        if (!order && errors.count === 0)
          errors.segment(tag, position, 'HL', AK3.notInProperSequence, 'an item level under no order (O) level with a PRF');
        if (bad.length) return errors.elements(tag, position, 'HL', bad, `LIN has ${bad.length} bad element(s)`);
        item = {
          order,
          position,
          sn1: false,
          lineNumber: (lineNumber as { value: number | null }).value,
          ids: ids.ids,
          lot: ids.extra[0]?.[1] ?? null,
        };
        return;
      }
      case 'SN1': {
        const it = item as typeof item;
        if (!it || it.sn1) return errors.segment(tag, position, 'HL', AK3.notInProperSequence, 'SN1 without its LIN');
        it.sn1 = true;
        const bad: BadElement[] = [];
        const qty = readQuantity(el(seg, 2), 2);
        if ('bad' in qty) bad.push(qty.bad);
        const unit = checkUnit(el(seg, 3), 3);
        if (unit) bad.push(unit);
        if (bad.length) return errors.elements(tag, position, 'HL', bad, `SN1 has ${bad.length} bad element(s)`);
        const order = it.order;
        if (!order) return;
        const quantity = (qty as { value: string }).value;
        const line = matchLine(
          { lineNumber: it.lineNumber, productIds: it.ids, quantity, partnerUom: el(seg, 3), unitPrice: null },
          order.purchaseOrder,
          profile,
        );
        order.lines.push({ ...line, lots: it.lot ? [{ lotNumber: it.lot, quantity }] : [] });
        return;
      }
      case 'DTM': {
        if (!el(seg, 1)) return errors.elements(tag, position, 'HL', [[1, AK4.mandatoryMissing, '']], 'DTM01 qualifier missing');
        const d = checkDate(el(seg, 2), 2);
        if (d) return errors.elements(tag, position, 'HL', [d], `DTM02 "${el(seg, 2)}" is not a date`);
        if (el(seg, 1) === '011') shippedAt ??= toDate(el(seg, 2));
        if (el(seg, 1) === '017' || el(seg, 1) === '067') expectedAt ??= toDate(el(seg, 2));
        return;
      }
      case 'REF':
        if (!el(seg, 1) || (!el(seg, 2) && !el(seg, 3)))
          return errors.elements(
            tag,
            position,
            'HL',
            [[el(seg, 1) ? 2 : 1, el(seg, 1) ? AK4.conditionalMissing : AK4.mandatoryMissing, '']],
            'REF needs a qualifier and a value',
          );
        if (el(seg, 1) === 'BM') bookingRef ??= el(seg, 2);
        if (el(seg, 1) === 'CN') trackingNumber ??= el(seg, 2);
        return;
      case 'TD5':
        if (el(seg, 3)) carrierCode ??= el(seg, 3);
        return;
      case 'CTT':
        closeItem();
        ctt = errors.ctt(seg, position, 'HL segments') ?? ctt;
        return;
      default:
        return;
    }
  });
  closeItem();

  if (!tx.segments.some((s) => s.tag === 'BSN')) errors.headerMissing('BSN');
  if (hlCount === 0) errors.segment('HL', tx.segments.length + 1, 'HL', AK3.mandatorySegmentMissing, 'an 856 needs a shipment (S) level');
  else if (![...levels.values()].some((l) => l.level === 'O'))
    errors.segment('HL', tx.segments.length + 1, 'HL', AK3.mandatorySegmentMissing, 'an 856 needs an order (O) level');
  else if (lineCount === 0)
    errors.segment('LIN', tx.segments.length + 1, 'HL', AK3.mandatorySegmentMissing, 'an 856 needs at least one item (LIN/SN1)');
  errors.cttMatches(ctt, hlCount, `, the notice has ${hlCount} HL segments`);
  if (errors.count === 0)
    for (const [id, l] of levels)
      if (l.level === 'O' && l.order === null)
        errors.segment('PRF', l.position + 1, 'HL', AK3.mandatorySegmentMissing, `order level HL ${id} has no PRF`);
  if (errors.count > 0 || !bsn) return { errors: errors.list, notice: null };
  const b = bsn;
  return {
    errors: errors.list,
    notice: {
      asnNumber: b.asnNumber,
      purpose: b.purpose,
      shippedAt: shippedAt ?? b.date,
      expectedAt,
      carrierCode,
      bookingRef,
      trackingNumber,
      orders: [...orders.values()].filter((o) => o.lines.length > 0),
    },
  };
}
