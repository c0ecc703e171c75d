/** account.move.action_post: number 'INV/<year>/<seq>' (credit notes 'RINV/…'), invoice and due dates, state posted, residual open. */
import { formatDate } from '../clock.js';
import { userError } from '../errors.js';
import type { Env } from '../orm/env.js';
import { refreshInvoice } from './sale-order-amounts.js';

export function postInvoices(env: Env, ids: number[]): boolean {
  for (const move of env.ensure('account.move', ids)) {
    if (move.state === 'posted') throw userError(`The entry ${String(move.name)} (id ${move.id}) is already posted.`);
    if (move.state === 'cancel') throw userError('You cannot post a cancelled entry.');
    if (env.store.referencing('account.move.line', 'move_id', move.id).length === 0) {
      throw userError('The move could not be posted for the following reason: You need to add a line before posting.');
    }
    const invoiceDate = typeof move.invoice_date === 'string' ? move.invoice_date : formatDate(env.nowUs);
    const due = typeof move.invoice_date_due === 'string' ? move.invoice_date_due : addDays(invoiceDate, 30);
    const year = invoiceDate.slice(0, 4);
    // Customer invoices and credit notes have their own sequences in Odoo 17's sales journal (INV/, RINV/).
    const prefix = move.move_type === 'out_refund' ? 'RINV' : 'INV';
    const name = move.name && move.name !== '/' ? String(move.name) : `${prefix}/${year}/${String(env.nextSequence(`account.move.${move.move_type === 'out_refund' ? 'out_refund' : 'out_invoice'}.${year}`)).padStart(5, '0')}`;
    env.write('account.move', [move.id], { name, state: 'posted', invoice_date: invoiceDate, invoice_date_due: due, date: invoiceDate, payment_state: 'not_paid' });
    refreshInvoice(env, move.id);
  }
  return false;
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
