import type { Address, PurchaseOrder } from '@odx/schemas';
import type { PurchaseOrderFacts } from '../model/supplier-documents.js';
import type { PartnerProfile } from '../partners/partner-profile.js';
import { ccyymmdd, type SegmentSpec, type SetBody } from '../x12/build-interchange.js';
import { toX12Decimal } from '../x12/x12-numbers.js';
import { partnerUom } from './build-855.js';

/** The supplier's part number of a line: the PO's (product.supplierinfo), else the profile's mapping of our SKU. */
function vendorPart(profile: PartnerProfile, sku: string, given: string | null): string | null {
  if (given) return given;
  const found = [...profile.mappings.items].find(([, ours]) => ours === sku);
  return found ? found[0] : null;
}

/** N1 loop of an address: N1 (name, 92 location code), N3, N4. */
function party(code: 'ST' | 'BT', a: Address | null, fallbackName: string, locationCode: string | null): SegmentSpec[] {
  const name = (a?.companyName ?? a?.name ?? fallbackName).slice(0, 60);
  const code92 = a?.locationCode ?? locationCode;
  const out: SegmentSpec[] = [['N1', code, name, ...(code92 ? ['92', code92.slice(0, 80)] : [])]];
  if (a?.street1) out.push(['N3', a.street1.slice(0, 55), ...(a.street2 ? [a.street2.slice(0, 55)] : [])]);
  if (a?.city) out.push(['N4', a.city.slice(0, 30), a.region ?? '', a.postalCode ?? '', a.countryCode ?? '']);
  return out;
}

/**
 * PurchaseOrderConfirmed -> 850 to the supplier: BEG (new order, the PO name,
 * its date), CUR, REF VR (the supplier's own reference, when Odoo has one),
 * DTM 002 (delivery requested), N1 ST (where to deliver) and BT, PO1 per line
 * (our line number, quantity and unit in the supplier's code, price, VP the
 * supplier's part number, BP our SKU, UP the GTIN), PID, line DTM 002, CTT.
 */
export function build850(po: PurchaseOrder, profile: PartnerProfile): SetBody {
  const segments: SegmentSpec[] = [
    ['BEG', '00', 'SA', po.name.slice(0, 22), '', ccyymmdd(po.orderDate)],
    ['CUR', 'BY', po.currency],
  ];
  if (po.vendorRef) segments.push(['REF', 'VR', po.vendorRef.slice(0, 30)]);
  if (po.paymentTerm) segments.push(['ITD', '', '', '', '', '', '', '', '', '', '', '', po.paymentTerm.slice(0, 80)]);
  if (po.plannedDate) segments.push(['DTM', '002', ccyymmdd(po.plannedDate)]);
  if (po.notes) segments.push(['MSG', po.notes.replace(/\s+/g, ' ').slice(0, 264)]);
  segments.push(...party('ST', po.shipTo, po.warehouseCode ?? 'Receiving', po.warehouseCode));
  if (po.billTo) segments.push(...party('BT', po.billTo, po.billTo.name ?? '', null));
  for (const l of po.lines) {
    const vp = vendorPart(profile, l.sku, l.vendorProductCode);
    segments.push([
      'PO1',
      String(l.lineNumber),
      toX12Decimal(l.quantity),
      partnerUom(profile, l.uom),
      toX12Decimal(l.unitPrice),
      'PE',
      ...(vp ? ['VP', vp] : []),
      'BP',
      l.sku,
      ...(l.gtin && /^\d{12}$/.test(l.gtin) ? ['UP', l.gtin] : []),
    ]);
    if (l.description) segments.push(['PID', 'F', '', '', '', l.description.replace(/\s+/g, ' ').slice(0, 80)]);
    if (l.plannedDate) segments.push(['DTM', '002', ccyymmdd(l.plannedDate)]);
  }
  segments.push(['CTT', String(po.lines.length)]);
  return { code: '850', segments };
}

/** What the supplier's answers are read against: the PO as the 850 told it. */
export function purchaseOrderFactsOf(po: PurchaseOrder, profile: PartnerProfile): PurchaseOrderFacts {
  return {
    purchaseOrderId: po.purchaseOrderId,
    name: po.name,
    vendor: po.vendor,
    currency: po.currency,
    lines: po.lines.map((l) => ({
      lineId: l.lineId,
      lineNumber: l.lineNumber,
      sku: l.sku,
      productId: l.productId,
      vendorProductCode: vendorPart(profile, l.sku, l.vendorProductCode),
      gtin: l.gtin,
      description: l.description,
      quantity: l.quantity,
      uom: l.uom,
      unitPrice: l.unitPrice,
    })),
  };
}
