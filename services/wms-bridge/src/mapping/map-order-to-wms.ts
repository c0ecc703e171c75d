import { PermanentError } from '@odx/runtime';
import type { Address, FulfillmentRequested, Order, OrderConfirmed } from '@odx/schemas';
import type { CreateOutboundOrderRequest, WmsAddress } from '../wms/wms-types.js';
import { externalRefFor, fulfilmentRefFor } from './external-ref.js';
import { toWmsWarehouse, type WarehouseMapping } from './warehouse-codes.js';

const QTY = /^(\d+)(?:\.(\d+))?$/;

/** A canonical decimal quantity as the WMS's whole units; fractional or non-positive quantities are refused. */
export function wholeUnits(quantity: string, where: string): number {
  const m = QTY.exec(quantity);
  if (!m || /[1-9]/.test(m[2] ?? '') || Number(m[1]) <= 0) {
    throw new PermanentError(`${where}: quantity ${quantity} is not a positive whole number of units, which the WMS requires`, {
      errorClass: 'wms-bridge.mapping',
    });
  }
  return Number(m[1]);
}

function mapAddress(a: Address, where: string): WmsAddress {
  const name = a.name ?? a.companyName;
  const missing: string[] = [
    ...(name ? [] : ['name']),
    ...(['street1', 'city', 'postalCode', 'countryCode'] as const).filter((k) => !a[k]),
  ];
  if (missing.length > 0) {
    throw new PermanentError(`${where}: ship-to lacks ${missing.join(', ')}, which the WMS requires`, { errorClass: 'wms-bridge.mapping' });
  }
  return {
    name: name!,
    ...(a.companyName && a.companyName !== name ? { company: a.companyName } : {}),
    street1: a.street1!,
    ...(a.street2 ? { street2: a.street2 } : {}),
    city: a.city!,
    ...(a.region ? { region: a.region } : {}),
    postalCode: a.postalCode!,
    countryCode: a.countryCode!.toUpperCase(),
    ...(a.phone ? { phone: a.phone } : {}),
    ...(a.email ? { email: a.email } : {}),
  };
}

/** The date the warehouse should ship: the promised, else requested, else order date (UTC day). */
function shipDate(order: Order, confirmedAt: Date): string {
  const d = order.promisedDeliveryDate ?? order.requestedDeliveryDate ?? confirmedAt;
  return d.toISOString().slice(0, 10);
}

/**
 * OrderConfirmed -> one WMS outbound order per shipping warehouse: the order's
 * own warehouse (external reference = the ODX order id) and one per other
 * warehouse named on lines (`<orderId>~<wms code>`). Pure; throws
 * PermanentError (`wms-bridge.mapping`) for orders the WMS could never accept.
 */
export function mapOrderToWms(event: OrderConfirmed, warehouses: WarehouseMapping): CreateOutboundOrderRequest[] {
  const { order } = event;
  const where = `order ${order.orderId}`;
  if (order.lines.length === 0) throw new PermanentError(`${where}: no lines to fulfil`, { errorClass: 'wms-bridge.mapping' });
  const primary = toWmsWarehouse(warehouses, order.warehouseCode);
  const shipTo = mapAddress(order.shipTo, where);
  const byWarehouse = new Map<string, CreateOutboundOrderRequest['lines']>();
  for (const line of [...order.lines].sort((a, b) => a.lineNumber - b.lineNumber)) {
    const wh = line.warehouseCode ? toWmsWarehouse(warehouses, line.warehouseCode) : primary;
    let lines = byWarehouse.get(wh);
    if (!lines) byWarehouse.set(wh, (lines = []));
    lines.push({ lineRef: line.lineId, sku: line.sku, qty: wholeUnits(line.quantity, `${where} line ${line.lineNumber}`), uom: line.uom });
  }
  // The primary warehouse first, so a partial failure never leaves only the secondary orders.
  const ordered = [...byWarehouse].sort(([a], [b]) => (a === primary ? -1 : b === primary ? 1 : a.localeCompare(b)));
  return ordered.map(([warehouse, lines]) => ({
    externalRef: externalRefFor(order.orderId, warehouse, warehouse === primary),
    warehouse,
    shipTo,
    lines,
    requestedShipDate: shipDate(order, event.confirmedAt),
    ...(order.carrierCode ? { carrierHint: order.carrierCode } : {}),
  }));
}

/**
 * FulfillmentRequested (an Odoo picking released to the warehouse) -> one WMS
 * outbound order for the picking's warehouse, external reference
 * `<orderId>#<shipmentId>`. Pure; PermanentError (`wms-bridge.mapping`) as above.
 */
export function mapFulfillmentToWms(event: FulfillmentRequested, warehouses: WarehouseMapping): CreateOutboundOrderRequest {
  const s = event.shipment;
  const where = `shipment ${s.shipmentId}`;
  if (s.lines.length === 0) throw new PermanentError(`${where}: no lines to fulfil`, { errorClass: 'wms-bridge.mapping' });
  return {
    externalRef: fulfilmentRefFor(s.orderId, s.shipmentId),
    warehouse: toWmsWarehouse(warehouses, s.warehouseCode),
    shipTo: mapAddress(s.shipTo, where),
    lines: s.lines.map((l, i) => ({
      lineRef: l.orderLineId ?? l.lineId,
      sku: l.sku,
      qty: wholeUnits(l.quantity, `${where} line ${i + 1}`),
      uom: l.uom,
    })),
    requestedShipDate: (s.scheduledShipDate ?? event.meta.occurredAt).toISOString().slice(0, 10),
    ...(s.carrierCode ? { carrierHint: s.carrierCode } : {}),
  };
}
