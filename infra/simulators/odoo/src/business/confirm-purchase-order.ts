/**
 * purchase.order.button_confirm / button_approve with purchase_stock's receipt (Odoo 17):
 * only RFQs (draft, sent) are confirmed, others are skipped silently; the vendor becomes a
 * seller of products it did not sell yet (_add_supplier_to_product); approval sets state
 * 'purchase' and date_approve, then _create_picking makes (or tops up) one incoming picking
 * from Partners/Vendors to the operation type's destination with a move per goods line, which
 * is available at once (goods from a vendor need no reservation).
 */
import { formatDatetime } from '../clock.js';
import { userError } from '../errors.js';
import { sellersOf, selectSeller } from '../models/product-supplierinfo.js';
import type { Env } from '../orm/env.js';
import type { RawRecord } from '../orm/model-def.js';
import { dropMoveLines, syncLinesToMoveQuantity } from './move-lines.js';
import { refreshPurchaseOrderStatus } from './purchase-order-amounts.js';
import { assignPicking, refreshPickingState, unreserveMove } from './stock-reservation.js';

const round = (n: number): number => Math.round(n * 1e6) / 1e6;

export function confirmPurchaseOrders(env: Env, ids: number[]): boolean {
  for (const order of env.ensure('purchase.order', ids)) {
    if (order.state !== 'draft' && order.state !== 'sent') continue;
    addSupplierToProducts(env, order.id);
    approvePurchaseOrders(env, [order.id]);
  }
  return true;
}

/** button_approve: the company approves in one step (po_double_validation 'one_step'), so always. */
export function approvePurchaseOrders(env: Env, ids: number[]): Record<string, never> {
  for (const order of env.ensure('purchase.order', ids)) {
    env.write('purchase.order', [order.id], { state: 'purchase', date_approve: formatDatetime(env.nowUs) });
    createReceipt(env, order.id);
    refreshPurchaseOrderStatus(env, order.id);
  }
  return {};
}

/** _add_supplier_to_product: the vendor (its company, for a contact) becomes a seller at the ordered price. */
function addSupplierToProducts(env: Env, orderId: number): void {
  const order = env.browse('purchase.order', orderId);
  const vendor = env.browse('res.partner', order.partner_id as number);
  const partner = typeof vendor.parent_id === 'number' ? vendor.parent_id : vendor.id;
  for (const line of linesOf(env, orderId)) {
    if (typeof line.product_id !== 'number') continue;
    const sellers = sellersOf(env, line.product_id);
    if (sellers.some((s) => s.partner_id === partner || s.partner_id === vendor.id) || sellers.length > 10) continue;
    const known = selectSeller(env, line.product_id, {
      partnerId: vendor.id,
      quantity: Number(line.product_qty ?? 0),
      dateUs: order.date_order as number,
    });
    env.create('product.supplierinfo', {
      partner_id: partner,
      product_tmpl_id: line.product_id,
      sequence: sellers.length ? Math.max(...sellers.map((s) => Number(s.sequence ?? 0))) + 1 : 1,
      min_qty: 1,
      price: line.price_unit,
      currency_id: order.currency_id,
      discount: line.discount ?? 0,
      delay: 0,
      product_name: known?.product_name ?? false,
      product_code: known?.product_code ?? false,
    });
  }
}

const linesOf = (env: Env, orderId: number): RawRecord[] =>
  env.store.referencing('purchase.order.line', 'order_id', orderId).map((id) => env.store.get('purchase.order.line', id)!);

const isGoods = (env: Env, line: RawRecord): boolean => {
  const p = typeof line.product_id === 'number' ? env.store.get('product.product', line.product_id) : undefined;
  return !line.display_type && p !== undefined && (p.type === 'product' || p.type === 'consu');
};

/** _create_picking for a confirmed order: its open receipt (or a new one) gets what each line still needs. */
export function createReceipt(env: Env, orderId: number): void {
  const order = env.browse('purchase.order', orderId);
  if (order.state !== 'purchase' && order.state !== 'done') return;
  const goods = linesOf(env, orderId).filter((l) => isGoods(env, l));
  if (goods.length === 0) return;
  for (const line of goods) createOrUpdateMoves(env, line.id);
}

/** _create_or_update_picking for one line of a confirmed order (the line was added or its quantity changed). */
export function createOrUpdateMoves(env: Env, lineId: number): void {
  const line = env.browse('purchase.order.line', lineId);
  if (!isGoods(env, line)) return;
  const qty = Number(line.product_qty ?? 0);
  if (qty < Number(line.qty_received ?? 0))
    throw userError('You cannot decrease the ordered quantity below the received quantity.\nCreate a return first.');
  const missing = round(qty - procured(env, line));
  if (missing === 0) return;
  if (missing < 0) {
    reduceOpenMoves(env, line, -missing);
    return;
  }
  const picking =
    openReceipt(env, line.order_id as number) ?? (qty > Number(line.qty_received ?? 0) ? newReceipt(env, line.order_id as number) : null);
  if (picking === null) return;
  const same = env.store
    .referencing('stock.move', 'purchase_line_id', lineId)
    .map((id) => env.store.get('stock.move', id)!)
    .find((m) => m.picking_id === picking && m.state !== 'done' && m.state !== 'cancel');
  if (same) {
    // _merge_moves: the extra demand joins the open move, which stays available in full
    env.setStored('stock.move', same.id, {
      product_uom_qty: round(Number(same.product_uom_qty ?? 0) + missing),
      quantity: round(Number(same.quantity ?? 0) + missing),
    });
    syncLinesToMoveQuantity(env, same.id);
    return;
  }
  const order = env.browse('purchase.order', line.order_id as number);
  const planned = typeof line.date_planned === 'number' ? formatDatetime(line.date_planned) : formatDatetime(env.nowUs);
  const p = env.browse('stock.picking', picking);
  env.create('stock.move', {
    name: env.displayName('product.product', line.product_id as number),
    product_id: line.product_id,
    product_uom_qty: missing,
    product_uom: line.product_uom ?? false,
    date: planned,
    date_deadline: planned,
    location_id: p.location_id,
    location_dest_id: p.location_dest_id,
    picking_id: picking,
    partner_id: order.dest_address_id ?? false,
    purchase_line_id: line.id,
    price_unit: line.price_unit ?? 0,
    picking_type_id: p.picking_type_id,
    origin: order.name,
    company_id: order.company_id ?? 1,
    state: 'draft',
  });
  assignPicking(env, picking);
}

/** _get_qty_procurement: what the line's moves already bring (less what goes back to the vendor on refund). */
function procured(env: Env, line: RawRecord): number {
  let qty = 0;
  for (const mid of env.store.referencing('stock.move', 'purchase_line_id', line.id)) {
    const m = env.store.get('stock.move', mid)!;
    if (m.state === 'cancel' || m.product_id !== line.product_id) continue;
    const q = m.state === 'done' ? Number(m.quantity ?? 0) : Number(m.product_uom_qty ?? 0);
    const toVendor = env.store.get('stock.location', m.location_dest_id as number)?.usage === 'supplier';
    if (toVendor) {
      if (m.to_refund === true) qty -= q;
    } else if (typeof m.origin_returned_move_id !== 'number' || m.to_refund === true) qty += q;
  }
  return round(qty);
}

/** A lower ordered quantity takes demand off the open moves, last first; an emptied move is cancelled. */
function reduceOpenMoves(env: Env, line: RawRecord, by: number): void {
  let left = by;
  const open = env.store
    .referencing('stock.move', 'purchase_line_id', line.id)
    .map((id) => env.store.get('stock.move', id)!)
    .filter((m) => m.state !== 'done' && m.state !== 'cancel')
    .reverse();
  for (const m of open) {
    if (left <= 0) break;
    const demand = Number(m.product_uom_qty ?? 0);
    const take = Math.min(demand, left);
    left = round(left - take);
    if (take >= demand) {
      unreserveMove(env, m.id);
      env.setStored('stock.move', m.id, { state: 'cancel', quantity: 0 });
      dropMoveLines(env, m.id);
    } else {
      env.setStored('stock.move', m.id, {
        product_uom_qty: round(demand - take),
        quantity: round(Math.min(Number(m.quantity ?? 0), demand - take)),
      });
      syncLinesToMoveQuantity(env, m.id);
    }
    if (typeof m.picking_id === 'number') refreshPickingState(env, m.picking_id);
  }
}

/** The order's receipt that is neither done nor cancelled and still goes into the warehouse. */
function openReceipt(env: Env, orderId: number): number | null {
  const order = env.browse('purchase.order', orderId);
  for (const pid of (order.picking_ids as number[]) ?? []) {
    const p = env.store.get('stock.picking', pid);
    const destUsage = p ? env.store.get('stock.location', p.location_dest_id as number)?.usage : undefined;
    if (
      p &&
      p.state !== 'done' &&
      p.state !== 'cancel' &&
      (destUsage === 'internal' || destUsage === 'transit' || destUsage === 'customer')
    )
      return pid;
  }
  return null;
}

/** _prepare_picking: from the vendor location to the operation type's destination, named by its sequence. */
function newReceipt(env: Env, orderId: number): number {
  const order = env.browse('purchase.order', orderId);
  const type = env.browse('stock.picking.type', order.picking_type_id as number);
  const vendors = env.search('stock.location', [['usage', '=', 'supplier']], { limit: 1, activeTest: false })[0];
  if (vendors === undefined)
    throw userError(`You must set a Vendor Location for this partner ${env.displayName('res.partner', order.partner_id as number)}`);
  const customers = env.search('stock.location', [['usage', '=', 'customer']], { limit: 1, activeTest: false })[0];
  const dest = typeof order.dest_address_id === 'number' && customers !== undefined ? customers : type.default_location_dest_id;
  const picking = env.create('stock.picking', {
    picking_type_id: type.id,
    partner_id: order.partner_id,
    origin: order.name,
    location_id: vendors,
    location_dest_id: dest,
    scheduled_date: typeof order.date_planned === 'number' ? formatDatetime(order.date_planned) : formatDatetime(env.nowUs),
    company_id: order.company_id ?? 1,
  });
  // picking_ids is computed from the moves; the new receipt has none yet
  env.setStored('purchase.order', orderId, { picking_ids: [...((order.picking_ids as number[]) ?? []), picking] });
  return picking;
}
