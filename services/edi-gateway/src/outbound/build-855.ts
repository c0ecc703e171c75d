import type { OrderConfirmed } from '@odx/schemas';
import type { PartnerOrder, PartnerOrderLine } from '../model/purchase-order.js';
import type { PartnerProfile } from '../partners/partner-profile.js';
import { ccyymmdd, type SegmentSpec, type SetBody } from '../x12/build-interchange.js';
import { parseX12Decimal, toX12Decimal } from '../x12/x12-numbers.js';

/** Partner product ids of a line as PO1/LIN/IT1 qualifier-id pairs (buyer's first, then ours as VP). */
export function productIdPairs(sku: string | null, facts: PartnerOrderLine | undefined, gtin: string | null = null): string[] {
  const pairs: string[] = [];
  const ids = facts?.productIds ?? {};
  for (const q of ['BP', 'UP', 'EN', 'IN']) if (ids[q]) pairs.push(q, ids[q]);
  if (!ids['UP'] && gtin && /^\d{12}$/.test(gtin)) pairs.push('UP', gtin);
  if (sku) pairs.push('VP', sku);
  return pairs;
}

/** ACK01 line status: IA accepted, IQ quantity changed, IP price changed, IR rejected (on the 850 but not confirmed). */
export function lineStatus(ordered: PartnerOrderLine | undefined, qty: string, price: string): 'IA' | 'IQ' | 'IP' {
  if (!ordered) return 'IA';
  if (parseX12Decimal(ordered.quantity, 4) !== parseX12Decimal(qty, 4)) return 'IQ';
  if (ordered.unitPrice !== null && parseX12Decimal(ordered.unitPrice, 6) !== parseX12Decimal(price, 6)) return 'IP';
  return 'IA';
}

/** OrderConfirmed -> 855 purchase order acknowledgment with a status per line. */
export function build855(e: OrderConfirmed, partnerOrder: PartnerOrder, profile: PartnerProfile): SetBody {
  const o = e.order;
  const segments: SegmentSpec[] = [
    [
      'BAK',
      '00',
      profile.outbound.ack855Type,
      partnerOrder.poNumber,
      ccyymmdd(partnerOrder.poDate),
      '',
      '',
      '',
      o.name ?? o.orderId,
      ccyymmdd(e.confirmedAt),
    ],
    ['CUR', 'SE', o.currency],
  ];
  if (o.promisedDeliveryDate) segments.push(['DTM', '067', ccyymmdd(o.promisedDeliveryDate)]);
  segments.push(['N1', 'ST', o.shipTo.name ?? o.customer.name, ...(o.shipTo.locationCode ? ['92', o.shipTo.locationCode] : [])]);
  const confirmed = new Set<number>();
  let count = 0;
  o.lines.forEach((l, i) => {
    const ordered =
      partnerOrder.lines.find((f) => f.lineNumber === l.lineNumber && f.sku === l.sku) ??
      partnerOrder.lines.find((f) => f.sku === l.sku && !confirmed.has(f.lineNumber));
    if (ordered) confirmed.add(ordered.lineNumber);
    const lineNo = ordered?.buyerLineId ?? String(l.lineNumber || i + 1);
    const uom = ordered?.partnerUom ?? partnerUom(profile, l.uom);
    // PO1 echoes the ordered quantity with the price we confirm (so an IP line carries the new price); ACK02 the confirmed quantity.
    segments.push([
      'PO1',
      lineNo,
      toX12Decimal(ordered?.quantity ?? l.quantity),
      uom,
      toX12Decimal(l.unitPrice),
      '',
      ...productIdPairs(l.sku, ordered, l.gtin),
    ]);
    if (l.description) segments.push(['PID', 'F', '', '', '', l.description.slice(0, 80)]);
    const status = lineStatus(ordered, l.quantity, l.unitPrice);
    const date = l.promisedDate ?? o.promisedDeliveryDate;
    segments.push(['ACK', status, toX12Decimal(l.quantity), uom, ...(date ? ['068', ccyymmdd(date)] : [])]);
    count++;
  });
  for (const f of partnerOrder.lines) {
    if (confirmed.has(f.lineNumber)) continue;
    segments.push([
      'PO1',
      f.buyerLineId,
      toX12Decimal(f.quantity),
      f.partnerUom,
      toX12Decimal(f.unitPrice ?? '0'),
      '',
      ...productIdPairs(f.sku, f),
    ]);
    segments.push(['ACK', 'IR', '0', f.partnerUom]);
    count++;
  }
  segments.push(['CTT', String(count)]);
  return { code: '855', segments };
}

/** Our unit of measure in the partner's code (the profile maps theirs to ours). */
export function partnerUom(profile: PartnerProfile, ours: string): string {
  const found = [...profile.mappings.uom].find(([, v]) => v === ours);
  const code = found ? found[0] : ours;
  return /^[A-Z0-9]{2}$/.test(code) ? code : 'EA';
}
