import { PermanentError } from '@odx/runtime';
import type { GoodsReceived, PurchaseOrderAcknowledged, ReturnReceived } from '@odx/schemas';
import type { OdooRecord } from '../mapping/map-sale-order.js';
import type { OdooClient } from '../odoo/odoo-client.js';
import { idList, m2oId, num, str, toOdooDatetime } from '../odoo/odoo-values.js';
import { productsBySku } from './odoo-lookups.js';
import type { WritebackOptions, WritebackOutcome } from './writeback-handlers.js';

const OPEN = ['done', 'cancel'];
const SCRAP_CONDITIONS = new Set(['SCRAP']);

function odooId(value: string, what: string): number {
  if (!/^\d+$/.test(value)) throw new PermanentError(`${what} ${value} is not an Odoo id`, { errorClass: 'odoo.not-an-odoo-id' });
  return Number(value);
}

/**
 * Validates a picking whose move quantities are set, as Odoo 17's form does:
 * a short picking answers the "Create Backorder?" action, whose wizard is
 * then processed with the action's context (the rest goes to a backorder).
 */
export async function validateReceipt(client: OdooClient, pickingId: number): Promise<void> {
  const res = await client.executeKw<unknown>('stock.picking', 'button_validate', [[pickingId]], { context: { skip_sms: true } });
  if (res && typeof res === 'object' && (res as { res_model?: unknown }).res_model === 'stock.backorder.confirmation') {
    const context = ((res as { context?: unknown }).context ?? {}) as Record<string, unknown>;
    const created = await client.executeKw<number | number[]>('stock.backorder.confirmation', 'create', [{}], { context });
    const wizard = Array.isArray(created) ? created[0]! : created;
    await client.executeKw('stock.backorder.confirmation', 'process', [[wizard]], { context });
  }
}

/** Picks the picking an event's write-back works on, once: a redelivery goes back to the one first chosen. */
async function choosePicking(o: WritebackOptions, eventId: string, find: () => Promise<number | undefined>): Promise<number | undefined> {
  const before = await o.echoes?.chosen(eventId);
  if (before !== undefined) return before;
  const found = await find();
  if (found === undefined) return undefined;
  return o.echoes ? o.echoes.choose(eventId, 'stock.picking', found) : found;
}

/** Writes lot split to a move's move lines (first line reused, more created), when the receipt names lots. */
async function writeLots(client: OdooClient, move: OdooRecord, lots: Array<{ lotNumber: string; quantity: number }>): Promise<void> {
  if (lots.length === 0) return;
  const existing = idList(move['move_line_ids']);
  for (let i = 0; i < lots.length; i++) {
    const vals = { quantity: lots[i]!.quantity, lot_name: lots[i]!.lotNumber };
    if (existing[i] !== undefined) await client.executeKw('stock.move.line', 'write', [[existing[i]!], vals]);
    else
      await client.executeKw('stock.move.line', 'create', [
        { ...vals, move_id: move.id, picking_id: m2oId(move['picking_id']), product_id: m2oId(move['product_id']) },
      ]);
  }
}

/**
 * GoodsReceived from the WMS -> the PO's open receipt validated with the
 * received quantities per PO line (a short receipt leaves a backorder, through
 * Odoo 17's backorder wizard). The picking is chosen and echo-marked before it
 * is touched: the poller does not publish it again, and a redelivery finds the
 * picking it chose done instead of validating the backorder.
 */
export async function writeGoodsReceived(o: WritebackOptions, e: GoodsReceived): Promise<WritebackOutcome> {
  const poId = odooId(e.purchaseOrderId, 'purchase order');
  const pickingId = await choosePicking(o, e.meta.eventId, async () => {
    const [open] = await o.client.searchRead<OdooRecord>(
      'stock.picking',
      [
        ['purchase_id', '=', poId],
        ['picking_type_code', '=', 'incoming'],
        ['return_id', '=', false],
        ['state', 'not in', OPEN],
      ],
      { fields: ['name'], order: 'id asc', limit: 1 },
    );
    return open?.id;
  });
  if (pickingId === undefined)
    throw new PermanentError(`purchase order ${e.purchaseOrderId} (${e.purchaseOrderName ?? '?'}) has no open receipt in Odoo`, {
      errorClass: 'odoo.receipt-not-found',
    });
  const [picking] = await o.client.read<OdooRecord>('stock.picking', [pickingId], ['state', 'move_ids']);
  if (!picking) throw new PermanentError(`receipt ${pickingId} is gone from Odoo`, { errorClass: 'odoo.receipt-not-found' });
  if (picking['state'] === 'done') return { action: 'already-done', odooModel: 'stock.picking', odooId: pickingId };
  await o.echoes?.mark('stock.picking', pickingId, e.meta.eventId);
  const qtyField = o.adapter.moveDoneQuantityField;
  const moves = await o.client.read<OdooRecord>('stock.move', idList(picking['move_ids']), [
    'product_id',
    'purchase_line_id',
    'state',
    'move_line_ids',
    'picking_id',
  ]);
  const skus = e.receipt.lines.filter((l) => l.purchaseLineId === null).map((l) => l.sku);
  const products = await productsBySku(o.client, skus);
  const byLine = new Map<string, { qty: number; lots: Array<{ lotNumber: string; quantity: number }> }>();
  for (const l of e.receipt.lines) {
    const key = l.purchaseLineId !== null ? `line:${l.purchaseLineId}` : `product:${products.get(l.sku)?.id ?? l.sku}`;
    const entry = byLine.get(key) ?? { qty: 0, lots: [] };
    entry.qty += Number(l.quantity);
    entry.lots.push(...l.lots.map((lot) => ({ lotNumber: lot.lotNumber, quantity: Number(lot.quantity) })));
    byLine.set(key, entry);
  }
  let matched = 0;
  for (const m of moves) {
    if (OPEN.includes(String(m['state']))) continue;
    const received = byLine.get(`line:${m2oId(m['purchase_line_id']) ?? -1}`) ?? byLine.get(`product:${m2oId(m['product_id']) ?? -1}`);
    if (received) matched++;
    await o.client.executeKw('stock.move', 'write', [[m.id], { [qtyField]: received?.qty ?? 0 }]);
    if (received) await writeLots(o.client, m, received.lots);
  }
  if (matched === 0)
    throw new PermanentError(`no line of receipt ${e.receipt.receiptId} is on the open receipt of purchase order ${e.purchaseOrderId}`, {
      errorClass: 'odoo.receipt-lines-not-found',
    });
  await validateReceipt(o.client, pickingId);
  return { action: 'validated', odooModel: 'stock.picking', odooId: pickingId };
}

/** The location scrapped goods go to: Odoo's scrap location, else (a database without one) the first inventory-loss location. */
async function scrapLocation(client: OdooClient): Promise<number> {
  const fields = await client.executeKw<Record<string, unknown>>('stock.location', 'fields_get', [], { attributes: ['type'] });
  const domains: unknown[][] = [
    ...('scrap_location' in fields ? [[['scrap_location', '=', true]]] : []),
    [
      ['usage', '=', 'inventory'],
      ['name', 'ilike', 'scrap'],
    ],
    [['usage', '=', 'inventory']],
  ];
  for (const domain of domains) {
    const [loc] = await client.searchRead<OdooRecord>('stock.location', domain, { fields: ['name'], limit: 1, order: 'id asc' });
    if (loc) return loc.id;
  }
  throw new PermanentError('Odoo has no scrap or inventory-loss location to scrap returned goods to', {
    errorClass: 'odoo.no-scrap-location',
  });
}

/**
 * ReturnReceived from the WMS -> the return picking validated: RESTOCK (and
 * any condition other than SCRAP) put away to the picking's stock location,
 * SCRAP lines sent to the scrap location instead, as Odoo's "return to scrap"
 * does. A move with both is split: the scrapped part becomes a move of its own
 * in the same picking. A short receipt leaves a backorder (the RMA's rest).
 */
export async function writeReturnReceived(o: WritebackOptions, e: ReturnReceived): Promise<WritebackOutcome> {
  const rootId = /^\d+$/.test(e.receipt.receiptId) ? Number(e.receipt.receiptId) : odooId(e.returnId, 'return');
  const pickingId = await choosePicking(o, e.meta.eventId, async () => {
    let frontier = [rootId];
    for (let depth = 0; depth < 20 && frontier.length > 0; depth++) {
      const open = await o.client.searchRead<OdooRecord>(
        'stock.picking',
        [depth === 0 ? ['id', 'in', frontier] : ['backorder_id', 'in', frontier], ['picking_type_code', '=', 'incoming']],
        { fields: ['state'], order: 'id asc' },
      );
      const todo = open.find((p) => !OPEN.includes(String(p['state'])));
      if (todo) return todo.id;
      frontier = depth === 0 ? frontier : open.map((p) => p.id);
      if (depth === 0 && open.length === 0) return undefined;
    }
    return undefined;
  });
  if (pickingId === undefined)
    throw new PermanentError(`return ${e.returnId} (${e.rmaNumber ?? '?'}) has no open return picking in Odoo`, {
      errorClass: 'odoo.return-not-found',
    });
  const [picking] = await o.client.read<OdooRecord>('stock.picking', [pickingId], ['state', 'move_ids']);
  if (!picking) throw new PermanentError(`return picking ${pickingId} is gone from Odoo`, { errorClass: 'odoo.return-not-found' });
  if (picking['state'] === 'done') return { action: 'already-done', odooModel: 'stock.picking', odooId: pickingId };
  await o.echoes?.mark('stock.picking', pickingId, e.meta.eventId);
  const qtyField = o.adapter.moveDoneQuantityField;
  const moveFields = [
    'name',
    'product_id',
    'product_uom_qty',
    'product_uom',
    'origin_returned_move_id',
    'location_id',
    'location_dest_id',
    'state',
    'to_refund',
    'sale_line_id',
    'picking_id',
    'move_line_ids',
  ];
  const moves = (await o.client.read<OdooRecord>('stock.move', idList(picking['move_ids']), moveFields)).filter(
    (m) => !OPEN.includes(String(m['state'])),
  );
  // The RMA's lines are the authorised picking's moves; a backorder's moves return the same delivered moves.
  const lineIds = [...new Set(e.receipt.lines.map((l) => l.returnLineId).filter((x): x is string => x !== null && /^\d+$/.test(x)))];
  const authorised =
    lineIds.length > 0 ? await o.client.read<OdooRecord>('stock.move', lineIds.map(Number), ['origin_returned_move_id']) : [];
  const originOf = new Map(authorised.map((m) => [String(m.id), m2oId(m['origin_returned_move_id'])]));
  const products = await productsBySku(
    o.client,
    e.receipt.lines.map((l) => l.sku),
  );
  const counts = new Map<number, { restock: number; scrap: number }>();
  for (const l of e.receipt.lines) {
    const origin = l.returnLineId !== null ? originOf.get(l.returnLineId) : undefined;
    const move =
      moves.find((m) => String(m.id) === l.returnLineId) ??
      (origin != null ? moves.find((m) => m2oId(m['origin_returned_move_id']) === origin) : undefined) ??
      moves.find((m) => m2oId(m['product_id']) === products.get(l.sku)?.id);
    if (!move)
      throw new PermanentError(`return ${e.returnId}: line ${l.returnLineId ?? l.sku} is not on return picking ${pickingId}`, {
        errorClass: 'odoo.return-line-not-found',
      });
    const c = counts.get(move.id) ?? { restock: 0, scrap: 0 };
    if (SCRAP_CONDITIONS.has((l.condition ?? '').toUpperCase())) c.scrap += Number(l.quantity);
    else c.restock += Number(l.quantity);
    counts.set(move.id, c);
  }
  const scrapped = [...counts.values()].some((c) => c.scrap > 0) ? await scrapLocation(o.client) : null;
  for (const m of moves) {
    const c = counts.get(m.id) ?? { restock: 0, scrap: 0 };
    if (c.scrap > 0 && c.restock === 0) {
      await o.client.executeKw('stock.move', 'write', [[m.id], { [qtyField]: c.scrap, location_dest_id: scrapped }]);
    } else if (c.scrap > 0) {
      // Both: the scrapped part is a move of its own to the scrap location (reused on a redelivery).
      const split = moves.find(
        (x) =>
          x.id !== m.id &&
          m2oId(x['location_dest_id']) === scrapped &&
          m2oId(x['origin_returned_move_id']) === m2oId(m['origin_returned_move_id']),
      );
      const demand = num(m['product_uom_qty']);
      await o.client.executeKw('stock.move', 'write', [
        [m.id],
        { product_uom_qty: Math.max(demand - c.scrap, c.restock), [qtyField]: c.restock },
      ]);
      if (split) await o.client.executeKw('stock.move', 'write', [[split.id], { [qtyField]: c.scrap }]);
      else
        await o.client.executeKw('stock.move', 'create', [
          {
            name: str(m['name']) ?? 'Scrapped return',
            product_id: m2oId(m['product_id']),
            product_uom_qty: c.scrap,
            product_uom: m2oId(m['product_uom']),
            picking_id: pickingId,
            location_id: m2oId(m['location_id']),
            location_dest_id: scrapped,
            origin_returned_move_id: m2oId(m['origin_returned_move_id']),
            to_refund: m['to_refund'] === true,
            sale_line_id: m2oId(m['sale_line_id']) ?? false,
            [qtyField]: c.scrap,
          },
        ]);
    } else if (m2oId(m['location_dest_id']) !== scrapped || scrapped === null) {
      await o.client.executeKw('stock.move', 'write', [[m.id], { [qtyField]: c.restock }]);
    }
  }
  await validateReceipt(o.client, pickingId);
  return { action: 'validated', odooModel: 'stock.picking', odooId: pickingId };
}

/**
 * PurchaseOrderAcknowledged -> the supplier's answer recorded on the PO:
 * - partner_ref: the supplier's order number;
 * - a rejected line's quantity lowered to what was already received (usually
 *   0), a line the supplier will ship less of lowered to that quantity (never
 *   below received): as a buyer does in Odoo, which takes it off the open
 *   receipt. Higher quantities and other prices are not applied: the buyer
 *   decides, and the three-way match flags a bill at another price;
 * - a committed delivery date as the line's date_planned;
 * - a note in the PO's chatter (message_post, once per event), where Odoo has mail.
 * A whole-order rejection changes no line: cancelling is the buyer's call
 * (PurchaseOrderCancelled follows when they do). Each write sets an absolute
 * value, so a redelivery writes nothing new.
 */
export async function writePurchaseOrderAcknowledged(o: WritebackOptions, e: PurchaseOrderAcknowledged): Promise<WritebackOutcome> {
  const poId = odooId(e.purchaseOrderId, 'purchase order');
  const [po] = await o.client.read<OdooRecord>('purchase.order', [poId], ['name', 'state', 'partner_ref', 'order_line']);
  if (!po) throw new PermanentError(`purchase order ${e.purchaseOrderId} is not in Odoo`, { errorClass: 'odoo.purchase-order-not-found' });
  if (e.vendorOrderRef && str(po['partner_ref']) !== e.vendorOrderRef)
    await o.client.executeKw('purchase.order', 'write', [[poId], { partner_ref: e.vendorOrderRef }]);
  const editable = po['state'] === 'purchase' || po['state'] === 'draft' || po['state'] === 'sent';
  let linesChanged = 0;
  if (editable) {
    const lines = await o.client.read<OdooRecord>('purchase.order.line', idList(po['order_line']), [
      'product_qty',
      'qty_received',
      'date_planned',
      'display_type',
    ]);
    const byId = new Map(lines.map((l) => [String(l.id), l]));
    for (const a of e.lines) {
      const line = a.lineId !== null ? byId.get(a.lineId) : undefined;
      if (!line || str(line['display_type'])) continue;
      const ordered = num(line['product_qty']);
      const received = num(line['qty_received']);
      const vals: Record<string, unknown> = {};
      if (a.status === 'rejected') {
        if (ordered !== received) vals['product_qty'] = received;
      } else if (Number(a.quantity) < ordered) {
        const target = Math.max(Number(a.quantity), received);
        if (target !== ordered) vals['product_qty'] = target;
      }
      if (a.status !== 'rejected' && a.deliveryDate) {
        const planned = toOdooDatetime(a.deliveryDate);
        if (str(line['date_planned']) !== planned) vals['date_planned'] = planned;
      }
      if (Object.keys(vals).length === 0) continue;
      await o.client.executeKw('purchase.order.line', 'write', [[line.id], vals]);
      linesChanged++;
    }
  }
  const noted = await postAcknowledgmentNote(o, poId, e);
  return { action: `acknowledged:${e.status}:${linesChanged}-lines${noted ? ':noted' : ''}`, odooModel: 'purchase.order', odooId: poId };
}

/** The acknowledgment as a chatter note, unless one for this event is there; false where Odoo has no mail (the simulator). */
async function postAcknowledgmentNote(o: WritebackOptions, poId: number, e: PurchaseOrderAcknowledged): Promise<boolean> {
  const marker = `ODX ${e.meta.eventId}`;
  try {
    const existing = await o.client.searchRead<OdooRecord>(
      'mail.message',
      [
        ['model', '=', 'purchase.order'],
        ['res_id', '=', poId],
        ['body', 'ilike', marker],
      ],
      { fields: ['id'], limit: 1 },
    );
    if (existing.length > 0) return true;
  } catch (err) {
    // No mail module (Odoo answers "Object mail.message doesn't exist", a UserError): nowhere to note it.
    if (/mail\.message/.test(String((err as Error).message)) && (err as { kind?: string }).kind === 'permanent') return false;
    throw err;
  }
  const lines = e.lines.map(
    (l) => `line ${l.lineNumber}: ${l.status}${l.statusCode ? ` (${l.statusCode})` : ''}, ${l.quantity}${l.reason ? `, ${l.reason}` : ''}`,
  );
  const body = [
    `Supplier acknowledgment: ${e.status}${e.ackTypeCode ? ` (${e.ackTypeCode})` : ''}${e.vendorOrderRef ? `, supplier order ${e.vendorOrderRef}` : ''}`,
    ...lines,
    ...(e.notes ? [e.notes] : []),
    marker,
  ].join('<br/>');
  await o.client.executeKw('purchase.order', 'message_post', [[poId]], { body, message_type: 'comment', subtype_xmlid: 'mail.mt_note' });
  return true;
}
