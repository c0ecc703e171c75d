/**
 * Stored computed values of purchase orders and their lines, as purchase and purchase_stock
 * compute them in Odoo 17: amounts, qty_received from done moves (returns to the vendor count
 * back when `to_refund`), qty_invoiced from bill lines (vendor credit notes count back,
 * cancelled bills not at all), qty_to_invoice by the product's control policy, and the
 * order's invoice_status, invoice_ids, picking_ids and receipt_status.
 */
import { round2 } from '../models/product.js';
import type { Env } from '../orm/env.js';
import type { RawRecord } from '../orm/model-def.js';
import { lineAmounts } from './sale-order-amounts.js';

const round = (n: number): number => Math.round(n * 1e6) / 1e6;
const usage = (env: Env, locationId: unknown): unknown =>
  typeof locationId === 'number' ? env.store.get('stock.location', locationId)?.usage : undefined;

/** stock.move._is_purchase_return: the goods go back to a vendor location. */
const isPurchaseReturn = (env: Env, move: RawRecord | undefined): boolean =>
  move !== undefined && usage(env, move.location_dest_id) === 'supplier';

/** purchase_stock's _compute_qty_received over the line's done moves of its product. */
function receivedFromMoves(env: Env, line: RawRecord): number {
  let total = 0;
  for (const mid of env.store.referencing('stock.move', 'purchase_line_id', line.id)) {
    const m = env.store.get('stock.move', mid)!;
    if (m.state !== 'done' || m.product_id !== line.product_id) continue;
    const qty = Number(m.quantity ?? 0);
    const origin = typeof m.origin_returned_move_id === 'number' ? env.store.get('stock.move', m.origin_returned_move_id) : undefined;
    if (isPurchaseReturn(env, m)) {
      if (!origin || m.to_refund === true) total -= qty;
    } else if (origin && isPurchaseReturn(env, origin) && m.to_refund !== true) {
      // the return of a return that did not update the order: it was never counted back
    } else total += qty;
  }
  return round(total);
}

/** purchase's _compute_qty_invoiced: bills add, vendor credit notes subtract, cancelled moves are ignored. */
function invoicedFromBills(env: Env, lineId: number): number {
  let total = 0;
  for (const aml of env.store.referencing('account.move.line', 'purchase_line_id', lineId)) {
    const l = env.store.get('account.move.line', aml)!;
    const move = env.store.get('account.move', l.move_id as number);
    if (!move || move.state === 'cancel') continue;
    if (move.move_type === 'in_invoice') total += Number(l.quantity ?? 0);
    else if (move.move_type === 'in_refund') total -= Number(l.quantity ?? 0);
  }
  return round(total);
}

export function refreshPurchaseLine(env: Env, lineId: number): void {
  const line = env.browse('purchase.order.line', lineId);
  const order = env.browse('purchase.order', line.order_id as number);
  const product = typeof line.product_id === 'number' ? env.store.get('product.product', line.product_id) : undefined;
  const qty = Number(line.product_qty ?? 0);
  const a = line.display_type
    ? { subtotal: 0, tax: 0, total: 0 }
    : lineAmounts(env, qty, Number(line.price_unit ?? 0), Number(line.discount ?? 0), line.taxes_id);
  const method = line.display_type || !product ? null : product.type === 'product' || product.type === 'consu' ? 'stock_moves' : 'manual';
  const received =
    method === 'stock_moves' ? receivedFromMoves(env, line) : method === 'manual' ? Number(line.qty_received_manual ?? 0) : 0;
  const invoiced = invoicedFromBills(env, lineId);
  const confirmed = order.state === 'purchase' || order.state === 'done';
  const toInvoice = confirmed && !line.display_type ? round((product?.purchase_method === 'purchase' ? qty : received) - invoiced) : 0;
  env.setStored('purchase.order.line', lineId, {
    price_subtotal: a.subtotal,
    price_tax: a.tax,
    price_total: a.total,
    product_uom_qty: qty,
    qty_received_method: method,
    qty_received: received,
    qty_invoiced: invoiced,
    qty_to_invoice: toInvoice,
  });
}

/** Order totals, statuses and links from its lines; `datePlanned` recomputes date_planned too (lines changed). */
export function refreshPurchaseOrder(env: Env, orderId: number, opts: { datePlanned?: boolean } = {}): void {
  const order = env.browse('purchase.order', orderId);
  const lines = env.store.referencing('purchase.order.line', 'order_id', orderId).map((id) => env.store.get('purchase.order.line', id)!);
  let untaxed = 0;
  let tax = 0;
  const bills = new Set<number>();
  const pickings = new Set<number>();
  for (const l of lines) {
    untaxed += Number(l.price_subtotal ?? 0);
    tax += Number(l.price_tax ?? 0);
    for (const aml of env.store.referencing('account.move.line', 'purchase_line_id', l.id))
      bills.add(env.store.get('account.move.line', aml)!.move_id as number);
    for (const mid of env.store.referencing('stock.move', 'purchase_line_id', l.id)) {
      const picking = env.store.get('stock.move', mid)!.picking_id;
      if (typeof picking === 'number') pickings.add(picking);
    }
  }
  const goods = lines.filter((l) => !l.display_type);
  const confirmed = order.state === 'purchase' || order.state === 'done';
  let invoiceStatus = 'no';
  if (confirmed) {
    if (goods.some((l) => Number(l.qty_to_invoice ?? 0) !== 0)) invoiceStatus = 'to invoice';
    else if (bills.size > 0) invoiceStatus = 'invoiced';
  }
  const pickingRecs = [...pickings].sort((a, b) => a - b).map((id) => env.store.get('stock.picking', id)!);
  let receiptStatus: string | null = null;
  if (pickingRecs.length && !pickingRecs.every((p) => p.state === 'cancel')) {
    if (pickingRecs.every((p) => p.state === 'done' || p.state === 'cancel')) receiptStatus = 'full';
    else if (pickingRecs.some((p) => p.state === 'done')) receiptStatus = 'partial';
    else receiptStatus = 'pending';
  }
  const arrivals = pickingRecs
    .filter((p) => p.state === 'done' && typeof p.date_done === 'number' && usage(env, p.location_dest_id) !== 'supplier')
    .map((p) => p.date_done as number);
  const patch: Record<string, string | number | boolean | null | number[]> = {
    amount_untaxed: round2(untaxed),
    amount_tax: round2(tax),
    amount_total: round2(untaxed + tax),
    invoice_status: invoiceStatus,
    invoice_ids: [...bills].sort((a, b) => a - b),
    invoice_count: bills.size,
    picking_ids: pickingRecs.map((p) => p.id),
    receipt_status: receiptStatus,
    effective_date: arrivals.length ? Math.min(...arrivals) : null,
  };
  if (opts.datePlanned) {
    const planned = goods.map((l) => l.date_planned).filter((d): d is number => typeof d === 'number');
    patch.date_planned = planned.length ? Math.min(...planned) : null;
  }
  env.setStored('purchase.order', orderId, patch);
}

/** Every line, then the order (after a state change, a receipt or a bill). */
export function refreshPurchaseOrderStatus(env: Env, orderId: number): void {
  for (const id of env.store.referencing('purchase.order.line', 'order_id', orderId)) refreshPurchaseLine(env, id);
  refreshPurchaseOrder(env, orderId);
}

/** The orders behind some purchase lines, refreshed once each. */
export function refreshPurchaseLines(env: Env, lineIds: Iterable<unknown>): void {
  const orders = new Set<number>();
  for (const id of new Set(lineIds)) {
    if (typeof id !== 'number') continue;
    const line = env.store.get('purchase.order.line', id);
    if (!line) continue;
    refreshPurchaseLine(env, id);
    orders.add(line.order_id as number);
  }
  for (const o of orders) refreshPurchaseOrder(env, o);
}
