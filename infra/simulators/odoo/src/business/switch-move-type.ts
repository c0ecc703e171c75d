/**
 * account.move.action_switch_move_type, which the invoicing of orders applies to a move whose
 * total came out negative: an invoice becomes a credit note (a bill a vendor credit note) with
 * its quantities negated, so the amounts are positive again.
 */
import type { Env } from '../orm/env.js';
import { refreshInvoice } from './sale-order-amounts.js';

const SWITCHED: Record<string, string> = {
  out_invoice: 'out_refund',
  out_refund: 'out_invoice',
  in_invoice: 'in_refund',
  in_refund: 'in_invoice',
};

export function switchMoveType(env: Env, moveId: number): void {
  const move = env.browse('account.move', moveId);
  const to = SWITCHED[String(move.move_type)];
  if (!to) return;
  for (const id of env.store.referencing('account.move.line', 'move_id', moveId)) {
    env.setStored('account.move.line', id, { quantity: -Number(env.store.get('account.move.line', id)!.quantity ?? 0) });
  }
  env.setStored('account.move', moveId, { move_type: to });
  refreshInvoice(env, moveId);
}

/** The moves among `ids` whose total is negative, switched (what action_create_invoice / _create_invoices do). */
export function switchNegativeMoves(env: Env, ids: number[]): void {
  for (const id of ids) {
    refreshInvoice(env, id);
    if (Number(env.browse('account.move', id).amount_total ?? 0) < 0) switchMoveType(env, id);
  }
}
