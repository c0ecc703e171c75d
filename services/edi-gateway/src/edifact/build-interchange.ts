import type { Invoice, Shipment } from '@odx/schemas';
import type { PartnerProfile } from '../partners/partner-profile.js';
import type { PartnerOrder } from '../outbound/build-855.js';
import { AsnDataError } from '../outbound/build-856.js';
import { ssccFor } from '../outbound/sscc.js';
import { toX12Decimal } from '../x12/x12-numbers.js';
import { escapeEdifact as e } from './build-contrl.js';

/** One message: its type (UNH02) and segments as element arrays (components joined with ':'). */
export interface EdifactBody {
  type: 'DESADV' | 'INVOIC';
  segments: string[][];
}

const d102 = (d: Date): string => d.toISOString().slice(0, 10).replace(/-/g, '');
/** Element with components, each escaped. */
const comp = (...parts: string[]): string => {
  let end = parts.length;
  while (end > 1 && parts[end - 1] === '') end--;
  return parts.slice(0, end).map(e).join(':');
};

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
    segments.push(['CPS', String(++cps), '1'], ['PAC', '1', '', p.packageType === 'PALLET' ? '201' : 'CT'], ['PCI', '33E'], ['GIN', 'BJ', sscc]);
    for (const c of p.contents) {
      const ordered = order.lines.find((l) => (c.lineNumber !== null && l.lineNumber === c.lineNumber) || l.sku === c.sku);
      seq++;
      segments.push(['LIN', ordered?.buyerLineId ?? String(c.lineNumber ?? seq), '', comp(c.sku.slice(0, 35), 'SA')], ['QTY', comp('12', toX12Decimal(c.quantity), c.uom.slice(0, 3))]);
    }
  }
  segments.push(['CNT', comp('2', String(s.packages.reduce((n, p) => n + p.contents.length, 0)))]);
  return { type: 'DESADV', segments };
}

/** Invoice -> INVOIC D.96A (380 invoice, 381 credit note), amounts in MOA. */
export function buildInvoic(inv: Invoice, order: PartnerOrder): EdifactBody {
  const segments: string[][] = [
    ['BGM', inv.moveType === 'out_refund' ? '381' : '380', comp(inv.name.slice(0, 35)), '9'],
    ['DTM', comp('137', d102(inv.invoiceDate), '102')],
    ['RFF', comp('ON', order.poNumber)],
    ['NAD', 'BY', '', '', comp((inv.billTo?.name ?? inv.customer.name).slice(0, 35))],
    ['CUX', comp('2', inv.currency, '4')],
  ];
  if (inv.dueDate) segments.push(['DTM', comp('13', d102(inv.dueDate), '102')]);
  inv.lines.forEach((l, i) => {
    segments.push(
      ['LIN', String(i + 1), '', comp((l.sku ?? l.productId ?? 'ITEM').slice(0, 35), 'SA')],
      ['IMD', 'F', '', comp('', '', '', l.description.slice(0, 35))],
      ['QTY', comp('47', toX12Decimal(l.quantity), (l.uom ?? 'PCE').slice(0, 3))],
      ['MOA', comp('203', toX12Decimal(l.subtotal))],
      ['PRI', comp('AAA', toX12Decimal(l.unitPrice))],
    );
  });
  segments.push(['UNS', 'S'], ['CNT', comp('2', String(inv.lines.length))], ['MOA', comp('86', toX12Decimal(inv.amountTotal))], ['MOA', comp('125', toX12Decimal(inv.amountUntaxed))], ['MOA', comp('176', toX12Decimal(inv.amountTax))]);
  return { type: 'INVOIC', segments };
}

/** An interchange with one message, UNA service string and the partner's UNB ids. */
export function buildEdifactInterchange(profile: PartnerProfile, ref: number, body: EdifactBody, at: Date): string {
  if (!profile.edifact) throw new Error(`partner ${profile.id} has no EDIFACT ids`);
  const date = at.toISOString().slice(2, 10).replace(/-/g, '');
  const time = at.toISOString().slice(11, 16).replace(':', '');
  const segment = ([tag, ...els]: string[]): string => {
    let end = els.length;
    while (end > 1 && els[end - 1] === '') end--;
    return `${tag}+${els.slice(0, end).join('+')}'`;
  };
  const msg = [`UNH+1+${body.type}:D:96A:UN'`, ...body.segments.map(segment)];
  return `UNA:+.? 'UNB+UNOC:3+${e(profile.edifact.ourId)}:14+${e(profile.edifact.partnerId)}:14+${date}:${time}+${ref}'${msg.join('')}UNT+${msg.length + 1}+1'UNZ+1+${ref}'`;
}
