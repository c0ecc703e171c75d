import type { Invoice } from '@odx/schemas';
import type { PartnerOrder } from '../model/purchase-order.js';
import type { PartnerProfile } from '../partners/partner-profile.js';
import { ccyymmdd, type SegmentSpec, type SetBody } from '../x12/build-interchange.js';
import { toX12Decimal, toX12N2 } from '../x12/x12-numbers.js';
import { partnerUom, productIdPairs } from './build-855.js';

/** InvoicePosted -> 810 invoice (credit notes as BIG07 CR), totals in TDS (implied two decimals). */
export function build810(inv: Invoice, partnerOrder: PartnerOrder, profile: PartnerProfile): SetBody {
  const segments: SegmentSpec[] = [
    [
      'BIG',
      ccyymmdd(inv.invoiceDate),
      inv.name.slice(0, 22),
      ccyymmdd(partnerOrder.poDate),
      partnerOrder.poNumber,
      '',
      '',
      inv.moveType === 'out_refund' ? 'CR' : 'DI',
    ],
    ['CUR', 'SE', inv.currency],
  ];
  if (inv.paymentReference) segments.push(['REF', 'IV', inv.paymentReference.slice(0, 30)]);
  if (inv.orderName) segments.push(['REF', 'VN', inv.orderName.slice(0, 30)]);
  for (const shipmentId of inv.shipmentIds.slice(0, 10)) segments.push(['REF', 'SI', shipmentId.slice(0, 30)]);
  segments.push(['N1', 'BT', (inv.billTo?.name ?? inv.customer.name).slice(0, 60)]);
  if (inv.shipTo)
    segments.push([
      'N1',
      'ST',
      (inv.shipTo.name ?? inv.customer.name).slice(0, 60),
      ...(inv.shipTo.locationCode ? ['92', inv.shipTo.locationCode] : []),
    ]);
  if (inv.dueDate) segments.push(['ITD', '01', '3', '', '', '', ccyymmdd(inv.dueDate)]);
  segments.push(['DTM', '011', ccyymmdd(inv.invoiceDate)]);
  inv.lines.forEach((l, i) => {
    const ordered = partnerOrder.lines.find(
      (f) => (l.lineNumber !== null && f.lineNumber === l.lineNumber) || (l.sku !== null && f.sku === l.sku),
    );
    const uom = ordered?.partnerUom ?? partnerUom(profile, l.uom ?? 'EA');
    segments.push([
      'IT1',
      ordered?.buyerLineId ?? String(l.lineNumber ?? i + 1),
      toX12Decimal(l.quantity),
      uom,
      toX12Decimal(l.unitPrice),
      '',
      ...productIdPairs(l.sku, ordered),
    ]);
    segments.push(['PID', 'F', '', '', '', l.description.slice(0, 80)]);
  });
  segments.push(['TDS', toX12N2(inv.amountTotal)]);
  if (inv.amountTax !== '0.0000') segments.push(['TXI', 'TX', toX12Decimal(inv.amountTax)]);
  segments.push(['CTT', String(inv.lines.length)]);
  return { code: '810', segments };
}
