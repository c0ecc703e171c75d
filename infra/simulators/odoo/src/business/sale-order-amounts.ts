/** Stored computed values of sales orders and invoices (amounts, quantities to invoice, statuses). */
import { round2 } from '../models/product.js';
import type { Env } from '../orm/env.js';

function taxRate(env: Env, taxIds: unknown): number {
  if (!Array.isArray(taxIds)) return 0;
  return taxIds.reduce((sum: number, id) => {
    const t = env.store.get('account.tax', id as number);
    return sum + (t && t.amount_type === 'percent' ? Number(t.amount ?? 0) : 0);
  }, 0);
}

/** price_subtotal / price_tax / price_total of a priced line (sale.order.line or account.move.line). */
export function lineAmounts(
  env: Env,
  qty: number,
  priceUnit: number,
  discount: number,
  taxIds: unknown,
): { subtotal: number; tax: number; total: number } {
  const subtotal = round2(qty * priceUnit * (1 - discount / 100));
  const tax = round2((subtotal * taxRate(env, taxIds)) / 100);
  return { subtotal, tax, total: round2(subtotal + tax) };
}

export function refreshSaleLine(env: Env, lineId: number): void {
  const line = env.browse('sale.order.line', lineId);
  const a = lineAmounts(env, Number(line.product_uom_qty ?? 0), Number(line.price_unit ?? 0), Number(line.discount ?? 0), line.tax_id);
  const order = env.browse('sale.order', line.order_id as number);
  const product = typeof line.product_id === 'number' ? env.store.get('product.product', line.product_id) : undefined;
  const ordered = Number(line.product_uom_qty ?? 0);
  const invoiced = Number(line.qty_invoiced ?? 0);
  const base = product?.invoice_policy === 'delivery' ? Number(line.qty_delivered ?? 0) : ordered;
  // Negative after a return that updates the order (to_refund): the next invoice is a credit note.
  const toInvoice = order.state === 'sale' ? Math.round((base - invoiced) * 1e6) / 1e6 : 0;
  let status = 'no';
  if (order.state === 'sale') status = toInvoice !== 0 ? 'to invoice' : invoiced >= ordered && ordered > 0 ? 'invoiced' : 'no';
  env.setStored('sale.order.line', lineId, {
    price_subtotal: a.subtotal,
    price_tax: a.tax,
    price_total: a.total,
    qty_to_invoice: toInvoice,
    invoice_status: status,
  });
}

/**
 * sale_stock's qty_delivered: done moves to a customer count (a return's move only with
 * to_refund), done moves back from a customer subtract when to_refund.
 */
export function refreshQtyDelivered(env: Env, lineId: number): void {
  const line = env.browse('sale.order.line', lineId);
  let total = 0;
  for (const mid of env.store.referencing('stock.move', 'sale_line_id', lineId)) {
    const m = env.store.get('stock.move', mid)!;
    if (m.state !== 'done' || m.product_id !== line.product_id) continue;
    const toCustomer = env.store.get('stock.location', m.location_dest_id as number)?.usage === 'customer';
    if (toCustomer && (typeof m.origin_returned_move_id !== 'number' || m.to_refund === true)) total += Number(m.quantity ?? 0);
    else if (!toCustomer && m.to_refund === true) total -= Number(m.quantity ?? 0);
  }
  env.setStored('sale.order.line', lineId, { qty_delivered: Math.round(total * 1e6) / 1e6 });
}

/** Order totals and invoice_status from its lines. */
export function refreshSaleOrder(env: Env, orderId: number): void {
  const lineIds = env.store.referencing('sale.order.line', 'order_id', orderId);
  let untaxed = 0;
  let tax = 0;
  const statuses: string[] = [];
  for (const id of lineIds) {
    const l = env.store.get('sale.order.line', id)!;
    untaxed += Number(l.price_subtotal ?? 0);
    tax += Number(l.price_tax ?? 0);
    statuses.push(String(l.invoice_status ?? 'no'));
  }
  const order = env.browse('sale.order', orderId);
  let invoiceStatus = 'no';
  if (order.state === 'sale') {
    if (statuses.includes('to invoice')) invoiceStatus = 'to invoice';
    else if (statuses.length && statuses.every((s) => s === 'invoiced')) invoiceStatus = 'invoiced';
  }
  env.setStored('sale.order', orderId, {
    amount_untaxed: round2(untaxed),
    amount_tax: round2(tax),
    amount_total: round2(untaxed + tax),
    invoice_status: invoiceStatus,
  });
}

/** Recomputes every line then the order (after state or quantity changes). */
export function refreshSaleOrderStatus(env: Env, orderId: number): void {
  for (const id of env.store.referencing('sale.order.line', 'order_id', orderId)) refreshSaleLine(env, id);
  refreshSaleOrder(env, orderId);
}

export function refreshInvoice(env: Env, moveId: number): void {
  let untaxed = 0;
  let tax = 0;
  for (const id of env.store.referencing('account.move.line', 'move_id', moveId)) {
    const l = env.store.get('account.move.line', id)!;
    const a = lineAmounts(env, Number(l.quantity ?? 0), Number(l.price_unit ?? 0), Number(l.discount ?? 0), l.tax_ids);
    env.setStored('account.move.line', id, { price_subtotal: a.subtotal, price_total: a.total });
    untaxed += a.subtotal;
    tax += a.tax;
  }
  const move = env.browse('account.move', moveId);
  const total = round2(untaxed + tax);
  const paid = Number(move.x_amount_paid ?? 0);
  const residual = move.state === 'cancel' ? 0 : round2(Math.max(0, total - paid));
  const sign = moveSign(move.move_type);
  env.setStored('account.move', moveId, {
    amount_untaxed: round2(untaxed),
    amount_tax: round2(tax),
    amount_total: total,
    amount_residual: residual,
    amount_total_signed: sign * total,
    amount_residual_signed: sign * residual,
  });
}

/**
 * The sign of a move type's *_signed amounts (Odoo 17 account.move._compute_amount): what the partner
 * owes is positive (customer invoices, vendor refunds), what we owe negative (credit notes, bills).
 * amount_total / amount_residual stay positive for every type.
 */
export function moveSign(moveType: unknown): 1 | -1 {
  return moveType === 'out_refund' || moveType === 'in_invoice' ? -1 : 1;
}
