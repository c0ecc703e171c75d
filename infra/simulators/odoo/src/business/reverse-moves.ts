/**
 * The "Credit Note" wizard (account.move.reversal, Odoo 17): `refund_moves` makes a draft
 * reversal of each move (out_invoice -> out_refund, in_invoice -> in_refund…) with
 * reversed_entry_id, ref "Reversal of: <number>[, <reason>]" and the same lines, still linked to
 * the sale and purchase lines (`include_business_fields`), whose invoiced quantities go down;
 * `modify_moves` ("Full refund and new draft invoice") posts the reversal, reconciles it with the
 * original (which becomes 'reversed') and opens a new draft copy of the original.
 */
import { formatDate } from '../clock.js';
import { round2 } from '../models/product.js';
import type { Env } from '../orm/env.js';
import type { RawRecord } from '../orm/model-def.js';
import { postInvoices } from './post-invoice.js';
import { moveSign, refreshInvoice, refreshSaleOrderStatus } from './sale-order-amounts.js';

const REVERSED: Record<string, string> = {
  entry: 'entry',
  out_invoice: 'out_refund',
  out_refund: 'out_invoice',
  in_invoice: 'in_refund',
  in_refund: 'in_invoice',
};
const isInvoice = (move: RawRecord): boolean => move.move_type !== 'entry';

export function reverseMoves(env: Env, wizardId: number, isModify: boolean): Record<string, unknown> {
  const wizard = env.browse('account.move.reversal', wizardId);
  const moves = ((wizard.move_ids as number[]) ?? []).map((id) => env.browse('account.move', id));
  const date = typeof wizard.date === 'string' ? wizard.date : formatDate(env.nowUs);
  const redirect: number[] = [];
  for (const move of moves) {
    const autoPost = date > formatDate(env.nowUs);
    const cancel = !autoPost && (isModify || move.move_type === 'entry');
    const reason = typeof wizard.reason === 'string' && wizard.reason ? wizard.reason : null;
    const reversal = reverseMove(
      env,
      move,
      {
        ref: reason ? `Reversal of: ${String(move.name)}, ${reason}` : `Reversal of: ${String(move.name)}`,
        date,
        invoice_date_due: date,
        invoice_date: isInvoice(move) ? date : false,
      },
      cancel,
    );
    redirect.push(isModify ? copyAsDraft(env, move, date) : reversal);
  }
  env.setStored('account.move.reversal', wizardId, { new_move_ids: redirect });
  const action: Record<string, unknown> = { name: 'Reverse Moves', type: 'ir.actions.act_window', res_model: 'account.move' };
  const types = [...new Set(redirect.map((id) => String(env.browse('account.move', id).move_type)))];
  if (redirect.length === 1) Object.assign(action, { view_mode: 'form', res_id: redirect[0], context: { default_move_type: types[0] } });
  else {
    Object.assign(action, { view_mode: 'tree,form', domain: [['id', 'in', redirect]] });
    if (types.length === 1) action.context = { default_move_type: types[0] };
  }
  return action;
}

/** _reverse_moves for one move: the mirror document, posted and reconciled with the original when `cancel`. */
function reverseMove(env: Env, move: RawRecord, defaults: Record<string, unknown>, cancel: boolean): number {
  const type = REVERSED[String(move.move_type)] ?? 'entry';
  const reversal = env.create('account.move', {
    move_type: type,
    reversed_entry_id: move.id,
    partner_id: move.partner_id ?? false,
    partner_shipping_id: move.partner_shipping_id ?? false,
    currency_id: move.currency_id,
    company_id: move.company_id ?? 1,
    invoice_origin: move.invoice_origin ?? false,
    ...defaults,
    invoice_line_ids: copiedLines(env, move.id),
  });
  followSaleLines(env, reversal);
  if (cancel) {
    postInvoices(env, [reversal]);
    reconcile(env, move.id, reversal);
  }
  return reversal;
}

/** The product lines as copy_data gives them with include_business_fields (sale and purchase links kept). */
function copiedLines(env: Env, moveId: number): unknown[] {
  return env.store.referencing('account.move.line', 'move_id', moveId).map((id) => {
    const l = env.store.get('account.move.line', id)!;
    return [
      0,
      0,
      {
        display_type: l.display_type ?? 'product',
        product_id: l.product_id ?? false,
        name: l.name ?? false,
        quantity: l.quantity,
        price_unit: l.price_unit,
        discount: l.discount ?? 0,
        product_uom_id: l.product_uom_id ?? false,
        tax_ids: [[6, 0, (l.tax_ids as number[]) ?? []]],
        sale_line_ids: [[6, 0, (l.sale_line_ids as number[]) ?? []]],
        purchase_line_id: l.purchase_line_id ?? false,
      },
    ];
  });
}

/** sale.order.line.qty_invoiced counts customer credit notes (draft or posted) negatively. */
function followSaleLines(env: Env, moveId: number): void {
  const move = env.browse('account.move', moveId);
  const sign = move.move_type === 'out_refund' ? -1 : move.move_type === 'out_invoice' ? 1 : 0;
  if (sign === 0) return;
  const orders = new Set<number>();
  for (const id of env.store.referencing('account.move.line', 'move_id', moveId)) {
    const l = env.store.get('account.move.line', id)!;
    for (const sid of (l.sale_line_ids as number[]) ?? []) {
      const line = env.store.get('sale.order.line', sid);
      if (!line) continue;
      env.setStored('sale.order.line', sid, {
        qty_invoiced: Math.round((Number(line.qty_invoiced ?? 0) + sign * Number(l.quantity ?? 0)) * 1e6) / 1e6,
      });
      orders.add(line.order_id as number);
    }
  }
  for (const o of orders) refreshSaleOrderStatus(env, o);
}

/** The original and its reversal settle each other: the original is 'reversed', the reversal 'paid'. */
function reconcile(env: Env, originalId: number, reversalId: number): void {
  const original = env.browse('account.move', originalId);
  const reversal = env.browse('account.move', reversalId);
  const amount = Math.min(Number(original.amount_residual ?? 0), Number(reversal.amount_residual ?? 0));
  if (amount <= 0) return;
  const settle = (m: RawRecord, state: (left: number) => string): void => {
    const left = round2(Number(m.amount_residual ?? 0) - amount);
    env.write('account.move', [m.id], {
      x_amount_paid: round2(Number(m.x_amount_paid ?? 0) + amount),
      amount_residual: left,
      amount_residual_signed: moveSign(m.move_type) * left,
      payment_state: state(left),
    });
    refreshInvoice(env, m.id);
  };
  const paidBefore = Number(original.x_amount_paid ?? 0) > 0;
  settle(original, (left) => (left > 0 ? 'partial' : paidBefore ? 'in_payment' : 'reversed'));
  settle(reversal, (left) => (left > 0 ? 'partial' : 'paid'));
}

/** modify_moves: a new draft of the original document, product lines only, dated the reversal date. */
function copyAsDraft(env: Env, move: RawRecord, date: string): number {
  const copy = env.create('account.move', {
    move_type: move.move_type,
    partner_id: move.partner_id ?? false,
    partner_shipping_id: move.partner_shipping_id ?? false,
    currency_id: move.currency_id,
    company_id: move.company_id ?? 1,
    ref: move.ref ?? false,
    invoice_origin: move.invoice_origin ?? false,
    narration: move.narration ?? false,
    date,
    invoice_line_ids: copiedLines(env, move.id),
  });
  followSaleLines(env, copy);
  return copy;
}
