/**
 * PostgreSQL stores text and jsonb without U+0000, so FerretDB on PostgreSQL
 * refuses any document holding a string with a NUL character ("unsupported
 * Unicode escape sequence", SQLSTATE 22P05), where MongoDB and FerretDB on
 * SQLite accept it. Outside input that ODX keeps for people to read (a
 * partner's file, an error text quoting it) can hold NULs. This replaces each
 * with U+FFFD in every string of a plain value (objects, arrays); Dates,
 * Buffers and other class instances are kept as they are. Values without a
 * NUL come back unchanged (the same object).
 */
export function withoutNulChars<T>(value: T): T {
  return clean(value) as T;
}

function clean(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const c = clean(v);
      if (c !== v) changed = true;
      return c;
    });
    return changed ? out : value;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const c = clean(v);
      if (c !== v) changed = true;
      out[k] = c;
    }
    return changed ? out : value;
  }
  return value;
}
