/** The ODX order id of a partner's PO: stable across resends, prefixed so the Odoo poller keys the order's later events the same way. */
export function ediOrderId(partnerId: string, poNumber: string): string {
  return `odx:edi:${partnerId}:${poNumber}`;
}
