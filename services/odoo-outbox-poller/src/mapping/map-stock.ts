import { deterministicEventId } from '@odx/runtime';
import type { InventoryLevelChanged, ShipmentDispatched, ShipmentLine } from '@odx/schemas';
import { decimal, m2oId, m2oName, odooDate, str } from '../odoo/odoo-values.js';
import type { OdooVersionAdapter } from '../odoo/version-adapter.js';
import { orderIdOf, type OdooRecord } from './map-sale-order.js';

export const QUANT_FIELDS = ['product_id', 'location_id', 'lot_id', 'quantity', 'reserved_quantity', 'product_uom_id'];
export const LOCATION_FIELDS = ['name', 'complete_name', 'usage', 'warehouse_id'];
export const PICKING_FIELDS = [
  'name',
  'state',
  'picking_type_code',
  'partner_id',
  'origin',
  'sale_id',
  'move_ids',
  'scheduled_date',
  'date_done',
  'carrier_id',
  'carrier_tracking_ref',
  'location_id',
  'picking_type_id',
];
export function moveFields(adapter: OdooVersionAdapter): string[] {
  return ['product_id', 'product_uom_qty', adapter.moveDoneQuantityField, 'product_uom', 'sale_line_id', 'state'];
}

/** Related records a batch of stock records needs. */
export interface StockContext {
  products: Map<number, OdooRecord>;
  locations: Map<number, OdooRecord>;
  warehouses: Map<number, OdooRecord>;
  moves: Map<number, OdooRecord>;
  partners: Map<number, OdooRecord>;
  orders: Map<number, OdooRecord>;
  adapter: OdooVersionAdapter;
  company: string;
}

function warehouseCodeOf(locationId: number | null, ctx: StockContext): string | null {
  const loc = locationId !== null ? ctx.locations.get(locationId) : undefined;
  const wh = ctx.warehouses.get(m2oId(loc?.['warehouse_id']) ?? -1);
  return str(wh?.['code']);
}

/**
 * stock.quant in an internal location of a warehouse -> InventoryLevelChanged
 * (one per quant version). Quants outside warehouses (customers, vendors,
 * inventory loss) are not stock levels and map to nothing.
 */
export function mapQuant(q: OdooRecord, ctx: StockContext): InventoryLevelChanged | null {
  const locationId = m2oId(q['location_id']);
  const loc = locationId !== null ? ctx.locations.get(locationId) : undefined;
  const warehouseCode = warehouseCodeOf(locationId, ctx);
  if (!warehouseCode || (loc && str(loc['usage']) !== 'internal')) return null;
  const product = ctx.products.get(m2oId(q['product_id']) ?? -1);
  const onHand = typeof q['quantity'] === 'number' ? q['quantity'] : 0;
  const reserved = typeof q['reserved_quantity'] === 'number' ? q['reserved_quantity'] : 0;
  const sku = str(product?.['default_code']) ?? `odoo-product-${m2oId(q['product_id']) ?? 'unknown'}`;
  const asOf = odooDate(q['write_date']) ?? new Date(0);
  return {
    meta: {
      eventId: deterministicEventId('stock.quant', q.id, 'InventoryLevelChanged', String(q['write_date'] ?? '')),
      occurredAt: asOf,
      source: 'odoo',
      correlationId: `${warehouseCode}:${sku}`,
      causationId: null,
      company: ctx.company,
    },
    level: {
      sku,
      productId: m2oId(q['product_id']) !== null ? String(m2oId(q['product_id'])) : null,
      warehouseCode,
      locationCode: str(loc?.['complete_name']) ?? m2oName(q['location_id']),
      lotNumber: m2oName(q['lot_id']),
      uom: m2oName(q['product_uom_id']) ?? 'Units',
      onHand: decimal(onHand, 4),
      reserved: decimal(reserved, 4),
      available: decimal(onHand - reserved, 4),
      incoming: null,
      outgoing: null,
      asOf,
    },
    previousOnHand: null,
    cause: 'odoo',
  };
}

/** A done outgoing stock.picking -> ShipmentDispatched with the shipped quantities. */
export function mapDonePicking(p: OdooRecord, ctx: StockContext): ShipmentDispatched | null {
  if (str(p['state']) !== 'done' || str(p['picking_type_code']) !== 'outgoing') return null;
  const order = ctx.orders.get(m2oId(p['sale_id']) ?? -1);
  const partner = ctx.partners.get(m2oId(p['partner_id']) ?? -1);
  const moveIds = Array.isArray(p['move_ids']) ? (p['move_ids'] as number[]) : [];
  const lines: ShipmentLine[] = [];
  for (const id of moveIds) {
    const m = ctx.moves.get(id);
    if (!m) continue;
    const product = ctx.products.get(m2oId(m['product_id']) ?? -1);
    lines.push({
      lineId: String(m.id),
      orderLineId: m2oId(m['sale_line_id']) !== null ? String(m2oId(m['sale_line_id'])) : null,
      lineNumber: lines.length + 1,
      sku: str(product?.['default_code']) ?? `odoo-product-${m2oId(m['product_id']) ?? 'unknown'}`,
      productId: m2oId(m['product_id']) !== null ? String(m2oId(m['product_id'])) : null,
      gtin: str(product?.['barcode']),
      description: m2oName(m['product_id']),
      quantity: decimal(m[ctx.adapter.moveDoneQuantityField], 4),
      uom: m2oName(m['product_uom']) ?? 'Units',
      lotNumber: null,
      expiryDate: null,
      serialNumbers: [],
    });
  }
  const dispatchedAt = odooDate(p['date_done']) ?? odooDate(p['write_date']) ?? new Date(0);
  const orderId = order ? orderIdOf(order) : null;
  return {
    meta: {
      eventId: deterministicEventId('stock.picking', p.id, 'ShipmentDispatched', String(p['date_done'] ?? '')),
      occurredAt: dispatchedAt,
      source: 'odoo',
      correlationId: orderId ?? `stock.picking:${p.id}`,
      causationId: null,
      company: ctx.company,
    },
    shipment: {
      shipmentId: `odoo-picking-${p.id}`,
      name: str(p['name']),
      orderId,
      orderName: str(order?.['name']),
      clientOrderRef: str(order?.['client_order_ref']),
      customer: null,
      warehouseCode: warehouseCodeOf(m2oId(p['location_id']), ctx) ?? 'unknown',
      state: 'dispatched',
      shipFrom: null,
      shipTo: {
        addressId: partner ? String(partner.id) : null,
        name: str(partner?.['name']),
        companyName: null,
        street1: str(partner?.['street']),
        street2: str(partner?.['street2']),
        city: str(partner?.['city']),
        region: m2oName(partner?.['state_id']),
        postalCode: str(partner?.['zip']),
        countryCode: str(partner?.['country_code']),
        locationCode: str(partner?.['ref']),
        phone: str(partner?.['phone']),
        email: str(partner?.['email']),
      },
      carrierCode: m2oName(p['carrier_id']),
      serviceLevel: null,
      bookingRef: null,
      trackingNumber: str(p['carrier_tracking_ref']),
      lines,
      packages: [],
      milestones: [],
      totalWeightKg: null,
      scheduledShipDate: odooDate(p['scheduled_date']),
      shippedAt: dispatchedAt,
      estimatedDeliveryAt: null,
      deliveredAt: null,
    },
    dispatchedAt,
  };
}
