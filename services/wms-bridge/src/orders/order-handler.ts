import { PermanentError, type EventHandler, type EventProducer, type Logger } from '@odx/runtime';
import type { OrderCancelled } from '@odx/schemas';
import type { ReleaseMode } from '../config.js';
import type { InboundRecords } from '../inbound/inbound-records.js';
import { isFulfilmentRef } from '../mapping/external-ref.js';
import { mapPurchaseOrderToInbound, mapReturnToInbound, type InboundPlan } from '../mapping/map-inbound.js';
import { mapFulfillmentToWms, mapOrderToWms } from '../mapping/map-order-to-wms.js';
import { mapReturnSuggested } from '../mapping/map-return-suggested.js';
import type { MappingContext } from '../mapping/map-wms-webhook.js';
import type { CreateOutboundOrderRequest, WmsOutboundOrder } from '../wms/wms-types.js';
import type { WarehouseMapping } from '../mapping/warehouse-codes.js';
import type { StageStore } from '../webhooks/stage-store.js';
import type { WmsClient } from '../wms/wms-client.js';
import type { OrderRecords } from './order-records.js';

export interface OrderHandlerDeps {
  client: WmsClient;
  records: OrderRecords;
  stages: StageStore;
  warehouses: WarehouseMapping;
  logger: Logger;
  /** @default 'order-confirmed' */
  releaseOn?: ReleaseMode;
  /** Inbound releases (purchase and return receipts), remembered before the WMS hears of them. */
  inbound: InboundRecords;
  /** Publishes ReturnSuggested for an order cancelled after it shipped. */
  producer: EventProducer;
  /** The orders topic ReturnSuggested goes to. */
  ordersTopic: string;
  company: string;
}

/** The event types the order handler reads. */
export type OrderEventType = 'OrderConfirmed' | 'FulfillmentRequested' | 'OrderCancelled' | 'PurchaseOrderConfirmed' | 'ReturnAuthorized';

/** The event types the handler acts on in a release mode (everything else is skipped before any I/O). */
export function handledEventTypes(mode: ReleaseMode): Set<OrderEventType> {
  return new Set<OrderEventType>([
    'OrderCancelled',
    'PurchaseOrderConfirmed',
    'ReturnAuthorized',
    ...(mode !== 'fulfillment-requested' ? (['OrderConfirmed'] as const) : []),
    ...(mode !== 'order-confirmed' ? (['FulfillmentRequested'] as const) : []),
  ]);
}

/**
 * The consumer's handler: OrderConfirmed (or FulfillmentRequested) releases
 * the order to the WMS, OrderCancelled cancels what was released
 * (compensation) or, once shipped, suggests a return; PurchaseOrderConfirmed
 * and ReturnAuthorized release the expected receipt; other events are not
 * the bridge's business. WMS errors propagate as
 * classified by the client, so the runner retries, dead-letters or pauses.
 */
export function orderHandler(deps: OrderHandlerDeps): EventHandler<OrderEventType> {
  const handled = handledEventTypes(deps.releaseOn ?? 'order-confirmed');
  return async (event) => {
    if (!handled.has(event.eventType)) return;
    switch (event.eventType) {
      case 'OrderConfirmed':
        await release(deps, event.payload.order.orderId, null, mapOrderToWms(event.payload, deps.warehouses), event.idempotencyKey);
        return;
      case 'FulfillmentRequested': {
        const request = mapFulfillmentToWms(event.payload, deps.warehouses);
        await release(deps, event.payload.shipment.orderId, request.externalRef, [request], event.idempotencyKey);
        return;
      }
      case 'OrderCancelled':
        await cancel(deps, event.payload);
        return;
      case 'PurchaseOrderConfirmed': {
        const plan = mapPurchaseOrderToInbound(event.payload, deps.warehouses);
        if (plan === null) {
          deps.logger.info('nothing for the WMS to receive (dropship, or received in full)', {
            purchase_order: event.payload.purchaseOrder.purchaseOrderId,
          });
          return;
        }
        await releaseInbound(deps, plan, event.idempotencyKey);
        return;
      }
      case 'ReturnAuthorized':
        await releaseInbound(deps, mapReturnToInbound(event.payload, deps.warehouses), event.idempotencyKey);
    }
  };
}

/**
 * Releases an expected receipt: remembered first, so a receipt the WMS
 * completes at once is never taken for one the bridge did not release; then
 * the WMS, idempotent by externalRef (a redelivery or a second confirmation
 * returns the existing inbound order).
 */
async function releaseInbound(deps: OrderHandlerDeps, plan: InboundPlan, idempotencyKey: string): Promise<void> {
  await deps.inbound.rememberRelease(plan.release);
  const { order, created } = await deps.client.createInboundOrder(plan.request, `${idempotencyKey}:${plan.request.externalRef}`);
  deps.logger.info(created ? 'inbound order created in the WMS' : 'inbound order already in the WMS', {
    external_ref: plan.request.externalRef,
    wms_inbound_order: order.id,
    warehouse: plan.request.warehouse,
  });
}

/**
 * Creates the WMS orders of one release: an OrderConfirmed (`pickingRef` null)
 * or a released picking. With both modes on, an order already released the
 * other way is not released again (which would ship it twice).
 */
async function release(
  deps: OrderHandlerDeps,
  orderId: string | null,
  pickingRef: string | null,
  requests: CreateOutboundOrderRequest[],
  idempotencyKey: string,
): Promise<void> {
  if (orderId !== null && (await deps.records.isCancelled(orderId))) {
    deps.logger.info('order was cancelled before it reached the WMS; not releasing it', { order_id: orderId });
    return;
  }
  if (orderId !== null && deps.releaseOn === 'both') {
    const other = ((await deps.records.refsOf(orderId)) ?? []).filter((ref) => isFulfilmentRef(ref) !== (pickingRef !== null));
    if (other.length > 0) {
      deps.logger.warn('order already released to the WMS the other way; not releasing it twice', { order_id: orderId, existing: other });
      return;
    }
  }
  for (const request of requests) {
    // The WMS is idempotent by externalRef: a redelivery or a retry after a lost answer returns the existing order.
    const { order, created } = await deps.client.createOrder(request, `${idempotencyKey}:${request.externalRef}`);
    // A new WMS order has no stages yet: its first webhook needs no lookups.
    if (created) deps.stages.noneYet(order);
    deps.logger.info(created ? 'outbound order created in the WMS' : 'outbound order already in the WMS', {
      order_id: orderId,
      external_ref: request.externalRef,
      wms_order: order.id,
      warehouse: request.warehouse,
    });
  }
  if (orderId !== null)
    await deps.records.rememberRefs(
      orderId,
      requests.map((r) => r.externalRef),
      pickingRef ?? orderId,
    );
}

async function cancel(deps: OrderHandlerDeps, event: OrderCancelled): Promise<void> {
  const { orderId } = event;
  // First, so a release still waiting in a retry topic sees it and stands down.
  await deps.records.markCancelled(orderId);
  const refs = (await deps.records.refsOf(orderId)) ?? [orderId];
  const shipped: WmsOutboundOrder[] = [];
  for (const ref of refs) {
    const order = await deps.client.findByExternalRef(ref);
    if (!order) {
      deps.logger.info('nothing to cancel in the WMS', { order_id: orderId, external_ref: ref });
      continue;
    }
    if (order.status === 'shipped') {
      shipped.push(order);
      continue;
    }
    try {
      await deps.client.cancelOrder(order.id, event.reason ?? 'cancelled in ODX');
    } catch (err) {
      if (err instanceof PermanentError && err.errorClass === 'wms.already-shipped') {
        // It shipped between the read and the cancel: read what shipped.
        shipped.push((await deps.client.getOrder(order.id)) ?? order);
        continue;
      }
      throw err;
    }
    await deps.stages.record(order, ['cancelled']);
    deps.logger.info('outbound order cancelled in the WMS', { order_id: orderId, external_ref: ref, wms_order: order.id });
  }
  if (shipped.length > 0) {
    // Compensation is impossible once goods left: the goods have to come back, so a return is suggested with what shipped.
    const mapping: MappingContext = { company: deps.company, warehouses: deps.warehouses };
    const suggested = mapReturnSuggested(event, shipped, mapping);
    await deps.producer.publish([{ eventType: 'ReturnSuggested', key: orderId, payload: suggested, topic: deps.ordersTopic }]);
    deps.logger.warn('order cancelled after it shipped; return suggested', {
      order_id: orderId,
      shipped: shipped.map((o) => `${o.externalRef} (${o.id})`),
      event_id: suggested.meta.eventId,
    });
  }
}
