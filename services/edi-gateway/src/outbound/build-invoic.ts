import type { Invoice } from '@odx/schemas';
import { edifactDate as d102, edifactElement as comp, type EdifactBody } from '../edifact/build-interchange.js';
import type { PartnerOrder } from '../model/purchase-order.js';
import { toX12Decimal } from '../x12/x12-numbers.js';

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
  segments.push(
    ['UNS', 'S'],
    ['CNT', comp('2', String(inv.lines.length))],
    ['MOA', comp('86', toX12Decimal(inv.amountTotal))],
    ['MOA', comp('125', toX12Decimal(inv.amountUntaxed))],
    ['MOA', comp('176', toX12Decimal(inv.amountTax))],
  );
  return { type: 'INVOIC', segments };
}
