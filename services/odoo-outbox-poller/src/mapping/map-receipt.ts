import { deterministicEventId } from '@odx/runtime';
import type { GoodsReceipt, GoodsReceiptLine, GoodsReceived, ReceiptLot, ReturnAuthorized, ReturnLine, ReturnReceived } from '@odx/schemas';
import { decimal, idList, m2oId, m2oName, m2oRef, num, odooDate, str } from '../odoo/odoo-values.js';
import type { OdooVersionAdapter } from '../odoo/version-adapter.js';
import { address, orderIdOf, party, type OdooRecord } from './map-sale-order.js';

export const INCOMING_PICKING_FIELDS = ['purchase_id', 'return_id', 'backorder_id', 'location_dest_id', 'move_line_ids'];
export function receiptMoveFields(adapter: OdooVersionAdapter): string[] {
  return [
    'product_id',
    'name',
    'product_uom_qty',
    adapter.moveDoneQuantityField,
    'product_uom',
    'state',
    'purchase_line_id',
    'origin_returned_move_id',
    'sale_line_id',
    'location_dest_id',
    'move_line_ids',
    'picking_id',
  ];
}
export const RECEIPT_MOVE_LINE_FIELDS = ['move_id', 'lot_id', 'lot_name', 'quantity', 'location_dest_id'];

/** Related records a batch of incoming pickings needs. */
export interface ReceiptContext {
  moves: Map<number, OdooRecord>;
  moveLines: Map<number, OdooRecord>;
  products: Map<number, OdooRecord>;
  locations: Map<number, OdooRecord>;
  warehouses: Map<number, OdooRecord>;
  partners: Map<number, OdooRecord>;
  purchaseOrders: Map<number, OdooRecord>;
  /** purchase.order.line id -> its 1-based number on the PO (as PurchaseOrderLine.lineNumber). */
  purchaseLineNumbers: Map<number, number>;
  /** The deliveries returns come back from (return_id), with their sale orders. */
  originals: Map<number, OdooRecord>;
  saleOrders: Map<number, OdooRecord>;
  /** A return picking's backorder -> the return picking that was authorised (the RMA). */
  returnRoots: Map<number, number>;
  /** origin_returned_move_id -> the move of the authorised return picking (the ReturnLine). */
  returnLineByOrigin: Map<number, number>;
  adapter: OdooVersionAdapter;
  company: string;
}

const isIncoming = (p: OdooRecord): boolean => str(p['picking_type_code']) === 'incoming';

/** The delivery an incoming picking returns, when it is a customer return (return_id an outgoing picking). */
function returnedDelivery(p: OdooRecord, ctx: ReceiptContext): OdooRecord | undefined {
  if (!isIncoming(p)) return undefined;
  const original = ctx.originals.get(m2oId(p['return_id']) ?? -1);
  return original && str(original['picking_type_code']) === 'outgoing' ? original : undefined;
}

/** Whether an incoming picking is a customer return (ReturnAuthorized/ReturnReceived), a PO receipt (GoodsReceived) or neither. */
export function receiptKind(p: OdooRecord, ctx: ReceiptContext): 'return' | 'purchase' | null {
  if (!isIncoming(p)) return null;
  if (m2oId(p['return_id']) !== null) return returnedDelivery(p, ctx) ? 'return' : null;
  return m2oId(p['purchase_id']) !== null ? 'purchase' : null;
}

function locationWarehouse(locationId: number | null, ctx: ReceiptContext): string | null {
  const loc = ctx.locations.get(locationId ?? -1);
  return str(ctx.warehouses.get(m2oId(loc?.['warehouse_id']) ?? -1)?.['code']);
}

function skuOf(productId: number | null, ctx: ReceiptContext): string {
  return str(ctx.products.get(productId ?? -1)?.['default_code']) ?? `odoo-product-${productId ?? 'unknown'}`;
}

function lotsOf(move: OdooRecord, ctx: ReceiptContext): ReceiptLot[] {
  const byLot = new Map<string, number>();
  for (const id of idList(move['move_line_ids'])) {
    const ml = ctx.moveLines.get(id);
    const lot = m2oName(ml?.['lot_id']) ?? str(ml?.['lot_name']);
    if (!ml || !lot) continue;
    byLot.set(lot, (byLot.get(lot) ?? 0) + num(ml['quantity']));
  }
  return [...byLot].map(([lotNumber, q]) => ({ lotNumber, quantity: decimal(q, 4), expiryDate: null }));
}

/** The received lines of a done incoming picking: done moves with a quantity (cancelled rests left out). */
function receiptLines(p: OdooRecord, ctx: ReceiptContext, kind: 'purchase' | 'return'): GoodsReceiptLine[] {
  const lines: GoodsReceiptLine[] = [];
  for (const id of idList(p['move_ids'])) {
    const m = ctx.moves.get(id);
    if (!m || str(m['state']) === 'cancel') continue;
    const qty = num(m[ctx.adapter.moveDoneQuantityField]);
    if (qty <= 0) continue;
    const productId = m2oId(m['product_id']);
    const purchaseLineId = m2oId(m['purchase_line_id']);
    const origin = m2oId(m['origin_returned_move_id']);
    const destId = m2oId(m['location_dest_id']) ?? m2oId(p['location_dest_id']);
    const dest = ctx.locations.get(destId ?? -1);
    const restocked = dest ? str(dest['usage']) === 'internal' : true;
    lines.push({
      lineId: String(m.id),
      purchaseLineId: kind === 'purchase' && purchaseLineId !== null ? String(purchaseLineId) : null,
      returnLineId: kind === 'return' ? String((origin !== null ? ctx.returnLineByOrigin.get(origin) : undefined) ?? m.id) : null,
      lineNumber: kind === 'purchase' && purchaseLineId !== null ? (ctx.purchaseLineNumbers.get(purchaseLineId) ?? null) : null,
      sku: skuOf(productId, ctx),
      productId: productId !== null ? String(productId) : null,
      gtin: str(ctx.products.get(productId ?? -1)?.['barcode']),
      description: str(m['name']) ?? m2oName(m['product_id']),
      quantityExpected: decimal(m['product_uom_qty'], 4),
      quantity: decimal(qty, 4),
      uom: m2oName(m['product_uom']) ?? 'Units',
      lots: lotsOf(m, ctx),
      serialNumbers: [],
      // Odoo records no condition on a purchase receipt; a return put away to a non-stock location was scrapped.
      condition: kind === 'return' ? (restocked ? 'RESTOCK' : 'SCRAP') : null,
      locationCode: str(dest?.['complete_name']) ?? m2oName(m['location_dest_id']),
    });
  }
  return lines;
}

function receipt(p: OdooRecord, ctx: ReceiptContext, kind: 'purchase' | 'return'): GoodsReceipt {
  const destId = m2oId(p['location_dest_id']);
  return {
    receiptId: String(p.id),
    name: str(p['name']),
    origin: str(p['origin']),
    partner: m2oId(p['partner_id']) !== null ? party(ctx.partners.get(m2oId(p['partner_id'])!), m2oName(p['partner_id'])) : null,
    warehouseCode: locationWarehouse(destId, ctx) ?? 'unknown',
    locationCode: str(ctx.locations.get(destId ?? -1)?.['complete_name']) ?? m2oName(p['location_dest_id']),
    scheduledAt: odooDate(p['scheduled_date']),
    receivedAt: odooDate(p['date_done']) ?? odooDate(p['write_date']) ?? new Date(0),
    asnNumber: null,
    carrierCode: m2oName(p['carrier_id']),
    trackingNumber: str(p['carrier_tracking_ref']),
    backorderOfId: m2oRef(p['backorder_id']),
    wmsReceiptId: null,
    receivedBy: null,
    lines: receiptLines(p, ctx, kind),
    notes: null,
  };
}

/** A validated PO receipt (done incoming picking with purchase_id) -> GoodsReceived, once per receipt. */
export function mapGoodsReceived(p: OdooRecord, ctx: ReceiptContext): GoodsReceived | null {
  if (str(p['state']) !== 'done' || receiptKind(p, ctx) !== 'purchase') return null;
  const poId = m2oId(p['purchase_id'])!;
  const po = ctx.purchaseOrders.get(poId);
  const goods = receipt(p, ctx, 'purchase');
  if (goods.lines.length === 0) return null;
  return {
    meta: {
      eventId: deterministicEventId('stock.picking', p.id, 'GoodsReceived', String(p['date_done'] ?? '')),
      occurredAt: goods.receivedAt,
      source: 'odoo',
      correlationId: `purchase.order:${poId}`,
      causationId: null,
      company: ctx.company,
    },
    purchaseOrderId: String(poId),
    purchaseOrderName: str(po?.['name']) ?? m2oName(p['purchase_id']),
    receipt: goods,
    receiptStatus: str(po?.['receipt_status']),
  };
}

/** The RMA a return picking belongs to: the authorised return picking, whose backorders receive its rest. */
export function returnIdOf(p: OdooRecord, ctx: ReceiptContext): string {
  return String(ctx.returnRoots.get(p.id) ?? p.id);
}

/**
 * A return picking Odoo created from a done delivery (stock.return.picking) -> ReturnAuthorized,
 * once per return (its backorders receive the same RMA and are not authorised again). The RMA id is
 * the return picking's id, its number the picking's name.
 */
export function mapReturnAuthorized(p: OdooRecord, ctx: ReceiptContext): ReturnAuthorized | null {
  const state = str(p['state']);
  if (state === 'cancel' || state === 'draft' || m2oId(p['backorder_id']) !== null) return null;
  const original = returnedDelivery(p, ctx);
  if (!original) return null;
  const order = ctx.saleOrders.get(m2oId(original['sale_id']) ?? m2oId(p['sale_id']) ?? -1);
  const partner = ctx.partners.get(m2oId(p['partner_id']) ?? m2oId(original['partner_id']) ?? -1);
  const lines: ReturnLine[] = [];
  for (const id of idList(p['move_ids'])) {
    const m = ctx.moves.get(id);
    if (!m || str(m['state']) === 'cancel') continue;
    const productId = m2oId(m['product_id']);
    const qty = num(m['product_uom_qty']);
    if (qty <= 0) continue;
    lines.push({
      lineId: String(m.id),
      orderLineId: m2oRef(m['sale_line_id']),
      sku: skuOf(productId, ctx),
      productId: productId !== null ? String(productId) : null,
      quantity: decimal(qty, 4),
      uom: m2oName(m['product_uom']) ?? 'Units',
      // Odoo's return wizard records no reason or disposition.
      reasonCode: 'OTHER',
      lotNumber: null,
      serialNumbers: [],
      expectedDisposition: null,
      originalShipmentLineId: m2oRef(m['origin_returned_move_id']),
    });
  }
  if (lines.length === 0) return null;
  const orderId = order ? orderIdOf(order) : null;
  const authorizedAt = odooDate(p['create_date']) ?? odooDate(p['write_date']) ?? new Date(0);
  return {
    meta: {
      eventId: deterministicEventId('stock.picking', p.id, 'ReturnAuthorized'),
      occurredAt: authorizedAt,
      source: 'odoo',
      correlationId: orderId ?? `stock.picking:${p.id}`,
      causationId: null,
      company: ctx.company,
    },
    return: {
      returnId: String(p.id),
      rmaNumber: str(p['name']) ?? `return ${p.id}`,
      orderId,
      orderName: str(order?.['name']),
      customer: party(partner, m2oName(p['partner_id'])),
      returnFrom: partner ? address(partner, ctx.partners) : null,
      warehouseCode: locationWarehouse(m2oId(p['location_dest_id']), ctx) ?? 'unknown',
      lines,
      authorizedAt,
      expiresAt: null,
      currency: null,
      expectedRefund: null,
      notes: null,
      originalShipmentId: String(original.id),
      originalShipmentName: str(original['name']),
      returnPickingId: String(p.id),
      returnPickingName: str(p['name']),
    },
  };
}

/** A validated return picking (or a backorder of one) -> ReturnReceived, with RESTOCK/SCRAP by where the goods went. */
export function mapReturnReceived(p: OdooRecord, ctx: ReceiptContext): ReturnReceived | null {
  if (str(p['state']) !== 'done') return null;
  const original = returnedDelivery(p, ctx);
  if (!original) return null;
  const goods = receipt(p, ctx, 'return');
  if (goods.lines.length === 0) return null;
  const rootId = ctx.returnRoots.get(p.id);
  const order = ctx.saleOrders.get(m2oId(original['sale_id']) ?? m2oId(p['sale_id']) ?? -1);
  const orderId = order ? orderIdOf(order) : null;
  return {
    meta: {
      eventId: deterministicEventId('stock.picking', p.id, 'ReturnReceived', String(p['date_done'] ?? '')),
      occurredAt: goods.receivedAt,
      source: 'odoo',
      correlationId: orderId ?? `stock.picking:${returnIdOf(p, ctx)}`,
      causationId: null,
      company: ctx.company,
    },
    returnId: returnIdOf(p, ctx),
    // A backorder's own name is not the RMA number; the authorised picking's is (read when it is in the batch).
    rmaNumber: rootId === undefined ? str(p['name']) : null,
    orderId,
    receipt: goods,
  };
}
