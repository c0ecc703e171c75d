/** Quant bookkeeping shared by confirmation, validation, cancellation and inventory adjustments. */
import type { Env } from '../orm/env.js';
import { dropMoveLines, ensureMoveLine } from './move-lines.js';

export function isInternal(env: Env, locationId: unknown): boolean {
  return typeof locationId === 'number' && env.store.get('stock.location', locationId)?.usage === 'internal';
}

/** The quant of a product in a location, created empty when missing (quants only live in internal locations). */
export function quantFor(env: Env, productId: number, locationId: number): number {
  for (const qid of env.store.referencing('stock.quant', 'product_id', productId)) {
    if (env.store.get('stock.quant', qid)?.location_id === locationId) return qid;
  }
  return env.create('stock.quant', { product_id: productId, location_id: locationId });
}

export function addToQuant(env: Env, productId: number, locationId: number, deltaQty: number, deltaReserved = 0): void {
  if (!isInternal(env, locationId)) return;
  const qid = quantFor(env, productId, locationId);
  const q = env.browse('stock.quant', qid);
  env.setStored('stock.quant', qid, {
    quantity: round(Number(q.quantity ?? 0) + deltaQty),
    reserved_quantity: round(Math.max(0, Number(q.reserved_quantity ?? 0) + deltaReserved)),
  });
}

const round = (n: number): number => Math.round(n * 1e6) / 1e6;

/** Reserves what is available for one move (storable products) and sets its state. */
export function reserveMove(env: Env, moveId: number): void {
  const move = env.browse('stock.move', moveId);
  if (move.state === 'done' || move.state === 'cancel') return;
  const demand = Number(move.product_uom_qty ?? 0);
  const product = env.browse('product.product', move.product_id as number);
  const already = Number(move.reserved_availability ?? 0);
  if (product.type !== 'product' || !isInternal(env, move.location_id)) {
    // Nothing to reserve (goods coming in, or not tracked in stock): available at once, and kept
    // as the client set it once available.
    if (move.state === 'assigned') return;
    env.setStored('stock.move', moveId, { state: 'assigned', quantity: demand });
    ensureMoveLine(env, moveId);
    return;
  }
  const qid = quantFor(env, product.id, move.location_id as number);
  const q = env.browse('stock.quant', qid);
  const free = Math.max(0, Number(q.quantity ?? 0) - Number(q.reserved_quantity ?? 0));
  const take = Math.min(free, Math.max(0, demand - already));
  if (take > 0) addToQuant(env, product.id, move.location_id as number, 0, take);
  const reserved = already + take;
  const state = reserved >= demand ? 'assigned' : reserved > 0 ? 'partially_available' : 'confirmed';
  env.setStored('stock.move', moveId, { state, quantity: round(reserved), reserved_availability: round(reserved) });
}

export function unreserveMove(env: Env, moveId: number): void {
  const move = env.browse('stock.move', moveId);
  const reserved = Number(move.reserved_availability ?? 0);
  if (reserved > 0) addToQuant(env, move.product_id as number, move.location_id as number, 0, -reserved);
  env.setStored('stock.move', moveId, { reserved_availability: 0 });
}

/** Picking state from its moves (move_type 'direct'). */
export function refreshPickingState(env: Env, pickingId: number): void {
  const states = env.store.referencing('stock.move', 'picking_id', pickingId).map((id) => env.store.get('stock.move', id)!.state);
  let state: string;
  if (states.length === 0) state = 'draft';
  else if (states.every((s) => s === 'cancel')) state = 'cancel';
  else if (states.every((s) => s === 'done' || s === 'cancel')) state = 'done';
  else if (states.every((s) => s === 'draft' || s === 'cancel')) state = 'draft';
  else if (states.some((s) => s === 'assigned' || s === 'partially_available')) state = 'assigned';
  else state = 'confirmed';
  env.setStored('stock.picking', pickingId, { state });
}

export function assignPicking(env: Env, pickingId: number): void {
  for (const mid of env.store.referencing('stock.move', 'picking_id', pickingId)) {
    const m = env.store.get('stock.move', mid)!;
    if (m.state === 'draft') env.setStored('stock.move', mid, { state: 'confirmed' });
    reserveMove(env, mid);
  }
  refreshPickingState(env, pickingId);
}

export function cancelPicking(env: Env, pickingId: number): void {
  const picking = env.browse('stock.picking', pickingId);
  if (picking.state === 'done' || picking.state === 'cancel') return;
  for (const mid of env.store.referencing('stock.move', 'picking_id', pickingId)) {
    const m = env.store.get('stock.move', mid)!;
    if (m.state === 'done' || m.state === 'cancel') continue;
    unreserveMove(env, mid);
    env.setStored('stock.move', mid, { state: 'cancel', quantity: 0 });
    dropMoveLines(env, mid);
  }
  refreshPickingState(env, pickingId);
}

/**
 * stock.move._trigger_assign after goods arrive in `locationId`: moves of the product waiting
 * for stock there reserve what came in (reservation at confirmation, Odoo's default).
 */
export function triggerAssign(env: Env, productId: number, locationId: number): void {
  const touched = new Set<number>();
  for (const mid of env.store.referencing('stock.move', 'product_id', productId)) {
    const m = env.store.get('stock.move', mid)!;
    if ((m.state !== 'confirmed' && m.state !== 'partially_available') || m.location_id !== locationId) continue;
    reserveMove(env, mid);
    if (typeof m.picking_id === 'number') touched.add(m.picking_id);
  }
  for (const pid of touched) refreshPickingState(env, pid);
}
