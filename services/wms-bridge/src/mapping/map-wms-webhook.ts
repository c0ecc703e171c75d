import { deterministicEventId } from '@odx/runtime';
import type {
  Address,
  EventMeta,
  InventoryAdjusted,
  ShipmentDispatched,
  ShipmentLine,
  ShipmentPackage,
  ShipmentPacked,
  ShipmentPicked,
} from '@odx/schemas';
import type { WmsInventoryAdjustment, WmsOutboundOrder } from '../wms/wms-types.js';
import { orderIdOf, shipmentIdOf } from './external-ref.js';
import type { ProgressStage } from './order-stages.js';
import { toOdxWarehouse, type WarehouseMapping } from './warehouse-codes.js';

export interface MappingContext {
  company: string;
  warehouses: WarehouseMapping;
}

/** A canonical event the bridge publishes, before topic and key are chosen. */
export type BridgeEvent =
  | { eventType: 'ShipmentPicked'; payload: ShipmentPicked }
  | { eventType: 'ShipmentPacked'; payload: ShipmentPacked }
  | { eventType: 'ShipmentDispatched'; payload: ShipmentDispatched }
  | { eventType: 'InventoryAdjusted'; payload: InventoryAdjusted };

const REASON_CODES = new Set(['CYCLE_COUNT', 'DAMAGE', 'SHRINKAGE', 'FOUND', 'RECEIPT_CORRECTION', 'EXPIRY', 'OTHER']);

/** decimal(p,4) from a WMS number (quantities, kilograms). */
const dec4 = (n: number): string => n.toFixed(4);
const dec2 = (n: number): string => n.toFixed(2);

function at(iso: string | null | undefined, fallback: Date): Date {
  return iso ? new Date(iso) : fallback;
}

function meta(eventId: string, occurredAt: Date, correlationId: string, ctx: MappingContext): EventMeta {
  return { eventId, occurredAt, source: 'wms', correlationId, causationId: null, company: ctx.company };
}

/** One WMS order line (or carton content) as a canonical shipment line, `lineId` `<wmsOrderId>/<lineNumber>`. */
export function shipmentLine(
  order: WmsOutboundOrder,
  l: { lineNumber: number; lineRef: string | null; sku: string },
  qty: number,
  uom: string,
): ShipmentLine {
  return {
    lineId: `${order.id}/${l.lineNumber}`,
    orderLineId: l.lineRef,
    lineNumber: null,
    sku: l.sku,
    productId: null,
    gtin: null,
    description: null,
    quantity: dec4(qty),
    uom,
    lotNumber: null,
    expiryDate: null,
    serialNumbers: [],
  };
}

function packages(order: WmsOutboundOrder): ShipmentPackage[] {
  const uomOf = new Map(order.lines.map((l) => [l.lineNumber, l.uom]));
  return order.packages.map((p) => ({
    packageId: p.packageId,
    sscc: p.sscc ?? null,
    packageType: p.packageType,
    weightKg: dec4(p.weightKg),
    dimensions: p.dimensions
      ? { lengthCm: dec2(p.dimensions.lengthCm), widthCm: dec2(p.dimensions.widthCm), heightCm: dec2(p.dimensions.heightCm) }
      : null,
    trackingNumber: null,
    contents: p.contents.map((c) => shipmentLine(order, c, c.qty, uomOf.get(c.lineNumber) ?? 'EA')),
  }));
}

function totalWeight(order: WmsOutboundOrder): string {
  return dec4(order.packages.reduce((sum, p) => sum + p.weightKg, 0));
}

/** The WMS order's ship-to as a canonical address. */
export function shipTo(order: WmsOutboundOrder): Address {
  const a = order.shipTo;
  return {
    addressId: null,
    name: a.name,
    companyName: a.company ?? null,
    street1: a.street1,
    street2: a.street2 ?? null,
    city: a.city,
    region: a.region ?? null,
    postalCode: a.postalCode,
    countryCode: a.countryCode,
    locationCode: null,
    phone: a.phone ?? null,
    email: a.email ?? null,
  };
}

/**
 * A WMS order snapshot -> the canonical event of one stage. The event id
 * depends only on the order (our reference and the WMS id) and the stage, so the same stage published from
 * a retried, duplicated or later snapshot is the same event. Pure.
 */
export function mapOrderStage(order: WmsOutboundOrder, stage: ProgressStage, ctx: MappingContext, now: Date = new Date()): BridgeEvent {
  const shipmentId = shipmentIdOf(order.externalRef);
  const orderId = orderIdOf(order.externalRef) || null;
  const correlationId = orderId ?? shipmentId;
  const warehouseCode = toOdxWarehouse(ctx.warehouses, order.warehouse);
  // Our reference is part of the id: a WMS whose ids start over (a reset test or staging WMS)
  // must not make a new order's events look like repeats of an old one's.
  const eventId = deterministicEventId('wms', order.externalRef, order.id, stage);
  switch (stage) {
    case 'picked': {
      const pickedAt = at(order.pickedAt, now);
      return {
        eventType: 'ShipmentPicked',
        payload: {
          meta: meta(eventId, pickedAt, correlationId, ctx),
          shipmentId,
          orderId,
          warehouseCode,
          lines: order.lines.map((l) => shipmentLine(order, l, l.pickedQty, l.uom)),
          shortPicked: order.shortPicked,
          pickedAt,
        },
      };
    }
    case 'packed': {
      const packedAt = at(order.packedAt, now);
      return {
        eventType: 'ShipmentPacked',
        payload: {
          meta: meta(eventId, packedAt, correlationId, ctx),
          shipmentId,
          orderId,
          warehouseCode,
          packages: packages(order),
          totalWeightKg: totalWeight(order),
          packedAt,
        },
      };
    }
    case 'shipped': {
      const shippedAt = at(order.shippedAt, now);
      return {
        eventType: 'ShipmentDispatched',
        payload: {
          meta: meta(eventId, shippedAt, correlationId, ctx),
          shipment: {
            shipmentId,
            name: order.id,
            orderId,
            orderName: null,
            clientOrderRef: null,
            customer: null,
            warehouseCode,
            state: 'dispatched',
            shipFrom: null,
            shipTo: shipTo(order),
            carrierCode: order.carrierHint ?? null,
            serviceLevel: null,
            bookingRef: order.bolNumber ?? null,
            trackingNumber: null,
            lines: order.lines.map((l) => shipmentLine(order, l, l.shippedQty, l.uom)),
            packages: packages(order),
            milestones: [],
            totalWeightKg: totalWeight(order),
            scheduledShipDate: order.requestedShipDate ? new Date(`${order.requestedShipDate.slice(0, 10)}T00:00:00Z`) : null,
            shippedAt,
            estimatedDeliveryAt: null,
            deliveredAt: null,
          },
          dispatchedAt: shippedAt,
        },
      };
    }
  }
}

/** A WMS stock correction -> InventoryAdjusted (id from the WMS adjustment id). Pure. */
export function mapInventoryAdjustment(adj: WmsInventoryAdjustment, ctx: MappingContext): BridgeEvent {
  const adjustedAt = new Date(adj.adjustedAt);
  const warehouseCode = toOdxWarehouse(ctx.warehouses, adj.warehouse);
  const reason = (adj.reason ?? '').toUpperCase();
  return {
    eventType: 'InventoryAdjusted',
    payload: {
      meta: {
        eventId: deterministicEventId('wms', 'inventory.adjusted', adj.warehouse, adj.sku, adj.adjustmentId, adj.adjustedAt),
        occurredAt: adjustedAt,
        source: 'wms',
        correlationId: `${warehouseCode}:${adj.sku}`,
        causationId: null,
        company: ctx.company,
      },
      adjustment: {
        adjustmentId: adj.adjustmentId,
        sku: adj.sku,
        productId: null,
        warehouseCode,
        locationCode: null,
        lotNumber: null,
        uom: 'EA',
        quantityDelta: dec4(adj.delta),
        reasonCode: REASON_CODES.has(reason) ? reason : 'OTHER',
        reference: REASON_CODES.has(reason) || !adj.reason ? null : adj.reason,
        adjustedBy: 'wms',
        adjustedAt,
      },
      resultingOnHand: dec4(adj.onHand),
    },
  };
}
