/**
 * stock.picking.button_validate as Odoo 17 runs it (stock/models/stock_picking.py):
 *
 * - done pickings are skipped (validating one twice answers True and changes nothing);
 * - the sanity check refuses an empty transfer, one with no quantity, or tracked goods coming
 *   in without a lot;
 * - moves with a quantity are marked picked; then, unless the context says `skip_backorder`, a
 *   picking with less than its demand returns the "Create Backorder?" wizard action
 *   (stock.backorder.confirmation) and nothing is done yet;
 * - `_action_done`: the done part of each move is split from the rest, quants move, the rest
 *   goes to a backorder, or is cancelled for the pickings named in the context key
 *   `picking_ids_not_to_backorder` (what the wizard's "No Backorder" sends) or whose operation
 *   type never creates backorders. `skip_backorder` alone still creates the backorder.
 *
 * Then sale lines' qty_delivered and purchase lines' qty_received are recomputed, and goods
 * that came in are reserved for the moves waiting for them.
 */
import { formatDatetime } from '../clock.js';
import { userError } from '../errors.js';
import type { Env } from '../orm/env.js';
import type { RawRecord } from '../orm/model-def.js';
import { dropMoveLines, finishMoveLines, productsMissingLots } from './move-lines.js';
import { refreshPurchaseLines } from './purchase-order-amounts.js';
import { refreshQtyDelivered, refreshSaleOrderStatus } from './sale-order-amounts.js';
import { addToQuant, assignPicking, isInternal, refreshPickingState, triggerAssign, unreserveMove } from './stock-reservation.js';

/** Odoo 17's text (two literals joined without a space in the source). */
export const NO_QUANTITY_MESSAGE =
  'You cannot validate a transfer if no quantities are reserved, or if only non-reserved moves are picked.To force the transfer, encode quantities.';

type Action = Record<string, unknown>;

const movesOf = (env: Env, pickingId: number): RawRecord[] =>
  env.store.referencing('stock.move', 'picking_id', pickingId).map((id) => env.store.get('stock.move', id)!);
const isOpen = (m: RawRecord): boolean => m.state !== 'done' && m.state !== 'cancel';
const pickingType = (env: Env, p: RawRecord): RawRecord | undefined => env.store.get('stock.picking.type', p.picking_type_id as number);

export function validatePickings(env: Env, ids: number[]): true | Action {
  const pickings = env.ensure('stock.picking', ids).filter((p) => p.state !== 'done');
  for (const p of pickings) if (p.state === 'draft') assignPicking(env, p.id);
  if (env.context.skip_sanity_check !== true)
    sanityCheck(
      env,
      pickings.map((p) => env.browse('stock.picking', p.id)),
    );
  const validating = Array.isArray(env.context.button_validate_picking_ids)
    ? env.context.button_validate_picking_ids
    : pickings.map((p) => p.id);

  // _pre_action_done_hook: a picking nobody marked is taken as picked in full
  for (const p of pickings) {
    const moves = movesOf(env, p.id);
    if (moves.some((m) => Number(m.quantity ?? 0) !== 0) && !moves.some((m) => m.picked === true)) {
      for (const m of moves) env.setStored('stock.move', m.id, { picked: true });
    }
  }
  if (env.context.skip_backorder !== true) {
    const short = pickings.filter((p) => needsBackorder(env, p));
    if (short.length) return backorderWizard(env, short, pickings.length > 1, validating);
  }

  const notToBackorder = new Set(pickings.filter((p) => pickingType(env, p)?.create_backorder === 'never').map((p) => p.id));
  if (Array.isArray(env.context.picking_ids_not_to_backorder)) {
    for (const id of env.context.picking_ids_not_to_backorder) {
      const p = pickings.find((x) => x.id === id);
      if (p && pickingType(env, p)?.create_backorder !== 'always') notToBackorder.add(p.id);
    }
  }
  for (const p of pickings) actionDone(env, p.id, notToBackorder.has(p.id));
  return true;
}

/** _sanity_check: with one picking each problem is its own error; with several, Odoo names the transfers. */
function sanityCheck(env: Env, pickings: RawRecord[]): void {
  const withoutMoves = pickings.filter((p) => movesOf(env, p.id).length === 0);
  const withoutQuantities = pickings.filter((p) => {
    const open = movesOf(env, p.id).filter(isOpen);
    const hasPick = open.some((m) => m.picked === true);
    return open.filter((m) => !hasPick || m.picked === true).every((m) => Number(m.quantity ?? 0) === 0);
  });
  const missingLots = new Map<number, number[]>();
  for (const p of pickings) {
    const type = pickingType(env, p);
    if (!type || (type.use_create_lots !== true && type.use_existing_lots !== true)) continue;
    const products = productsMissingLots(env, p.id);
    if (products.length) missingLots.set(p.id, products);
  }
  const productNames = [...new Set([...missingLots.values()].flat())].map((id) => env.displayName('product.product', id)).join(', ');
  const names = (ps: RawRecord[]): string => ps.map((p) => String(p.name)).join(', ');
  if (pickings.length <= 1) {
    if (withoutMoves.length) throw userError('You can’t validate an empty transfer. Please add some products to move before proceeding.');
    if (withoutQuantities.length) throw userError(NO_QUANTITY_MESSAGE);
    if (missingLots.size) throw userError(`You need to supply a Lot/Serial number for products ${productNames}.`);
    return;
  }
  let message = '';
  if (withoutMoves.length) message += `Transfers ${names(withoutMoves)}: Please add some items to move.`;
  if (missingLots.size)
    message += `\n\nTransfers ${names(pickings.filter((p) => missingLots.has(p.id)))}: You need to supply a Lot/Serial number for products ${productNames}.`;
  if (message) throw userError(message.trimStart());
}

/** _check_backorder: the operation type asks, and a move is not picked or picked short. */
function needsBackorder(env: Env, picking: RawRecord): boolean {
  if (pickingType(env, picking)?.create_backorder !== 'ask') return false;
  return movesOf(env, picking.id).some((m) => {
    if (m.state === 'cancel') return false;
    const demand = Number(m.product_uom_qty ?? 0);
    const picked = m.picked === true ? Number(m.quantity ?? 0) : 0;
    return (demand !== 0 && m.picked !== true) || picked < demand;
  });
}

/** _action_generate_backorder_wizard: the action the client opens; its context goes back with the wizard. */
function backorderWizard(env: Env, pickings: RawRecord[], showTransfers: boolean, validating: unknown[]): Action {
  return {
    name: 'Create Backorder?',
    type: 'ir.actions.act_window',
    view_mode: 'form',
    res_model: 'stock.backorder.confirmation',
    views: [[false, 'form']],
    view_id: false,
    target: 'new',
    context: {
      ...env.context,
      button_validate_picking_ids: validating,
      default_show_transfers: showTransfers,
      default_pick_ids: pickings.map((p) => [4, p.id]),
    },
  };
}

/** stock.picking._action_done + stock.move._action_done for one picking. */
function actionDone(env: Env, pickingId: number, cancelBackorder: boolean): void {
  const done: RawRecord[] = [];
  const saleLines = new Set<number>();
  const purchaseLines = new Set<unknown>();
  for (const m of movesOf(env, pickingId)) {
    if (typeof m.purchase_line_id === 'number') purchaseLines.add(m.purchase_line_id);
    if (!isOpen(m)) continue;
    const qty = Number(m.quantity ?? 0);
    const demand = Number(m.product_uom_qty ?? 0);
    if ((qty <= 0 || m.picked !== true) && m.is_inventory !== true) {
      if (demand === 0 || cancelBackorder) cancelMove(env, m.id);
      continue;
    }
    if (qty < demand) splitMove(env, m, demand - qty, cancelBackorder);
    done.push(env.browse('stock.move', m.id));
  }
  const arrived = new Set<string>();
  for (const m of done) {
    const qty = Number(m.quantity ?? 0);
    addToQuant(env, m.product_id as number, m.location_id as number, -qty, -Number(m.reserved_availability ?? 0));
    addToQuant(env, m.product_id as number, m.location_dest_id as number, qty);
    env.setStored('stock.move', m.id, { state: 'done', product_uom_qty: qty, picked: true, reserved_availability: 0, date: env.nowUs });
    finishMoveLines(env, m.id);
    if (typeof m.sale_line_id === 'number') saleLines.add(m.sale_line_id);
    if (!isInternal(env, m.location_id) && isInternal(env, m.location_dest_id))
      arrived.add(`${String(m.product_id)}:${String(m.location_dest_id)}`);
  }
  env.setStored('stock.picking', pickingId, { date_done: env.nowUs, priority: '0' });
  refreshPickingState(env, pickingId);
  if (!cancelBackorder) createBackorder(env, pickingId);

  const orders = new Set<number>();
  for (const id of saleLines) {
    refreshQtyDelivered(env, id);
    orders.add(env.browse('sale.order.line', id).order_id as number);
  }
  for (const o of orders) refreshSaleOrderStatus(env, o);
  refreshPurchaseLines(env, purchaseLines);
  for (const key of arrived) {
    const [product, location] = key.split(':').map(Number) as [number, number];
    triggerAssign(env, product, location);
  }
}

function cancelMove(env: Env, moveId: number): void {
  unreserveMove(env, moveId);
  env.setStored('stock.move', moveId, { state: 'cancel', quantity: 0 });
  dropMoveLines(env, moveId);
}

/** stock.move._split: the part not done becomes a new move of the same picking (cancelled if no backorder is wanted). */
function splitMove(env: Env, m: RawRecord, rest: number, cancel: boolean): void {
  env.create('stock.move', {
    name: m.name,
    sequence: m.sequence,
    origin: m.origin ?? false,
    picking_id: m.picking_id,
    picking_type_id: m.picking_type_id ?? false,
    product_id: m.product_id,
    product_uom_qty: rest,
    product_uom: m.product_uom ?? false,
    location_id: m.location_id,
    location_dest_id: m.location_dest_id,
    sale_line_id: m.sale_line_id ?? false,
    purchase_line_id: m.purchase_line_id ?? false,
    origin_returned_move_id: m.origin_returned_move_id ?? false,
    to_refund: m.to_refund === true,
    partner_id: m.partner_id ?? false,
    price_unit: m.price_unit ?? 0,
    state: cancel ? 'cancel' : 'confirmed',
  });
  env.setStored('stock.move', m.id, { product_uom_qty: Number(m.quantity ?? 0) });
}

/** _create_backorder: the moves neither done nor cancelled go to a copy of the picking, which reserves at once. */
function createBackorder(env: Env, pickingId: number): void {
  const rest = movesOf(env, pickingId).filter(isOpen);
  if (rest.length === 0) return;
  const backorder = copyPicking(env, pickingId, { backorder_id: pickingId });
  for (const m of rest) {
    env.setStored('stock.move', m.id, { picking_id: backorder, picked: false });
    for (const line of env.store.referencing('stock.move.line', 'move_id', m.id))
      env.setStored('stock.move.line', line, { picking_id: backorder });
  }
  refreshPickingState(env, pickingId);
  assignPicking(env, backorder);
}

/** stock.picking.copy without its moves: the fields Odoo copies (name, dates, links to backorders and returns are not). */
export function copyPicking(env: Env, pickingId: number, overrides: Record<string, unknown>): number {
  const p = env.browse('stock.picking', pickingId);
  return env.create('stock.picking', {
    picking_type_id: p.picking_type_id,
    partner_id: p.partner_id ?? false,
    origin: p.origin ?? false,
    note: p.note ?? false,
    priority: p.priority ?? '0',
    sale_id: p.sale_id ?? false,
    location_id: p.location_id,
    location_dest_id: p.location_dest_id,
    carrier_id: p.carrier_id ?? false,
    scheduled_date: typeof p.scheduled_date === 'number' ? formatDatetime(p.scheduled_date) : false,
    company_id: p.company_id ?? 1,
    ...overrides,
  });
}
