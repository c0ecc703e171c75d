import { valueError } from '../errors.js';
import type { Env } from './env.js';
import type { ModelDef, RawRecord, RawValue } from './model-def.js';
import { pyRepr } from './python-repr.js';

interface OrderTerm {
  field: string;
  desc: boolean;
  nullsFirst: boolean;
}

const TERM_RE = /^\s*([a-z0-9_]+)(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?\s*$/i;

/** Parses an `order` spec ("write_date asc, id asc") the way _order_to_sql validates it. */
export function parseOrder(model: ModelDef, spec: string): OrderTerm[] {
  const terms: OrderTerm[] = [];
  for (const part of spec.split(',')) {
    if (part.trim() === '') continue;
    const m = TERM_RE.exec(part);
    if (!m) {
      throw valueError(
        `Invalid "order" specified (${part.trim()}). A valid "order" specification is a comma-separated list of valid field names (optionally followed by asc/desc for the direction)`,
      );
    }
    const field = m[1]!;
    const f = model.fields[field];
    if (!f) throw valueError(`Invalid field ${pyRepr(field)} on model ${pyRepr(model.name)}`);
    if (f.type === 'one2many' || f.type === 'many2many') {
      throw valueError(`Cannot convert ${model.name}.${field} to SQL because it is not stored`);
    }
    const desc = (m[2] ?? 'asc').toLowerCase() === 'desc';
    // PostgreSQL default: NULLS LAST for ASC, NULLS FIRST for DESC.
    const nullsFirst = m[3] ? m[3].toLowerCase() === 'first' : desc;
    terms.push({ field, desc, nullsFirst });
  }
  return terms;
}

/** Sorts records in place; ties always end on `id` so pagination is stable. */
export function sortRecords(env: Env, model: ModelDef, recs: RawRecord[], spec: string): void {
  const terms = parseOrder(model, spec);
  if (!terms.some((t) => t.field === 'id')) terms.push({ field: 'id', desc: false, nullsFirst: false });
  const keys = new Map<number, RawValue[]>();
  for (const r of recs) {
    keys.set(
      r.id,
      terms.map((t) => {
        const f = model.fields[t.field]!;
        const v = t.field === 'id' ? r.id : env.value(model, r, t.field);
        // many2one sorts by the comodel's display name (Odoo orders by the comodel's _order)
        if (f.type === 'many2one' && typeof v === 'number') return env.displayName(f.relation!, v).toLowerCase();
        return v;
      }),
    );
  }
  recs.sort((a, b) => {
    const ka = keys.get(a.id)!;
    const kb = keys.get(b.id)!;
    for (let i = 0; i < terms.length; i++) {
      const t = terms[i]!;
      const va = ka[i] ?? null;
      const vb = kb[i] ?? null;
      if (va === vb) continue;
      if (va === null) return t.nullsFirst ? -1 : 1;
      if (vb === null) return t.nullsFirst ? 1 : -1;
      let c: number;
      if (typeof va === 'number' && typeof vb === 'number') c = va - vb;
      else if (typeof va === 'boolean' && typeof vb === 'boolean') c = Number(va) - Number(vb);
      else c = String(va) < String(vb) ? -1 : String(va) > String(vb) ? 1 : 0;
      if (c !== 0) return t.desc ? -c : c;
    }
    return 0;
  });
}
