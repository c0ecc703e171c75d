/**
 * The "Return" wizard (stock.return.picking, Odoo 17 stock/wizard/stock_picking_return.py, with
 * stock_account's `to_refund` and purchase_stock's vendor link): opened on one done picking, it
 * proposes a line per move with what is left to return, and create_returns makes the return
 * picking (return_id = the original, origin "Return of <name>", the operation type's return type,
 * locations swapped) whose moves point back with origin_returned_move_id, then reserves it.
 */
import { userError } from '../errors.js';
import type { Env } from '../orm/env.js';
import type { RawRecord } from '../orm/model-def.js';
import { assignPicking } from './stock-reservation.js';
import { copyPicking } from './validate-picking.js';

const round = (n: number): number => Math.round(n * 1e6) / 1e6;

/** default_get: the picking the wizard was opened on (context active_id with active_model stock.picking). */
export function defaultReturnPicking(env: Env): number | false {
  if (env.context.active_model !== 'stock.picking' || typeof env.context.active_id !== 'number') return false;
  return env.store.get('stock.picking', env.context.active_id) ? env.context.active_id : false;
}

/** default_get refuses to open the wizard on several pickings. */
export function checkSingleActivePicking(env: Env): void {
  if (
    env.context.active_model === 'stock.picking' &&
    env.context.active_id &&
    Array.isArray(env.context.active_ids) &&
    env.context.active_ids.length > 1
  ) {
    throw userError('You may only return one picking at a time.');
  }
}

/** _compute_moves_locations, written into the create values when the client did not give the lines itself. */
export function prepareReturnWizard(env: Env, vals: Record<string, unknown>): void {
  if (typeof vals.picking_id !== 'number') return;
  const picking = env.browse('stock.picking', vals.picking_id);
  if (picking.state !== 'done') throw userError('You may only return Done pickings.');
  if (!('product_return_moves' in vals)) {
    const lines = env.store
      .referencing('stock.move', 'picking_id', picking.id)
      .map((id) => env.store.get('stock.move', id)!)
      .filter((m) => m.state !== 'cancel')
      .map((m) => [0, 0, { product_id: m.product_id, quantity: returnableQuantity(env, m), move_id: m.id, to_refund: true }]);
    if (lines.length === 0) throw userError('No products to return (only lines in Done state and not fully returned yet can be returned).');
    vals.product_return_moves = lines;
  }
  const type = env.store.get('stock.picking.type', picking.picking_type_id as number);
  const warehouse = typeof type?.warehouse_id === 'number' ? env.store.get('stock.warehouse', type.warehouse_id) : undefined;
  vals.move_dest_exists ??= false;
  vals.original_location_id ??= picking.location_id;
  vals.parent_location_id ??=
    warehouse?.view_location_id ?? env.store.get('stock.location', picking.location_id as number)?.location_id ?? false;
  vals.location_id ??= picking.location_id;
}

/** What was done on the move less what its returns (done or not) already carry back. */
function returnableQuantity(env: Env, move: RawRecord): number {
  let qty = Number(move.quantity ?? 0);
  for (const rid of env.store.referencing('stock.move', 'origin_returned_move_id', move.id))
    qty -= Number(env.store.get('stock.move', rid)!.quantity ?? 0);
  return round(qty);
}

/** create_returns: one return picking per wizard; the action opens the (last) one. */
export function createReturns(env: Env, wizardIds: number[]): Record<string, unknown> {
  let last: { picking: number; type: number; partner: unknown } | null = null;
  for (const w of env.ensure('stock.return.picking', wizardIds)) last = createReturn(env, w);
  if (!last) return { type: 'ir.actions.act_window_close' };
  return {
    name: 'Returned Picking',
    view_mode: 'form,tree,calendar',
    res_model: 'stock.picking',
    res_id: last.picking,
    type: 'ir.actions.act_window',
    context: {
      ...env.context,
      default_partner_id: last.partner ?? false,
      search_default_picking_type_id: last.type,
      search_default_draft: false,
      search_default_assigned: false,
      search_default_confirmed: false,
      search_default_ready: false,
      search_default_planning_issues: false,
      search_default_available: false,
    },
  };
}

function createReturn(env: Env, wizard: RawRecord): { picking: number; type: number; partner: unknown } {
  if (typeof wizard.picking_id !== 'number') throw userError('You may only return Done pickings.');
  const original = env.browse('stock.picking', wizard.picking_id);
  const type = env.browse('stock.picking.type', original.picking_type_id as number);
  const returnType = typeof type.return_picking_type_id === 'number' ? type.return_picking_type_id : type.id;
  const returnTo = typeof wizard.location_id === 'number' ? wizard.location_id : null;
  const pickingId = copyPicking(env, original.id, {
    picking_type_id: returnType,
    return_id: original.id,
    origin: `Return of ${String(original.name)}`,
    location_id: original.location_dest_id,
    location_dest_id: returnTo ?? original.location_id,
    state: 'draft',
  });
  const outgoing = env.browse('stock.picking.type', returnType).code === 'outgoing';
  let returned = 0;
  for (const lid of env.store.referencing('stock.return.picking.line', 'wizard_id', wizard.id)) {
    const line = env.store.get('stock.return.picking.line', lid)!;
    if (typeof line.move_id !== 'number') throw userError('You have manually created product lines, please delete them to proceed.');
    const qty = Number(line.quantity ?? 0);
    if (qty === 0) continue;
    returned++;
    const move = env.browse('stock.move', line.move_id);
    env.create('stock.move', {
      name: move.name,
      origin: move.origin ?? false,
      product_id: line.product_id,
      product_uom_qty: qty,
      product_uom: move.product_uom ?? false,
      picking_id: pickingId,
      picking_type_id: returnType,
      state: 'draft',
      location_id: move.location_dest_id,
      location_dest_id: returnTo ?? move.location_id,
      origin_returned_move_id: move.id,
      to_refund: line.to_refund === true,
      sale_line_id: move.sale_line_id ?? false,
      purchase_line_id: move.purchase_line_id ?? false,
      partner_id: outgoing ? (env.browse('stock.picking', pickingId).partner_id ?? false) : (move.partner_id ?? false),
      price_unit: move.price_unit ?? 0,
    });
  }
  if (returned === 0) throw userError('Please specify at least one non-zero quantity.');
  assignPicking(env, pickingId);
  return { picking: pickingId, type: returnType, partner: original.partner_id };
}
