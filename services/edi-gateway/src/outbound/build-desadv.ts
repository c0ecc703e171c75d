import type { Shipment } from '@odx/schemas';
import { edifactDate as d102, edifactElement as comp, type EdifactBody } from '../edifact/build-interchange.js';
import type { PartnerOrder } from '../model/purchase-order.js';
import type { PartnerProfile } from '../partners/partner-profile.js';
import { toX12Decimal } from '../x12/x12-numbers.js';
import { AsnDataError } from './build-856.js';
import { ssccFor } from './sscc.js';

/** Shipment snapshot -> DESADV D.96A: consignment, then per package CPS/PAC/GIN (SSCC) and its LIN/QTY lines. */
export function buildDesadv(s: Shipment, dispatchedAt: Date, order: PartnerOrder, profile: PartnerProfile): EdifactBody {
  if (s.packages.length === 0) throw new AsnDataError(`shipment ${s.shipmentId} has no packages`);
  const segments: string[][] = [
    ['BGM', '351', comp((s.name ?? s.shipmentId).slice(0, 35)), '9'],
    ['DTM', comp('137', d102(dispatchedAt), '102')],
    ['DTM', comp('11', d102(s.shippedAt ?? dispatchedAt), '102')],
    ['RFF', comp('ON', order.poNumber)],
  ];
  if (s.bookingRef) segments.push(['RFF', comp('BM', s.bookingRef.slice(0, 35))]);
  segments.push(['NAD', 'DP', comp(s.shipTo.locationCode ?? '', '', s.shipTo.locationCode ? '9' : '')]);
  if (s.carrierCode) segments.push(['TDT', '20', '', '', '', comp(s.carrierCode.slice(0, 17), '', '182')]);
  segments.push(['CPS', '1']);
  let cps = 1;
  let seq = 0;
  for (const p of s.packages) {
    const sscc = ssccFor(p.packageId, p.sscc, profile.outbound.gs1CompanyPrefix);
    if (!sscc) throw new AsnDataError(`package ${p.packageId} has no SSCC and the profile of ${profile.id} has no GS1 company prefix`);
    segments.push(
      ['CPS', String(++cps), '1'],
      ['PAC', '1', '', p.packageType === 'PALLET' ? '201' : 'CT'],
      ['PCI', '33E'],
      ['GIN', 'BJ', sscc],
    );
    for (const c of p.contents) {
      const ordered = order.lines.find((l) => (c.lineNumber !== null && l.lineNumber === c.lineNumber) || l.sku === c.sku);
      seq++;
      segments.push(
        ['LIN', ordered?.buyerLineId ?? String(c.lineNumber ?? seq), '', comp(c.sku.slice(0, 35), 'SA')],
        ['QTY', comp('12', toX12Decimal(c.quantity), c.uom.slice(0, 3))],
      );
    }
  }
  segments.push(['CNT', comp('2', String(s.packages.reduce((n, p) => n + p.contents.length, 0)))]);
  return { type: 'DESADV', segments };
}
