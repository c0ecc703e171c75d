import { createHash } from 'node:crypto';

/**
 * A deterministic event id (UUID layout, version 8) from the facts that make
 * an event: a redelivered or replayed webhook, or a stage filled in from a
 * later snapshot, yields the same id, so consumers drop the repeat.
 */
export function deterministicEventId(...parts: Array<string | number>): string {
  const h = createHash('sha256').update(parts.join('\u001f')).digest();
  h[6] = (h[6]! & 0x0f) | 0x80;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
