/**
 * account.move.action_post: the journal's number, invoice and due dates, state posted, residual
 * open. Customer documents are numbered per year in the sales journal ('INV/2026/00001', credit
 * notes 'RINV/…'); vendor bills per month in the purchase journal ('BILL/2026/01/0001', vendor
 * credit notes 'RBILL/…'), as _get_starting_sequence lays them out. A vendor bill needs its bill
 * date: Odoo does not default it as it does for customer invoices.
 */
import { formatDate } from '../clock.js';
import { userError } from '../errors.js';
import type { Env } from '../orm/env.js';
import { refreshInvoice } from './sale-order-amounts.js';

const PURCHASE_TYPES = new Set(['in_invoice', 'in_refund']);

export function postInvoices(env: Env, ids: number[]): boolean {
  for (const move of env.ensure('account.move', ids)) {
    if (move.state === 'posted') throw userError(`The entry ${String(move.name)} (id ${move.id}) is already posted.`);
    if (move.state === 'cancel') throw userError('You cannot post a cancelled entry.');
    if (env.store.referencing('account.move.line', 'move_id', move.id).length === 0) {
      throw userError('The move could not be posted for the following reason: You need to add a line before posting.');
    }
    const purchase = PURCHASE_TYPES.has(String(move.move_type));
    if (purchase && typeof move.invoice_date !== 'string') throw userError('The Bill/Refund date is required to validate this document.');
    const invoiceDate = typeof move.invoice_date === 'string' ? move.invoice_date : formatDate(env.nowUs);
    const due = typeof move.invoice_date_due === 'string' ? move.invoice_date_due : addDays(invoiceDate, 30);
    const name = move.name && move.name !== '/' ? String(move.name) : nextNumber(env, String(move.move_type), invoiceDate);
    env.write('account.move', [move.id], {
      name,
      state: 'posted',
      invoice_date: invoiceDate,
      invoice_date_due: due,
      date: invoiceDate,
      payment_state: 'not_paid',
    });
    refreshInvoice(env, move.id);
  }
  return false;
}

/** The next number in the move type's journal sequence for the period of `date`. */
function nextNumber(env: Env, moveType: string, date: string): string {
  const year = date.slice(0, 4);
  if (PURCHASE_TYPES.has(moveType)) {
    const month = date.slice(5, 7);
    const prefix = moveType === 'in_refund' ? 'RBILL' : 'BILL';
    return `${prefix}/${year}/${month}/${String(env.nextSequence(`account.move.${moveType}.${year}-${month}`)).padStart(4, '0')}`;
  }
  // Customer invoices and credit notes have their own sequences in Odoo 17's sales journal (INV/, RINV/).
  const refund = moveType === 'out_refund';
  return `${refund ? 'RINV' : 'INV'}/${year}/${String(env.nextSequence(`account.move.${refund ? 'out_refund' : 'out_invoice'}.${year}`)).padStart(5, '0')}`;
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
