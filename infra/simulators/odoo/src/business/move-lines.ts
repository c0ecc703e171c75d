/**
 * The detailed operations (stock.move.line) of moves that receive goods, kept in step with the
 * move's `quantity` both ways as in Odoo 17: the move's quantity is the sum of its lines, and
 * writing the move's quantity adds to or trims its lines. Lots are entered on these lines
 * (`lot_name`) and become stock.lot records when the move is done.
 */
import type { Env } from '../orm/env.js';
import type { RawRecord } from '../orm/model-def.js';
import { isInternal } from './stock-reservation.js';

const round = (n: number): number => Math.round(n * 1e6) / 1e6;

/** A move from a vendor or a customer (or any other non-internal place) into an internal location. */
export function receivesGoods(env: Env, move: RawRecord): boolean {
  return !isInternal(env, move.location_id) && isInternal(env, move.location_dest_id);
}

const linesOf = (env: Env, moveId: number): RawRecord[] =>
  env.store.referencing('stock.move.line', 'move_id', moveId).map((id) => env.store.get('stock.move.line', id)!);

/** After a receiving move is made available: one line for its whole quantity, if it has none. */
export function ensureMoveLine(env: Env, moveId: number): void {
  const move = env.browse('stock.move', moveId);
  if (!receivesGoods(env, move) || linesOf(env, moveId).length > 0 || Number(move.quantity ?? 0) <= 0) return;
  env.create('stock.move.line', { move_id: moveId, quantity: move.quantity });
}

/** The client wrote stock.move.quantity: grow the last line, or trim lines from the last one. */
export function syncLinesToMoveQuantity(env: Env, moveId: number): void {
  const move = env.browse('stock.move', moveId);
  if (!receivesGoods(env, move) || move.state === 'done' || move.state === 'cancel') return;
  const lines = linesOf(env, moveId);
  const target = Number(move.quantity ?? 0);
  let diff = round(target - lines.reduce((s, l) => s + Number(l.quantity ?? 0), 0));
  if (diff === 0) return;
  if (lines.length === 0) {
    if (target > 0) env.create('stock.move.line', { move_id: moveId, quantity: target });
    return;
  }
  if (diff > 0) {
    const last = lines.at(-1)!;
    env.write('stock.move.line', [last.id], { quantity: round(Number(last.quantity ?? 0) + diff) });
    return;
  }
  for (const line of [...lines].reverse()) {
    const take = Math.min(Number(line.quantity ?? 0), -diff);
    const left = round(Number(line.quantity ?? 0) - take);
    if (left <= 0 && linesOf(env, moveId).length > 1) env.unlink('stock.move.line', [line.id]);
    else env.write('stock.move.line', [line.id], { quantity: left });
    diff = round(diff + take);
    if (diff >= 0) break;
  }
}

/** Lines changed: their open moves' quantity is their sum again. */
export function syncMoveQuantityFromLines(env: Env, moveIds: unknown[]): void {
  for (const id of new Set(moveIds)) {
    if (typeof id !== 'number') continue;
    const move = env.store.get('stock.move', id);
    if (!move || move.state === 'done' || move.state === 'cancel') continue;
    const sum = linesOf(env, id).reduce((s, l) => s + Number(l.quantity ?? 0), 0);
    env.setStored('stock.move', id, { quantity: round(sum) });
  }
}

/** Unreserving or cancelling a move removes its detailed operations, as _do_unreserve does. */
export function dropMoveLines(env: Env, moveId: number): void {
  const ids = env.store.referencing('stock.move.line', 'move_id', moveId);
  if (ids.length) env.unlink('stock.move.line', ids);
}

/** Products of lines with a quantity but no lot, on tracked products (the lot sanity check). */
export function productsMissingLots(env: Env, pickingId: number): number[] {
  const missing = new Set<number>();
  for (const mid of env.store.referencing('stock.move', 'picking_id', pickingId)) {
    const move = env.store.get('stock.move', mid)!;
    if (move.state === 'done' || move.state === 'cancel') continue;
    for (const line of linesOf(env, mid)) {
      const tracked = env.store.get('product.product', line.product_id as number)?.tracking;
      if (tracked && tracked !== 'none' && Number(line.quantity ?? 0) > 0 && !line.lot_id && !line.lot_name)
        missing.add(line.product_id as number);
    }
  }
  return [...missing];
}

/** The move is done: lines without quantity go, the others are picked and get their lot. */
export function finishMoveLines(env: Env, moveId: number): void {
  for (const line of linesOf(env, moveId)) {
    if (Number(line.quantity ?? 0) <= 0) {
      env.unlink('stock.move.line', [line.id]);
      continue;
    }
    const lot =
      typeof line.lot_id === 'number'
        ? line.lot_id
        : typeof line.lot_name === 'string' && line.lot_name
          ? lotFor(env, line.lot_name, line.product_id as number)
          : null;
    env.setStored('stock.move.line', line.id, { lot_id: lot, picked: true, date: env.nowUs });
  }
}

function lotFor(env: Env, name: string, productId: number): number {
  const existing = env.store.referencing('stock.lot', 'product_id', productId).find((id) => env.store.get('stock.lot', id)!.name === name);
  return existing ?? env.create('stock.lot', { name, product_id: productId });
}
