import { PermanentError, type EventHandler, type Logger } from '@odx/runtime';
import type { InventoryAdjusted, OrderReceived, ShipmentBooked, ShipmentDispatched } from '@odx/schemas';
import type { OdooRecord } from '../mapping/map-sale-order.js';
import type { OdooClient } from '../odoo/odoo-client.js';
import { m2oId } from '../odoo/odoo-values.js';
import type { OdooVersionAdapter } from '../odoo/version-adapter.js';
import type { EchoMarks } from './echo-marks.js';
import { findOutgoingPicking, productsBySku, requireProducts } from './odoo-lookups.js';
import { writeGoodsReceived, writePurchaseOrderAcknowledged, writeReturnReceived } from './write-purchasing.js';

export interface WritebackOptions {
  client: OdooClient;
  adapter: OdooVersionAdapter;
  logger: Logger;
  /** Confirm sale orders created from OrderReceived. @default false */
  confirmReceivedOrders: boolean;
  /** Where pickings validated for the warehouse are marked, so the poller does not echo them. */
  echoes?: EchoMarks | undefined;
}

export type WritebackOutcome = { action: string; odooModel: string; odooId: number | null };

/**
 * OrderReceived -> sale.order. Found first by customer + client_order_ref (the
 * PO number), so a repeat (redelivery, resent EDI file) never creates a second
 * order; the ODX order id goes into `origin` so the poller keys the order's
 * later events the same way.
 */
export async function writeOrderReceived(o: WritebackOptions, e: OrderReceived): Promise<WritebackOutcome> {
  const order = e.order;
  const partnerDomain = order.customer.ref
    ? [['ref', '=', order.customer.ref]]
    : /^\d+$/.test(order.customer.partyId)
      ? [['id', '=', Number(order.customer.partyId)]]
      : [['name', '=', order.customer.name]];
  const [partner] = await o.client.searchRead<OdooRecord>('res.partner', partnerDomain, { fields: ['name'], limit: 1 });
  if (!partner)
    throw new PermanentError(`customer ${order.customer.ref ?? order.customer.partyId} (${order.customer.name}) is not in Odoo`, {
      errorClass: 'odoo.unknown-customer',
    });
  if (order.clientOrderRef) {
    const [existing] = await o.client.searchRead<OdooRecord>(
      'sale.order',
      [
        ['partner_id', '=', partner.id],
        ['client_order_ref', '=', order.clientOrderRef],
      ],
      { fields: ['name'], limit: 1, context: { active_test: false } },
    );
    if (existing) return { action: 'exists', odooModel: 'sale.order', odooId: existing.id };
  }
  const skus = order.lines.map((l) => l.sku);
  const products = await productsBySku(o.client, skus);
  requireProducts(products, skus, `order ${order.clientOrderRef ?? order.orderId}`);
  const [warehouse] = order.warehouseCode
    ? await o.client.searchRead<OdooRecord>('stock.warehouse', [['code', '=', order.warehouseCode]], { fields: ['code'], limit: 1 })
    : [];
  const vals: Record<string, unknown> = {
    partner_id: partner.id,
    client_order_ref: order.clientOrderRef ?? false,
    origin: order.orderId,
    ...(warehouse ? { warehouse_id: warehouse.id } : {}),
    ...(order.requestedDeliveryDate ? { commitment_date: order.requestedDeliveryDate.toISOString().slice(0, 19).replace('T', ' ') } : {}),
    order_line: order.lines.map((l) => [
      0,
      0,
      {
        product_id: products.get(l.sku)!.id,
        product_uom_qty: Number(l.quantity),
        ...(l.unitPrice ? { price_unit: Number(l.unitPrice) } : {}),
        ...(l.description ? { name: l.description } : {}),
      },
    ]),
  };
  const id = await o.client.executeKw<number | number[]>('sale.order', 'create', [vals]);
  const orderIdInOdoo = Array.isArray(id) ? id[0]! : id;
  if (o.confirmReceivedOrders) await o.client.executeKw('sale.order', 'action_confirm', [[orderIdInOdoo]]);
  return { action: o.confirmReceivedOrders ? 'created-and-confirmed' : 'created', odooModel: 'sale.order', odooId: orderIdInOdoo };
}

/** ShipmentBooked -> carrier tracking reference (and carrier, when Odoo knows it) on the outgoing picking. */
export async function writeShipmentBooked(o: WritebackOptions, e: ShipmentBooked): Promise<WritebackOutcome> {
  if (!e.orderId) throw new PermanentError(`ShipmentBooked ${e.shipmentId} names no order`, { errorClass: 'odoo.no-order' });
  const picking = await findOutgoingPicking(o.client, e.orderId);
  const [carrier] = await o.client.searchRead<OdooRecord>('delivery.carrier', [['name', 'ilike', e.carrierCode]], {
    fields: ['name'],
    limit: 1,
  });
  const vals: Record<string, unknown> = { carrier_tracking_ref: e.trackingNumber ?? e.bookingRef };
  if (carrier) vals['carrier_id'] = carrier.id;
  await o.client.executeKw('stock.picking', 'write', [[picking.id], vals]);
  return { action: 'tracking-set', odooModel: 'stock.picking', odooId: picking.id };
}

/** ShipmentDispatched from the warehouse -> the picking validated with the shipped quantities. */
export async function writeShipmentDispatched(o: WritebackOptions, e: ShipmentDispatched): Promise<WritebackOutcome> {
  const s = e.shipment;
  if (!s.orderId) throw new PermanentError(`ShipmentDispatched ${s.shipmentId} names no order`, { errorClass: 'odoo.no-order' });
  const picking = await findOutgoingPicking(o.client, s.orderId);
  if (picking['state'] === 'done') return { action: 'already-done', odooModel: 'stock.picking', odooId: picking.id };
  const moveIds = Array.isArray(picking['move_ids']) ? (picking['move_ids'] as number[]) : [];
  const moves = await o.client.read<OdooRecord>('stock.move', moveIds, ['product_id', 'product_uom_qty', o.adapter.moveDoneQuantityField]);
  const products = await productsBySku(
    o.client,
    s.lines.map((l) => l.sku),
  );
  requireProducts(
    products,
    s.lines.map((l) => l.sku),
    `shipment ${s.shipmentId}`,
  );
  const shipped = new Map<number, number>();
  for (const l of s.lines) {
    const pid = products.get(l.sku)!.id;
    shipped.set(pid, (shipped.get(pid) ?? 0) + Number(l.quantity));
  }
  for (const m of moves) {
    const qty = shipped.get(m2oId(m['product_id']) ?? -1) ?? 0;
    await o.client.executeKw('stock.move', 'write', [[m.id], { [o.adapter.moveDoneQuantityField]: qty }]);
  }
  await o.echoes?.mark('stock.picking', picking.id, e.meta.eventId);
  await o.client.executeKw('stock.picking', 'button_validate', [[picking.id]], { context: { skip_backorder: true, skip_sms: true } });
  return { action: 'validated', odooModel: 'stock.picking', odooId: picking.id };
}

/** InventoryAdjusted from the warehouse -> an inventory adjustment on the warehouse's stock location (to its resulting count when given, else by the delta). */
export async function writeInventoryAdjusted(o: WritebackOptions, e: InventoryAdjusted): Promise<WritebackOutcome> {
  const a = e.adjustment;
  const products = await productsBySku(o.client, [a.sku]);
  requireProducts(products, [a.sku], `adjustment ${a.adjustmentId}`);
  const [warehouse] = await o.client.searchRead<OdooRecord>('stock.warehouse', [['code', '=', a.warehouseCode]], {
    fields: ['lot_stock_id'],
    limit: 1,
  });
  const locationId = m2oId(warehouse?.['lot_stock_id']);
  if (!warehouse || locationId === null)
    throw new PermanentError(`warehouse ${a.warehouseCode} is not in Odoo`, { errorClass: 'odoo.unknown-warehouse' });
  const productId = products.get(a.sku)!.id;
  const [quant] = await o.client.searchRead<OdooRecord>(
    'stock.quant',
    [
      ['product_id', '=', productId],
      ['location_id', '=', locationId],
    ],
    { fields: ['quantity'], limit: 1 },
  );
  const onHand = typeof quant?.['quantity'] === 'number' ? quant['quantity'] : 0;
  // The warehouse's resulting count, when it sends one, is absolute and so safe to
  // apply twice; a bare delta is not (a crash between Odoo applying it and the
  // idempotency key being marked done would apply it again).
  const target = e.resultingOnHand !== null ? Number(e.resultingOnHand) : onHand + Number(a.quantityDelta);
  const quantId = quant
    ? quant.id
    : await o.client.executeKw<number>('stock.quant', 'create', [
        { product_id: productId, location_id: locationId, inventory_quantity: target },
      ]);
  if (quant) await o.client.executeKw('stock.quant', 'write', [[quant.id], { inventory_quantity: target }]);
  await o.client.executeKw('stock.quant', 'action_apply_inventory', [[quantId]]);
  return { action: 'adjusted', odooModel: 'stock.quant', odooId: quantId };
}

/** Event types the poller also publishes for what happened in Odoo itself (meta.source 'odoo'). */
const ODOO_ORIGINATED: ReadonlySet<string> = new Set(['ShipmentDispatched', 'InventoryAdjusted', 'GoodsReceived', 'ReturnReceived']);

/** The consumer-runner handler: routes each event type to its write. */
export function writebackHandler(o: WritebackOptions): EventHandler {
  return async (e) => {
    // What Odoo did itself, published by the poller: nothing to write back.
    if (ODOO_ORIGINATED.has(e.eventType) && e.payload.meta.source === 'odoo') return;
    let outcome: WritebackOutcome;
    switch (e.eventType) {
      case 'OrderReceived':
        outcome = await writeOrderReceived(o, e.payload);
        break;
      case 'ShipmentBooked':
        outcome = await writeShipmentBooked(o, e.payload);
        break;
      case 'ShipmentDispatched':
        outcome = await writeShipmentDispatched(o, e.payload);
        break;
      case 'InventoryAdjusted':
        outcome = await writeInventoryAdjusted(o, e.payload);
        break;
      case 'PurchaseOrderAcknowledged':
        outcome = await writePurchaseOrderAcknowledged(o, e.payload);
        break;
      case 'GoodsReceived':
        outcome = await writeGoodsReceived(o, e.payload);
        break;
      case 'ReturnReceived':
        outcome = await writeReturnReceived(o, e.payload);
        break;
      default:
        return; // other events on these topics are not written back
    }
    o.logger.info('wrote back to Odoo', { event_type: e.eventType, ...outcome });
  };
}
