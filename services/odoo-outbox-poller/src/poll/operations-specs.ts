import { outgoingEvent, type OutgoingEvent } from '@odx/runtime';
import { messageKeyFor, type EventPayloads, type EventType } from '@odx/schemas';
import {
  CUSTOMER_MOVE_TYPES,
  INVOICE_FIELDS,
  INVOICE_LINE_FIELDS,
  mapCreditNote,
  mapInvoice,
  mapInvoicePayment,
  type AccountingContext,
  type SettledReturn,
} from '../mapping/map-accounting.js';
import { BILL_MOVE_TYPES } from '../mapping/map-vendor-bill.js';
import { DEFAULT_MATCH_TOLERANCES, type CompiledMatchTolerances } from '../mapping/three-way-match.js';
import { billEvents } from './bill-events.js';
import { PARTNER_FIELDS, PRODUCT_FIELDS, WAREHOUSE_FIELDS, type OdooRecord } from '../mapping/map-sale-order.js';
import { LOCATION_FIELDS, QUANT_FIELDS, mapDonePicking, mapQuant, moveFields, type StockContext } from '../mapping/map-stock.js';
import type { FieldCatalog } from '../odoo/field-catalog.js';
import type { OdooClient } from '../odoo/odoo-client.js';
import { m2oId, str } from '../odoo/odoo-values.js';
import type { OdooVersionAdapter } from '../odoo/version-adapter.js';
import type { EchoMarks } from '../writeback/echo-marks.js';
import type { ModelSpec } from './model-poller.js';
import { RECEIPT_PICKING_FIELDS, receiptEvents } from './receipt-events.js';
import { readMap } from './sale-order-spec.js';

/** An event with its key read from the payload where the catalog says the key lives. */
export function keyed<T extends EventType>(eventType: T, payload: EventPayloads[T]): OutgoingEvent<T> {
  return outgoingEvent(eventType, messageKeyFor(eventType, payload), payload);
}

const ids = (records: OdooRecord[], field: string): number[] => records.map((r) => m2oId(r[field]) ?? 0);
const many = (records: OdooRecord[], field: string): number[] =>
  records.flatMap((r) => (Array.isArray(r[field]) ? (r[field] as number[]) : []));

async function stockContext(
  client: OdooClient,
  catalog: FieldCatalog,
  adapter: OdooVersionAdapter,
  company: string,
  productIds: number[],
  locationIds: number[],
  extra: Partial<StockContext> = {},
): Promise<StockContext> {
  const [products, locations] = await Promise.all([
    readMap(client, catalog, 'product.product', productIds, PRODUCT_FIELDS),
    readMap(client, catalog, 'stock.location', locationIds, LOCATION_FIELDS),
  ]);
  const warehouses = await readMap(client, catalog, 'stock.warehouse', ids([...locations.values()], 'warehouse_id'), WAREHOUSE_FIELDS);
  return { products, locations, warehouses, moves: new Map(), partners: new Map(), orders: new Map(), adapter, company, ...extra };
}

/** stock.quant -> InventoryLevelChanged (stock levels per SKU and warehouse). */
export function quantSpec(client: OdooClient, catalog: FieldCatalog, adapter: OdooVersionAdapter, company: string): ModelSpec {
  return {
    model: 'stock.quant',
    fields: QUANT_FIELDS,
    async toEvents(records) {
      const ctx = await stockContext(client, catalog, adapter, company, ids(records, 'product_id'), ids(records, 'location_id'));
      return records.flatMap((q) => {
        const e = mapQuant(q, ctx);
        return e ? [keyed('InventoryLevelChanged', e)] : [];
      });
    },
  };
}

/**
 * stock.picking, outgoing and incoming. Done outgoing pickings -> ShipmentDispatched,
 * except pickings the write-back validated for the warehouse (`echoes`): their
 * dispatch is already on Kafka as the warehouse's ShipmentDispatched. Incoming
 * pickings -> GoodsReceived, ReturnAuthorized, ReturnReceived (receiptEvents).
 */
export function pickingSpec(
  client: OdooClient,
  catalog: FieldCatalog,
  adapter: OdooVersionAdapter,
  company: string,
  echoes?: EchoMarks,
): ModelSpec {
  async function dispatches(records: OdooRecord[]): Promise<OutgoingEvent[]> {
    const finished = records.filter((p) => str(p['state']) === 'done');
    const echoed = echoes
      ? await echoes.marked(
          'stock.picking',
          finished.map((p) => p.id),
        )
      : new Set<number>();
    const done = finished.filter((p) => !echoed.has(p.id));
    if (done.length === 0) return [];
    const moves = await readMap(client, catalog, 'stock.move', many(done, 'move_ids'), moveFields(adapter));
    const [partners, orders] = await Promise.all([
      readMap(client, catalog, 'res.partner', ids(done, 'partner_id'), PARTNER_FIELDS),
      readMap(client, catalog, 'sale.order', ids(done, 'sale_id'), ['name', 'client_order_ref', 'origin']),
    ]);
    const ctx = await stockContext(client, catalog, adapter, company, ids([...moves.values()], 'product_id'), ids(done, 'location_id'), {
      moves,
      partners,
      orders,
    });
    return done.flatMap((p) => {
      const e = mapDonePicking(p, ctx);
      return e ? [keyed('ShipmentDispatched', e)] : [];
    });
  }
  return {
    model: 'stock.picking',
    fields: RECEIPT_PICKING_FIELDS,
    domain: [['picking_type_code', 'in', ['outgoing', 'incoming']]],
    async toEvents(records) {
      const outgoing = records.filter((p) => str(p['picking_type_code']) === 'outgoing');
      const incoming = records.filter((p) => str(p['picking_type_code']) === 'incoming');
      const [shipped, received] = await Promise.all([
        dispatches(outgoing),
        receiptEvents(client, catalog, adapter, company, incoming, echoes),
      ]);
      return [...shipped, ...received];
    },
  };
}

/** The return each credit note settles: reversed invoice -> its sale order -> that order's latest return picking. */
async function settledReturns(
  client: OdooClient,
  catalog: FieldCatalog,
  refunds: OdooRecord[],
): Promise<{ settled: Map<number, SettledReturn>; orders: OdooRecord[] }> {
  const settled = new Map<number, SettledReturn>();
  const reversing = refunds.filter((r) => m2oId(r['reversed_entry_id']) !== null);
  if (reversing.length === 0) return { settled, orders: [] };
  const reversed = await readMap(client, catalog, 'account.move', ids(reversing, 'reversed_entry_id'), ['name', 'invoice_origin']);
  const origins = [...new Set([...reversed.values()].map((r) => str(r['invoice_origin'])).filter((x): x is string => !!x))];
  if (origins.length === 0) return { settled, orders: [] };
  const orders = await client.searchRead<OdooRecord>('sale.order', [['name', 'in', origins]], {
    fields: await catalog.available('sale.order', ['name', 'client_order_ref', 'origin']),
    context: { active_test: false },
  });
  if (orders.length === 0) return { settled, orders };
  const returns = await client.searchRead<OdooRecord>(
    'stock.picking',
    [
      ['picking_type_code', '=', 'incoming'],
      ['return_id', '!=', false],
      ['backorder_id', '=', false],
      ['state', '!=', 'cancel'],
      ['return_id.sale_id', 'in', orders.map((o) => o.id)],
    ],
    { fields: ['name', 'return_id'], order: 'id desc' },
  );
  const originals = await readMap(client, catalog, 'stock.picking', ids(returns, 'return_id'), ['sale_id']);
  const latestByOrder = new Map<number, OdooRecord>();
  for (const r of returns) {
    const orderId = m2oId(originals.get(m2oId(r['return_id']) ?? -1)?.['sale_id']);
    if (orderId !== null && !latestByOrder.has(orderId)) latestByOrder.set(orderId, r);
  }
  const orderByName = new Map(orders.map((o) => [String(o['name']), o.id]));
  for (const refund of reversing) {
    const inv = reversed.get(m2oId(refund['reversed_entry_id'])!);
    const ret = latestByOrder.get(orderByName.get(str(inv?.['invoice_origin']) ?? '') ?? -1);
    if (ret) settled.set(refund.id, { returnId: String(ret.id), rmaNumber: str(ret['name']), reversedInvoiceName: str(inv?.['name']) });
  }
  return { settled, orders };
}

/**
 * account.move: customer invoices -> InvoicePosted, and PaymentReceived as payment_state moves;
 * customer credit notes -> CreditNotePosted when they settle a return, else InvoicePosted (out_refund);
 * vendor bills and refunds -> VendorBillPosted, with the three-way match (billEvents).
 */
export function invoiceSpec(
  client: OdooClient,
  catalog: FieldCatalog,
  company: string,
  tolerances: CompiledMatchTolerances = DEFAULT_MATCH_TOLERANCES,
): ModelSpec {
  return {
    model: 'account.move',
    fields: INVOICE_FIELDS,
    domain: [['move_type', 'in', ['out_invoice', 'out_refund', 'in_invoice', 'in_refund']]],
    async toEvents(records) {
      const posted = records.filter((r) => str(r['state']) === 'posted');
      if (posted.length === 0) return [];
      const bills = posted.filter((r) => BILL_MOVE_TYPES.has(str(r['move_type']) ?? ''));
      const customer = posted.filter((r) => CUSTOMER_MOVE_TYPES.has(str(r['move_type']) ?? ''));
      const billed = await billEvents(client, catalog, company, tolerances, bills);
      if (customer.length === 0) return billed;
      const lines = await readMap(client, catalog, 'account.move.line', many(customer, 'invoice_line_ids'), INVOICE_LINE_FIELDS);
      const [partners, products, returns] = await Promise.all([
        readMap(client, catalog, 'res.partner', ids(customer, 'partner_id'), PARTNER_FIELDS),
        readMap(client, catalog, 'product.product', ids([...lines.values()], 'product_id'), PRODUCT_FIELDS),
        settledReturns(
          client,
          catalog,
          customer.filter((r) => str(r['move_type']) === 'out_refund'),
        ),
      ]);
      const origins = [...new Set(customer.map((r) => str(r['invoice_origin'])).filter((x): x is string => !!x))];
      const orders =
        origins.length > 0
          ? await client.searchRead<OdooRecord>('sale.order', [['name', 'in', origins]], {
              fields: await catalog.available('sale.order', ['name', 'client_order_ref', 'origin']),
            })
          : [];
      const ctx: AccountingContext = {
        lines,
        partners,
        products,
        ordersByName: new Map([...returns.orders, ...orders].map((o) => [String(o['name']), o])),
        company,
      };
      const out: OutgoingEvent[] = [];
      for (const inv of customer) {
        const settled = returns.settled.get(inv.id);
        const credit = settled ? mapCreditNote(inv, ctx, settled) : null;
        if (credit) {
          out.push(keyed('CreditNotePosted', credit));
          continue;
        }
        const invoice = mapInvoice(inv, ctx);
        if (invoice) out.push(keyed('InvoicePosted', invoice));
        const payment = mapInvoicePayment(inv, ctx);
        if (payment) out.push(keyed('PaymentReceived', payment));
      }
      return [...out, ...billed];
    },
  };
}
