import { reverseMoves } from '../business/reverse-moves.js';
import { formatDate } from '../clock.js';
import { userError } from '../errors.js';
import type { Env } from '../orm/env.js';
import { defineModel, fields, type RawRecord } from '../orm/model-def.js';

const activeMoves = (env: Env): number[] =>
  env.context.active_model === 'account.move' && Array.isArray(env.context.active_ids) ? (env.context.active_ids as number[]) : [];
const movesOf = (env: Env, rec: RawRecord): RawRecord[] =>
  ((rec.move_ids as number[]) ?? []).map((id) => env.store.get('account.move', id)).filter((m): m is RawRecord => m !== undefined);

/** reverse_moves works on one wizard (ensure_one). */
function reverse(env: Env, ids: number[], isModify: boolean): Record<string, unknown> {
  const [w] = env.ensure('account.move.reversal', ids);
  if (!w || ids.length !== 1) throw new Error(`Expected singleton: account.move.reversal(${ids.join(', ')})`);
  return reverseMoves(env, w.id, isModify);
}

/**
 * "Credit Note" (account.move.reversal), created with context active_model='account.move' and
 * active_ids; `refund_moves` (Reverse) and `modify_moves` (Reverse and create a new draft).
 */
export const accountMoveReversal = defineModel({
  name: 'account.move.reversal',
  description: 'Account Move Reversal',
  order: 'id',
  fields: {
    move_ids: fields.many2many('account.move', 'Move', { default: (env) => activeMoves(env) }),
    new_move_ids: fields.many2many('account.move', 'New Move', { readonly: true }),
    date: fields.date('Reversal date', { default: (env) => formatDate(env.nowUs) }),
    reason: fields.char('Reason displayed on Credit Note'),
    company_id: fields.many2one('res.company', 'Company', { required: true, readonly: true, default: 1 }),
    residual: fields.monetary('Residual', {
      readonly: true,
      compute: (env, rec) => {
        const moves = movesOf(env, rec);
        return moves.length === 1 ? Number(moves[0]!.amount_residual ?? 0) : 0;
      },
    }),
    currency_id: fields.many2one('res.currency', 'Currency', {
      readonly: true,
      compute: (env, rec) => {
        const currencies = new Set(movesOf(env, rec).map((m) => m.currency_id));
        return currencies.size === 1 ? ([...currencies][0] as number) : null;
      },
    }),
    move_type: fields.char('Move Type', {
      readonly: true,
      compute: (env, rec) => {
        const moves = movesOf(env, rec);
        if (moves.length === 1) return String(moves[0]!.move_type);
        return moves.some((m) => m.move_type === 'in_invoice' || m.move_type === 'out_invoice') ? 'some_invoice' : null;
      },
    }),
  },
  hooks: {
    prepareCreate(env) {
      // default_get refuses to reverse moves that are not posted
      if (activeMoves(env).some((id) => env.store.get('account.move', id)?.state !== 'posted'))
        throw userError('You can only reverse posted moves.');
    },
  },
  methods: {
    reverse_moves: {
      api: 'records',
      params: [{ name: 'is_modify', default: false }],
      run: (env, ids, kw) => reverse(env, ids, kw.is_modify === true),
    },
    refund_moves: { api: 'records', params: [], run: (env, ids) => reverse(env, ids, false) },
    modify_moves: { api: 'records', params: [], run: (env, ids) => reverse(env, ids, true) },
  },
});
