/**
 * The WMS external reference of an ODX order's fulfilment from one warehouse:
 * the order id itself for the order's own warehouse, `<orderId>~<wmsWarehouse>`
 * for lines shipped from another one. It is also the shipmentId of the events
 * the WMS's progress becomes, since the bridge knows it before the WMS answers.
 */
export function externalRefFor(orderId: string, wmsWarehouse: string, primary: boolean): string {
  return primary ? orderId : `${orderId}~${wmsWarehouse}`;
}

/**
 * The external reference of a picking released by FulfillmentRequested:
 * `<orderId>#<shipmentId>` (`#<shipmentId>` without an order), so the events
 * of its progress carry Odoo's shipment id and the order id both.
 */
export function fulfilmentRefFor(orderId: string | null, shipmentId: string): string {
  return `${orderId ?? ''}#${shipmentId}`;
}

/** True for references made by `fulfilmentRefFor`. */
export function isFulfilmentRef(externalRef: string): boolean {
  return externalRef.includes('#');
}

/** The ODX order id inside an external reference ('' when a released picking had none). */
export function orderIdOf(externalRef: string): string {
  const hash = externalRef.indexOf('#');
  if (hash >= 0) return externalRef.slice(0, hash);
  const i = externalRef.lastIndexOf('~');
  return i > 0 ? externalRef.slice(0, i) : externalRef;
}

/** The ODX shipment id of the WMS order's progress events. */
export function shipmentIdOf(externalRef: string): string {
  const hash = externalRef.indexOf('#');
  return hash >= 0 ? externalRef.slice(hash + 1) : externalRef;
}
