import type { OutgoingEvent } from '@odx/runtime';
import {
  INCOMING_PICKING_FIELDS,
  RECEIPT_MOVE_LINE_FIELDS,
  mapGoodsReceived,
  mapReturnAuthorized,
  mapReturnReceived,
  receiptKind,
  receiptMoveFields,
  type ReceiptContext,
} from '../mapping/map-receipt.js';
import { PARTNER_FIELDS, PRODUCT_FIELDS, WAREHOUSE_FIELDS, type OdooRecord } from '../mapping/map-sale-order.js';
import { LOCATION_FIELDS, PICKING_FIELDS } from '../mapping/map-stock.js';
import { PURCHASE_LINE_FIELDS } from '../mapping/map-purchase-order.js';
import { purchaseLineNumbers } from '../mapping/map-vendor-bill.js';
import type { FieldCatalog } from '../odoo/field-catalog.js';
import type { OdooClient } from '../odoo/odoo-client.js';
import { idList, m2oId, str } from '../odoo/odoo-values.js';
import type { OdooVersionAdapter } from '../odoo/version-adapter.js';
import type { EchoMarks } from '../writeback/echo-marks.js';
import { keyed } from './operations-specs.js';
import { readMap } from './sale-order-spec.js';

const m2oIds = (records: Iterable<OdooRecord>, field: string): number[] => [...records].map((r) => m2oId(r[field]) ?? 0);

/** Fields read from incoming pickings (on top of the outgoing ones). */
export const RECEIPT_PICKING_FIELDS = [...PICKING_FIELDS, ...INCOMING_PICKING_FIELDS, 'create_date'];

/**
 * Follows backorder_id up to the return picking that was authorised: the RMA of a
 * return received in several parts. At most a few levels (one per partial receipt).
 */
async function returnRoots(client: OdooClient, catalog: FieldCatalog, pickings: OdooRecord[]): Promise<Map<number, number>> {
  const roots = new Map<number, number>();
  let frontier = new Map<number, number>(); // picking -> its backorder_id
  for (const p of pickings) {
    const parent = m2oId(p['backorder_id']);
    if (parent !== null) frontier.set(p.id, parent);
  }
  const origin = new Map<number, number>([...frontier].map(([id]) => [id, id]));
  for (let depth = 0; depth < 20 && frontier.size > 0; depth++) {
    const parents = await readMap(client, catalog, 'stock.picking', frontier.values(), ['backorder_id']);
    const next = new Map<number, number>();
    for (const [child, parentId] of frontier) {
      const grand = m2oId(parents.get(parentId)?.['backorder_id']);
      const start = origin.get(child)!;
      if (grand === null) roots.set(start, parentId);
      else {
        next.set(parentId, grand);
        origin.set(parentId, start);
      }
    }
    frontier = next;
  }
  return roots;
}

/**
 * Incoming pickings -> GoodsReceived (validated PO receipts), ReturnAuthorized
 * (a return picking of a delivery) and ReturnReceived (a validated return). A
 * receipt the write-back validated for the WMS (`echoes`) is not published:
 * wms-bridge already published it from the WMS's receipt.
 */
export async function receiptEvents(
  client: OdooClient,
  catalog: FieldCatalog,
  adapter: OdooVersionAdapter,
  company: string,
  incoming: OdooRecord[],
  echoes?: EchoMarks,
): Promise<OutgoingEvent[]> {
  const relevant = incoming.filter(
    (p) => str(p['state']) !== 'cancel' && (m2oId(p['purchase_id']) !== null || m2oId(p['return_id']) !== null),
  );
  if (relevant.length === 0) return [];
  const echoed = echoes
    ? await echoes.marked(
        'stock.picking',
        relevant.filter((p) => str(p['state']) === 'done').map((p) => p.id),
      )
    : new Set<number>();
  const pickings = relevant.filter((p) => !echoed.has(p.id) || m2oId(p['return_id']) !== null);
  if (pickings.length === 0) return [];
  const [moves, originals, purchaseOrders, roots] = await Promise.all([
    readMap(
      client,
      catalog,
      'stock.move',
      pickings.flatMap((p) => idList(p['move_ids'])),
      receiptMoveFields(adapter),
    ),
    readMap(client, catalog, 'stock.picking', m2oIds(pickings, 'return_id'), ['name', 'picking_type_code', 'sale_id', 'partner_id']),
    readMap(client, catalog, 'purchase.order', m2oIds(pickings, 'purchase_id'), ['name', 'receipt_status', 'order_line']),
    returnRoots(client, catalog, pickings),
  ]);
  const rootMoves = await readMap(
    client,
    catalog,
    'stock.picking',
    [...new Set(roots.values())].filter((id) => !pickings.some((p) => p.id === id)),
    ['move_ids'],
  );
  const rootMoveRecords = await readMap(
    client,
    catalog,
    'stock.move',
    [...rootMoves.values()].flatMap((p) => idList(p['move_ids'])),
    ['origin_returned_move_id', 'picking_id'],
  );
  const returnLineByOrigin = new Map<number, number>();
  const rootIds = new Set([...roots.values(), ...pickings.filter((p) => m2oId(p['backorder_id']) === null).map((p) => p.id)]);
  for (const m of [...moves.values(), ...rootMoveRecords.values()]) {
    const origin = m2oId(m['origin_returned_move_id']);
    const pickingId = m2oId(m['picking_id']) ?? pickings.find((p) => idList(p['move_ids']).includes(m.id))?.id;
    if (origin !== null && pickingId !== undefined && rootIds.has(pickingId) && !returnLineByOrigin.has(origin))
      returnLineByOrigin.set(origin, m.id);
  }
  const moveLineIds = [...moves.values()].flatMap((m) => idList(m['move_line_ids']));
  const locationIds = [...m2oIds(pickings, 'location_dest_id'), ...m2oIds(moves.values(), 'location_dest_id')];
  const [moveLines, products, locations, partners, saleOrders, poLines] = await Promise.all([
    readMap(client, catalog, 'stock.move.line', moveLineIds, RECEIPT_MOVE_LINE_FIELDS),
    readMap(client, catalog, 'product.product', m2oIds(moves.values(), 'product_id'), PRODUCT_FIELDS),
    readMap(client, catalog, 'stock.location', locationIds, LOCATION_FIELDS),
    readMap(
      client,
      catalog,
      'res.partner',
      [...m2oIds(pickings, 'partner_id'), ...m2oIds(originals.values(), 'partner_id')],
      PARTNER_FIELDS,
    ),
    readMap(
      client,
      catalog,
      'sale.order',
      [...m2oIds(originals.values(), 'sale_id'), ...m2oIds(pickings, 'sale_id')],
      ['name', 'client_order_ref', 'origin'],
    ),
    readMap(
      client,
      catalog,
      'purchase.order.line',
      [...purchaseOrders.values()].flatMap((po) => idList(po['order_line'])),
      PURCHASE_LINE_FIELDS,
    ),
  ]);
  const warehouses = await readMap(client, catalog, 'stock.warehouse', m2oIds(locations.values(), 'warehouse_id'), WAREHOUSE_FIELDS);
  const ctx: ReceiptContext = {
    moves,
    moveLines,
    products,
    locations,
    warehouses,
    partners,
    purchaseOrders,
    purchaseLineNumbers: purchaseLineNumbers(purchaseOrders.values(), poLines),
    originals,
    saleOrders,
    returnRoots: roots,
    returnLineByOrigin,
    adapter,
    company,
  };
  const out: OutgoingEvent[] = [];
  for (const p of pickings) {
    const kind = receiptKind(p, ctx);
    if (kind === 'purchase') {
      const e = mapGoodsReceived(p, ctx);
      if (e) out.push(keyed('GoodsReceived', e));
    } else if (kind === 'return') {
      const authorized = mapReturnAuthorized(p, ctx);
      if (authorized) out.push(keyed('ReturnAuthorized', authorized));
      if (echoed.has(p.id)) continue; // received in the WMS: wms-bridge published it
      const received = mapReturnReceived(p, ctx);
      if (received) out.push(keyed('ReturnReceived', received));
    }
  }
  return out;
}
