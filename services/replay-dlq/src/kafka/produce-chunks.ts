/** Kafka refuses record batches above message.max.bytes (1 MiB by default): produce requests stay well below. */
export const MAX_REQUEST_BYTES = 512 * 1024;

/** Rough wire size of a message: value, key and headers. */
export function messageBytes(m: { key: Buffer | string | null; value: Buffer | null; headers: Record<string, string | Buffer> }): number {
  let n = 70 + (m.value?.length ?? 0) + (m.key ? Buffer.byteLength(m.key) : 0);
  for (const [k, v] of Object.entries(m.headers)) n += k.length + Buffer.byteLength(v) + 4;
  return n;
}

/** Splits `items` into runs of at most `maxCount` items and `maxBytes` (a single larger item gets a run of its own). */
export function chunkBySize<T>(items: T[], size: (t: T) => number, maxCount: number, maxBytes = MAX_REQUEST_BYTES): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const b = size(item);
    if (cur.length > 0 && (cur.length >= maxCount || bytes + b > maxBytes)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(item);
    bytes += b;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}
