/** Kafka headers as the client delivers them: a value, or several for a repeated header. */
export type RawHeaders = Record<string, Buffer | string | Array<Buffer | string> | undefined>;

/** Kafka headers as plain strings (first value wins for repeated headers). */
export function headersToStrings(headers: RawHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [key, raw] of Object.entries(headers)) {
    if (raw === undefined) continue;
    const first = Array.isArray(raw) ? raw[0] : raw;
    if (first === undefined) continue;
    out[key] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}
