import { deterministicEventId } from '@odx/runtime';
import type { OrderCancelled, ReturnSuggested, ShippedGoods } from '@odx/schemas';
import type { WmsOutboundOrder } from '../wms/wms-types.js';
import { isFulfilmentRef, shipmentIdOf } from './external-ref.js';
import { shipmentLine, shipTo, type MappingContext } from './map-wms-webhook.js';
import { toOdxWarehouse } from './warehouse-codes.js';

/** What left the warehouse for one shipped WMS order, as the WMS reports it. */
export function shippedGoods(order: WmsOutboundOrder, ctx: MappingContext): ShippedGoods {
  return {
    shipmentId: isFulfilmentRef(order.externalRef) ? shipmentIdOf(order.externalRef) : null,
    externalRef: order.externalRef,
    wmsOrderId: order.id,
    warehouseCode: toOdxWarehouse(ctx.warehouses, order.warehouse),
    shippedAt: order.shippedAt ? new Date(order.shippedAt) : null,
    carrierCode: order.carrierHint ?? null,
    bookingRef: order.bolNumber ?? null,
    trackingNumbers: [],
    shipTo: shipTo(order),
    lines: order.lines.filter((l) => l.shippedQty > 0).map((l) => shipmentLine(order, l, l.shippedQty, l.uom)),
  };
}

/**
 * An order cancelled after (part of) it shipped -> ReturnSuggested with what
 * shipped. The id depends on the order and the shipped WMS orders only, so a
 * redelivered OrderCancelled, or a second cancellation of the same order,
 * suggests the same return (consumers drop the repeat). Pure.
 */
export function mapReturnSuggested(
  cancelled: OrderCancelled,
  shipped: WmsOutboundOrder[],
  ctx: MappingContext,
  now: Date = new Date(),
): ReturnSuggested {
  const ordered = [...shipped].sort((a, b) => a.externalRef.localeCompare(b.externalRef) || a.id.localeCompare(b.id));
  return {
    meta: {
      eventId: deterministicEventId('wms-bridge', 'ReturnSuggested', cancelled.orderId, ...ordered.map((o) => `${o.externalRef}/${o.id}`)),
      occurredAt: now,
      source: 'odx',
      correlationId: cancelled.meta.correlationId,
      causationId: cancelled.meta.eventId,
      company: ctx.company,
    },
    orderId: cancelled.orderId,
    orderName: cancelled.orderName,
    clientOrderRef: cancelled.clientOrderRef,
    cancellationReason: cancelled.reason,
    cancelledAt: cancelled.cancelledAt,
    shipments: ordered.map((o) => shippedGoods(o, ctx)),
    suggestedAt: now,
  };
}
