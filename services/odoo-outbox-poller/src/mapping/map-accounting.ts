import { deterministicEventId } from '@odx/runtime';
import type { CreditNotePosted, InvoiceLine, InvoicePosted, PaymentReceived } from '@odx/schemas';
import { decimal, m2oId, m2oName, odooDate, str } from '../odoo/odoo-values.js';
import { orderIdOf, type OdooRecord } from './map-sale-order.js';

export const INVOICE_FIELDS = [
  'name',
  'move_type',
  'state',
  'payment_state',
  'partner_id',
  'invoice_origin',
  'invoice_date',
  'invoice_date_due',
  'currency_id',
  'invoice_line_ids',
  'amount_untaxed',
  'amount_tax',
  'amount_total',
  'amount_residual',
  'invoice_payment_term_id',
  'payment_reference',
  'ref',
  'reversed_entry_id',
];
/** The account.move.line fields every invoice and bill line mapping reads. */
export const MOVE_LINE_FIELDS = [
  'product_id',
  'name',
  'quantity',
  'product_uom_id',
  'price_unit',
  'discount',
  'price_subtotal',
  'price_total',
  'tax_ids',
];
export const INVOICE_LINE_FIELDS = [...MOVE_LINE_FIELDS, 'sale_line_ids', 'display_type'];

export interface AccountingContext {
  lines: Map<number, OdooRecord>;
  partners: Map<number, OdooRecord>;
  products: Map<number, OdooRecord>;
  /** sale.order by name (invoice_origin), for the order reference. */
  ordersByName: Map<string, OdooRecord>;
  company: string;
}

const PAID_STATES = new Set(['paid', 'in_payment', 'partial']);

/** Customer documents the invoice mapping publishes: invoices, and credit notes no return explains. */
export const CUSTOMER_MOVE_TYPES = new Set(['out_invoice', 'out_refund']);

/** The RMA a credit note settles: its return picking (returnId), found through the invoice it reverses. */
export interface SettledReturn {
  returnId: string;
  rmaNumber: string | null;
  reversedInvoiceName: string | null;
}

/**
 * A posted customer invoice or credit note -> InvoicePosted (once per posting; moveType out_invoice or
 * out_refund, amounts positive). A credit note that settles a return is CreditNotePosted instead (mapCreditNote).
 */
export function mapInvoice(inv: OdooRecord, ctx: AccountingContext): InvoicePosted | null {
  const moveType = str(inv['move_type']);
  if (str(inv['state']) !== 'posted' || !CUSTOMER_MOVE_TYPES.has(moveType ?? '')) return null;
  const partner = ctx.partners.get(m2oId(inv['partner_id']) ?? -1);
  const order = ctx.ordersByName.get(str(inv['invoice_origin']) ?? '');
  const lines: InvoiceLine[] = [];
  for (const id of Array.isArray(inv['invoice_line_ids']) ? (inv['invoice_line_ids'] as number[]) : []) {
    const l = ctx.lines.get(id);
    if (!l || (str(l['display_type']) && l['display_type'] !== 'product')) continue;
    const product = ctx.products.get(m2oId(l['product_id']) ?? -1);
    const subtotal = typeof l['price_subtotal'] === 'number' ? l['price_subtotal'] : 0;
    const total = typeof l['price_total'] === 'number' ? l['price_total'] : subtotal;
    const saleLines = Array.isArray(l['sale_line_ids']) ? (l['sale_line_ids'] as number[]) : [];
    lines.push({
      lineId: String(l.id),
      orderLineId: saleLines[0] !== undefined ? String(saleLines[0]) : null,
      lineNumber: lines.length + 1,
      sku: str(product?.['default_code']),
      productId: m2oId(l['product_id']) !== null ? String(m2oId(l['product_id'])) : null,
      description: str(l['name']) ?? '',
      quantity: decimal(l['quantity'], 4),
      uom: m2oName(l['product_uom_id']),
      unitPrice: decimal(l['price_unit'], 6),
      discountPercent: decimal(l['discount'], 4),
      taxCodes: Array.isArray(l['tax_ids']) ? (l['tax_ids'] as unknown[]).map(String) : [],
      subtotal: decimal(subtotal, 4),
      taxAmount: decimal(total - subtotal, 4),
      total: decimal(total, 4),
    });
  }
  const invoiceDate = odooDate(inv['invoice_date']) ?? odooDate(inv['write_date']) ?? new Date(0);
  const address = partner
    ? {
        addressId: String(partner.id),
        name: str(partner['name']),
        companyName: null,
        street1: str(partner['street']),
        street2: str(partner['street2']),
        city: str(partner['city']),
        region: m2oName(partner['state_id']),
        postalCode: str(partner['zip']),
        countryCode: str(partner['country_code']),
        locationCode: null,
        phone: str(partner['phone']),
        email: str(partner['email']),
      }
    : null;
  return {
    meta: {
      eventId: deterministicEventId('account.move', inv.id, 'InvoicePosted', String(inv['name'] ?? '')),
      occurredAt: odooDate(inv['write_date']) ?? invoiceDate,
      source: 'odoo',
      correlationId: order ? orderIdOf(order) : `account.move:${inv.id}`,
      causationId: null,
      company: ctx.company,
    },
    invoice: {
      invoiceId: String(inv.id),
      name: str(inv['name']) ?? `invoice ${inv.id}`,
      moveType: moveType!,
      state: 'posted',
      paymentState: str(inv['payment_state']),
      orderId: order ? orderIdOf(order) : null,
      orderName: str(inv['invoice_origin']),
      clientOrderRef: str(order?.['client_order_ref']),
      customer: {
        partyId: partner ? String(partner.id) : 'unknown',
        ref: str(partner?.['ref']),
        name: str(partner?.['name']) ?? m2oName(inv['partner_id']) ?? 'unknown',
        vatNumber: str(partner?.['vat']),
        gln: null,
        ediPartnerId: null,
        email: str(partner?.['email']),
        phone: str(partner?.['phone']),
      },
      billTo: address,
      shipTo: null,
      invoiceDate,
      dueDate: odooDate(inv['invoice_date_due']),
      currency: m2oName(inv['currency_id']) ?? 'EUR',
      lines,
      amountUntaxed: decimal(inv['amount_untaxed'], 4),
      amountTax: decimal(inv['amount_tax'], 4),
      amountTotal: decimal(inv['amount_total'], 4),
      amountResidual: decimal(inv['amount_residual'], 4),
      paymentTerm: m2oName(inv['invoice_payment_term_id']),
      paymentReference: str(inv['payment_reference']),
      shipmentIds: [],
    },
    postedAt: odooDate(inv['write_date']) ?? invoiceDate,
  };
}

/**
 * A customer invoice whose payment_state says money arrived -> PaymentReceived
 * for the amount paid so far (one event per payment state and residual).
 */
export function mapInvoicePayment(inv: OdooRecord, ctx: AccountingContext): PaymentReceived | null {
  if (str(inv['move_type']) !== 'out_invoice' || !PAID_STATES.has(str(inv['payment_state']) ?? '')) return null;
  const total = typeof inv['amount_total'] === 'number' ? inv['amount_total'] : 0;
  const residual = typeof inv['amount_residual'] === 'number' ? inv['amount_residual'] : 0;
  const paid = decimal(total - residual, 4);
  const partner = ctx.partners.get(m2oId(inv['partner_id']) ?? -1);
  const paymentId = `odoo-invoice-${inv.id}-${str(inv['payment_state'])}-${paid}`;
  const at = odooDate(inv['write_date']) ?? new Date(0);
  return {
    meta: {
      eventId: deterministicEventId('account.move', inv.id, 'PaymentReceived', String(inv['payment_state']), paid),
      occurredAt: at,
      source: 'odoo',
      correlationId: `account.move:${inv.id}`,
      causationId: null,
      company: ctx.company,
    },
    payment: {
      paymentId,
      name: null,
      paymentType: 'inbound',
      customer: {
        partyId: partner ? String(partner.id) : 'unknown',
        ref: str(partner?.['ref']),
        name: str(partner?.['name']) ?? m2oName(inv['partner_id']) ?? 'unknown',
        vatNumber: str(partner?.['vat']),
        gln: null,
        ediPartnerId: null,
        email: str(partner?.['email']),
        phone: str(partner?.['phone']),
      },
      amount: paid,
      currency: m2oName(inv['currency_id']) ?? 'EUR',
      paymentDate: at,
      method: null,
      reference: str(inv['payment_reference']),
      journalCode: null,
      allocations: [{ invoiceId: String(inv.id), invoiceName: str(inv['name']), amount: paid }],
    },
  };
}

/** A posted out_refund that reverses an invoice (reversed_entry_id) and settles a return -> CreditNotePosted, keyed by the return. */
export function mapCreditNote(inv: OdooRecord, ctx: AccountingContext, settled: SettledReturn): CreditNotePosted | null {
  if (str(inv['move_type']) !== 'out_refund' || m2oId(inv['reversed_entry_id']) === null) return null;
  const posted = mapInvoice(inv, ctx);
  if (!posted) return null;
  return {
    meta: {
      ...posted.meta,
      eventId: deterministicEventId('account.move', inv.id, 'CreditNotePosted', String(inv['name'] ?? '')),
      correlationId: posted.invoice.orderId ?? `return:${settled.returnId}`,
    },
    returnId: settled.returnId,
    rmaNumber: settled.rmaNumber,
    creditNote: posted.invoice,
    reversedInvoiceId: String(m2oId(inv['reversed_entry_id'])),
    reversedInvoiceName: settled.reversedInvoiceName ?? m2oName(inv['reversed_entry_id']),
    postedAt: posted.postedAt,
  };
}
