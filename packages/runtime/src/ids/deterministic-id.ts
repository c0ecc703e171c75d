import { createHash } from 'node:crypto';

/**
 * A deterministic id in UUID layout (version 8 "custom", RFC 9562 variant) from
 * the facts that make an event: re-polling the same record version, a
 * redelivered webhook or a reprocessed EDI file yields the same id, so
 * consumers drop the repeat. Parts are joined with the unit separator, so
 * ('a', 'bc') and ('ab', 'c') differ.
 */
export function deterministicEventId(...parts: Array<string | number>): string {
  const h = createHash('sha256').update(parts.join('\u001f')).digest();
  h[6] = (h[6]! & 0x0f) | 0x80; // version 8
  h[8] = (h[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
