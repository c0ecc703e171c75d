/**
 * Formats JS values the way Python's `repr()` prints them, because Odoo's
 * error messages embed Python reprs of domains and values
 * (e.g. "Invalid leaf ['name', 'bogus', 1]").
 */
export function pyRepr(value: unknown, asTuple = false): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return String(value);
    return String(value);
  }
  if (typeof value === 'string') return pyStr(value);
  if (Array.isArray(value)) {
    const inner = value.map((v) => pyRepr(v)).join(', ');
    if (asTuple) return value.length === 1 ? `(${inner},)` : `(${inner})`;
    return `[${inner}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pyStr(k)}: ${pyRepr(v)}`);
    return `{${entries.join(', ')}}`;
  }
  return String(value);
}

function pyStr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else out += ch;
  }
  return `${quote}${out}${quote}`;
}
