/**
 * The WMS external reference of an ODX order's fulfilment from one warehouse:
 * the order id itself for the order's own warehouse, `<orderId>~<wmsWarehouse>`
 * for lines shipped from another one. It is also the shipmentId of the events
 * the WMS's progress becomes, since the bridge knows it before the WMS answers.
 */
export function externalRefFor(orderId: string, wmsWarehouse: string, primary: boolean): string {
  return primary ? orderId : `${orderId}~${wmsWarehouse}`;
}

/** The ODX order id inside an external reference. */
export function orderIdOf(externalRef: string): string {
  const i = externalRef.lastIndexOf('~');
  return i > 0 ? externalRef.slice(0, i) : externalRef;
}
