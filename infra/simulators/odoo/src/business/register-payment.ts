/**
 * account.payment.register.action_create_payments, simplified: no
 * account.payment records; the invoices' residual drops by the amount and
 * payment_state becomes 'partial', or 'in_payment' when fully paid (Odoo
 * 17's default with outstanding accounts; bank reconciliation would make it
 * 'paid', which a client can simulate by writing payment_state).
 */
import { round2 } from '../models/product.js';
import { moveSign } from './sale-order-amounts.js';
import { userError } from '../errors.js';
import type { Env } from '../orm/env.js';

export function registerPayment(env: Env, moveIds: number[], amount: number | null): boolean {
  for (const move of env.ensure('account.move', moveIds)) {
    if (move.state !== 'posted') throw userError('You can only register payment for posted journal entries.');
    const residual = Number(move.amount_residual ?? 0);
    if (residual <= 0) throw userError("You can't register a payment because there is nothing left to pay on the selected journal items.");
    const pay = amount === null || moveIds.length > 1 ? residual : Math.min(amount, residual);
    const left = round2(residual - pay);
    env.write('account.move', [move.id], {
      x_amount_paid: round2(Number(move.x_amount_paid ?? 0) + pay),
      amount_residual: left,
      amount_residual_signed: moveSign(move.move_type) * left,
      payment_state: left <= 0 ? 'in_payment' : 'partial',
    });
  }
  return true;
}
