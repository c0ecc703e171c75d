// Conversions from the values Odoo's external API returns to canonical ones.

/** A many2one as read: `[id, display_name]`, or `false` when empty. */
export type Many2one = [number, string] | false;

export function m2oId(v: unknown): number | null {
  return Array.isArray(v) && typeof v[0] === 'number' ? v[0] : null;
}

export function m2oName(v: unknown): string | null {
  return Array.isArray(v) && typeof v[1] === 'string' ? v[1] : null;
}

/** Odoo sends `false` for empty char/text/date fields. */
export function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** `YYYY-MM-DD HH:MM:SS` (UTC, Odoo's datetime string) or `YYYY-MM-DD` to a Date. */
export function odooDate(v: unknown): Date | null {
  if (typeof v !== 'string' || v === '') return null;
  const iso = v.length === 10 ? `${v}T00:00:00Z` : `${v.replace(' ', 'T')}Z`;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Formats a Date the way Odoo writes datetimes in domains: `YYYY-MM-DD HH:MM:SS` UTC. */
export function toOdooDatetime(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * An Odoo float (money, quantity) as a decimal string with `scale` digits.
 * Odoo rounds monetary fields to the currency and quantities to the UoM
 * precision before storing, so rounding the binary float here is exact for
 * those values.
 */
export function decimal(v: unknown, scale: number): string {
  const n = typeof v === 'number' && Number.isFinite(v) ? v : 0;
  const fixed = n.toFixed(scale);
  return /^-0(\.0*)?$/.test(fixed) ? fixed.slice(1) : fixed; // never "-0.0000"
}

/** A numeric field as a number: Odoo sends `false` (or nothing, from a module that lacks it) for an empty one. */
export function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** An x2many as read: a list of ids (anything else, e.g. `false` from a broken module, is none). */
export function idList(v: unknown): number[] {
  return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : [];
}

/** A many2one id as an ODX string id, or null when empty. */
export function m2oRef(v: unknown): string | null {
  const id = m2oId(v);
  return id !== null ? String(id) : null;
}
