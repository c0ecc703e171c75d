// A supplier's documents as Midwest Fastener (infra/partners/midwest-fastener.yaml) sends them, and the PO they answer.
import type { PurchaseOrder } from '@odx/schemas';
import { samplePurchaseOrder } from '@odx/schemas/fixtures';
import { NORTHWIND_STYLE, render, type SampleGroup, type SampleInterchange, type SampleSet } from './x12-samples.js';

export const SUPPLIER = 'midwest-fastener';

/** A PO to Midwest Fastener (vendor ref V00001), two lines: 200 BX of bolts at 6.125, 10 BG of washers at 3.40. */
export function supplierPo(name = 'P00077', id = '77'): PurchaseOrder {
  const po = samplePurchaseOrder();
  return {
    ...po,
    purchaseOrderId: id,
    name,
    vendor: { ...po.vendor, ref: 'V00001', ediPartnerId: null },
    lines: po.lines.map((l) => ({ ...l, quantityReceived: '0.0000' })),
  };
}

export function supplierEnvelope(isa13: string, groups: SampleGroup[]): SampleInterchange {
  return {
    style: NORTHWIND_STYLE,
    sender: { qualifier: 'ZZ', id: 'MIDWESTFAST' },
    receiver: { qualifier: 'ZZ', id: 'ODXDIST' },
    isa13,
    groups: groups.map((g) => ({ gs02: 'MIDWESTFAST', gs03: 'ODXDIST', ...g })),
  };
}

const FUNCTIONAL: Record<string, string> = { '855': 'PR', '856': 'SH', '810': 'IN', '997': 'FA' };

/** One set from the supplier in its own interchange and group. */
export function supplierDoc(isa13: string, code: string, segments: string[][], over: Partial<SampleSet> = {}): string {
  return render(
    supplierEnvelope(isa13, [
      { functionalId: FUNCTIONAL[code] ?? 'PR', gs06: String(Number(isa13)), sets: [{ code, st02: '0001', segments, ...over }] },
    ]),
  );
}

/** 855 body: BAK, then per line PO1 + ACK (status, quantity, unit; ship date 068 when given), CTT. */
export function ack855(
  po: string,
  lines: Array<{ line: string; qty: string; uom: string; price: string; ack?: [status: string, qty: string, uom: string]; vp?: string }>,
  o: { type?: string; date?: string; ackDate?: string; ctt?: string; shipDate?: string } = {},
): string[][] {
  return [
    ['BAK', '00', o.type ?? 'AC', po, o.date ?? '20261120', '', '', '', 'SO-5521', o.ackDate ?? '20261121'],
    ...lines.flatMap((l) => [
      ['PO1', l.line, l.qty, l.uom, l.price, 'PE', ...(l.vp ? ['VP', l.vp] : [])],
      ...(l.ack ? [['ACK', ...l.ack, ...(o.shipDate && l.ack[0] !== 'IR' ? ['068', o.shipDate] : [])]] : []),
    ]),
    ['CTT', o.ctt ?? String(lines.length)],
  ];
}

/** 856 body: BSN, shipment level (TD5, REF BM/CN, DTM 011/017), one order level per PO, one item level per line. */
export function asn856(
  asn: string,
  orders: Array<{ po: string; items: Array<{ line: string; qty: string; uom: string; lot?: string }> }>,
  o: { ctt?: string } = {},
): string[][] {
  const body: string[][] = [
    ['BSN', '00', asn, '20261125', '1200', '0001'],
    ['HL', '1', '', 'S'],
    ['TD5', 'B', '2', 'UPSN'],
    ['REF', 'BM', 'BOL-8812'],
    ['REF', 'CN', '1Z999AA10123456784'],
    ['DTM', '011', '20261125'],
    ['DTM', '017', '20261128'],
  ];
  let hl = 1;
  for (const order of orders) {
    const orderHl = String(++hl);
    body.push(['HL', orderHl, '1', 'O'], ['PRF', order.po, '', '', '20261120']);
    for (const item of order.items) {
      body.push(['HL', String(++hl), orderHl, 'I'], ['LIN', item.line, 'VP', 'FS-933-0850', ...(item.lot ? ['LT', item.lot] : [])]);
      body.push(['SN1', '', item.qty, item.uom]);
    }
  }
  body.push(['CTT', o.ctt ?? String(hl)]);
  return body;
}

/** 810 body: BIG, CUR, ITD net 30, IT1 per line, TXI, SAC freight, TDS (N2), CTT. */
export function invoice810(
  invoiceNo: string,
  po: string,
  lines: Array<{ line: string; qty: string; uom: string; price: string }>,
  o: { tds?: string; tax?: string; freightCents?: string; credit?: boolean; ctt?: string } = {},
): string[][] {
  const cents = (v: string): bigint => BigInt(Math.round(Number(v) * 100));
  const sum = lines.reduce((n, l) => n + BigInt(Math.round(Number(l.qty) * Number(l.price) * 100)), 0n);
  const total = sum + cents(o.tax ?? '0') + BigInt(o.freightCents ?? '0');
  return [
    ['BIG', '20261126', invoiceNo, '20261120', po, '', '', o.credit ? 'CR' : 'DI'],
    ['CUR', 'SE', 'USD'],
    ['ITD', '01', '3', '', '', '', '', '30'],
    ...lines.map((l) => ['IT1', l.line, l.qty, l.uom, l.price, 'PE', 'VP', 'FS-933-0850']),
    ...(o.tax ? [['TXI', 'ST', o.tax]] : []),
    ...(o.freightCents ? [['SAC', 'C', 'D240', '', '', o.freightCents]] : []),
    ['TDS', o.tds ?? String(total)],
    ['CTT', o.ctt ?? String(lines.length)],
  ];
}
