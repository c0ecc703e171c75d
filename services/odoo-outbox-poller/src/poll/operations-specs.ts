import { outgoingEvent, type OutgoingEvent } from '@odx/runtime';
import { messageKeyFor, type EventPayloads, type EventType } from '@odx/schemas';
import { INVOICE_FIELDS, INVOICE_LINE_FIELDS, mapInvoice, mapInvoicePayment, type AccountingContext } from '../mapping/map-accounting.js';
import { PARTNER_FIELDS, PRODUCT_FIELDS, WAREHOUSE_FIELDS, type OdooRecord } from '../mapping/map-sale-order.js';
import {
  LOCATION_FIELDS,
  PICKING_FIELDS,
  QUANT_FIELDS,
  mapDonePicking,
  mapQuant,
  moveFields,
  type StockContext,
} from '../mapping/map-stock.js';
import type { FieldCatalog } from '../odoo/field-catalog.js';
import type { OdooClient } from '../odoo/odoo-client.js';
import { m2oId, str } from '../odoo/odoo-values.js';
import type { OdooVersionAdapter } from '../odoo/version-adapter.js';
import type { EchoMarks } from '../writeback/echo-marks.js';
import type { ModelSpec } from './model-poller.js';
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
 * Done outgoing stock.picking -> ShipmentDispatched, except pickings the
 * write-back validated for the warehouse (`echoes`): their dispatch is already
 * on Kafka as the warehouse's ShipmentDispatched.
 */
export function pickingSpec(
  client: OdooClient,
  catalog: FieldCatalog,
  adapter: OdooVersionAdapter,
  company: string,
  echoes?: EchoMarks,
): ModelSpec {
  return {
    model: 'stock.picking',
    fields: PICKING_FIELDS,
    domain: [['picking_type_code', '=', 'outgoing']],
    async toEvents(records) {
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
    },
  };
}

/** Customer invoices (account.move out_invoice) -> InvoicePosted, and PaymentReceived as payment_state moves. */
export function invoiceSpec(client: OdooClient, catalog: FieldCatalog, company: string): ModelSpec {
  return {
    model: 'account.move',
    fields: INVOICE_FIELDS,
    domain: [['move_type', '=', 'out_invoice']],
    async toEvents(records) {
      const posted = records.filter((r) => str(r['state']) === 'posted');
      if (posted.length === 0) return [];
      const lines = await readMap(client, catalog, 'account.move.line', many(posted, 'invoice_line_ids'), INVOICE_LINE_FIELDS);
      const [partners, products] = await Promise.all([
        readMap(client, catalog, 'res.partner', ids(posted, 'partner_id'), PARTNER_FIELDS),
        readMap(client, catalog, 'product.product', ids([...lines.values()], 'product_id'), PRODUCT_FIELDS),
      ]);
      const origins = [...new Set(posted.map((r) => str(r['invoice_origin'])).filter((x): x is string => !!x))];
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
        ordersByName: new Map(orders.map((o) => [String(o['name']), o])),
        company,
      };
      return posted.flatMap((inv) => {
        const out: OutgoingEvent[] = [];
        const invoice = mapInvoice(inv, ctx);
        if (invoice) out.push(keyed('InvoicePosted', invoice));
        const payment = mapInvoicePayment(inv, ctx);
        if (payment) out.push(keyed('PaymentReceived', payment));
        return out;
      });
    },
  };
}
