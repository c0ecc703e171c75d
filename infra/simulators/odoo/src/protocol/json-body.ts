import { PyFloat } from '../orm/py-float.js';
import { pyFloatRepr } from './xmlrpc-codec.js';

const MARK = '__odx_pyfloat__';
const MARK_RE = new RegExp(`"${MARK}([^"]*)${MARK}"`, 'g');

/** JSON.stringify that writes Python floats as Python's json module does (`10.0`, not `10`). */
export function toJson(value: unknown): string {
  const text = JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const original = this[key];
    if (original instanceof PyFloat) return `${MARK}${pyFloatRepr(original.value)}${MARK}`;
    return v;
  });
  return text.includes(MARK) ? text.replace(MARK_RE, (_m, num: string) => (num === 'nan' ? 'NaN' : num === 'inf' ? 'Infinity' : num === '-inf' ? '-Infinity' : num)) : text;
}

/** Python json's wording for a decode error (as werkzeug/Odoo report it). */
export function jsonErrorMessage(text: string, err: unknown): string {
  const m = /position (\d+)/.exec(err instanceof Error ? err.message : '');
  const pos = m ? Number(m[1]) : 0;
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - before.lastIndexOf('\n');
  return `Expecting value: line ${line} column ${col} (char ${pos})`;
}
