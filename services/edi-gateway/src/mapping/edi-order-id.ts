import { createHash } from 'node:crypto';

/** A deterministic UUID (version 8 layout) from the facts that make an event, so a reprocessed file yields the same ids. */
export function deterministicId(...parts: Array<string | number>): string {
  const h = createHash('sha256').update(parts.join('\u001f')).digest();
  h[6] = (h[6]! & 0x0f) | 0x80;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The ODX order id of a partner's PO: stable across resends, prefixed so the Odoo poller keys the order's later events the same way. */
export function ediOrderId(partnerId: string, poNumber: string): string {
  return `odx:edi:${partnerId}:${poNumber}`;
}
