import type { OutgoingEvent } from '@odx/runtime';
import { INVOICE_LINE_FIELDS } from '../mapping/map-accounting.js';
import { PURCHASE_LINE_FIELDS } from '../mapping/map-purchase-order.js';
import { PARTNER_FIELDS, PRODUCT_FIELDS, type OdooRecord } from '../mapping/map-sale-order.js';
import { VENDOR_BILL_LINE_FIELDS, mapVendorBill, matchVendorBill, type VendorBillContext } from '../mapping/map-vendor-bill.js';
import type { CompiledMatchTolerances } from '../mapping/three-way-match.js';
import type { FieldCatalog } from '../odoo/field-catalog.js';
import type { OdooClient } from '../odoo/odoo-client.js';
import { idList, m2oId } from '../odoo/odoo-values.js';
import { keyed } from './operations-specs.js';
import { readMap } from './sale-order-spec.js';

const m2oIds = (records: Iterable<OdooRecord>, field: string): number[] => [...records].map((r) => m2oId(r[field]) ?? 0);

/**
 * Posted vendor bills and refunds -> VendorBillPosted, and for bills the
 * three-way match against their POs' lines as Odoo has them now (ordered,
 * received, billed so far) -> VendorBillMismatchDetected per PO out of tolerance.
 */
export async function billEvents(
  client: OdooClient,
  catalog: FieldCatalog,
  company: string,
  tolerances: CompiledMatchTolerances,
  bills: OdooRecord[],
): Promise<OutgoingEvent[]> {
  if (bills.length === 0) return [];
  const lines = await readMap(
    client,
    catalog,
    'account.move.line',
    bills.flatMap((b) => idList(b['invoice_line_ids'])),
    [...new Set([...INVOICE_LINE_FIELDS, ...VENDOR_BILL_LINE_FIELDS])],
  );
  const billedLines = await readMap(
    client,
    catalog,
    'purchase.order.line',
    m2oIds(lines.values(), 'purchase_line_id'),
    PURCHASE_LINE_FIELDS,
  );
  const [purchaseOrders, partners, reversed] = await Promise.all([
    readMap(
      client,
      catalog,
      'purchase.order',
      [...m2oIds(lines.values(), 'purchase_order_id'), ...m2oIds(billedLines.values(), 'order_id')],
      ['name', 'order_line'],
    ),
    readMap(client, catalog, 'res.partner', m2oIds(bills, 'partner_id'), PARTNER_FIELDS),
    readMap(client, catalog, 'account.move', m2oIds(bills, 'reversed_entry_id'), ['name']),
  ]);
  // Every line of the POs, for the line numbers the supplier knows them by.
  const purchaseLines = await readMap(
    client,
    catalog,
    'purchase.order.line',
    [...purchaseOrders.values()].flatMap((po) => idList(po['order_line'])),
    PURCHASE_LINE_FIELDS,
  );
  for (const [id, l] of billedLines) if (!purchaseLines.has(id)) purchaseLines.set(id, l);
  const products = await readMap(
    client,
    catalog,
    'product.product',
    [...m2oIds(lines.values(), 'product_id'), ...m2oIds(purchaseLines.values(), 'product_id')],
    PRODUCT_FIELDS,
  );
  const ctx: VendorBillContext = { lines, partners, products, purchaseLines, purchaseOrders, reversed, tolerances, company };
  const out: OutgoingEvent[] = [];
  for (const bill of bills) {
    const posted = mapVendorBill(bill, ctx);
    if (!posted) continue;
    out.push(keyed('VendorBillPosted', posted));
    for (const m of matchVendorBill(bill, ctx)) out.push(keyed('VendorBillMismatchDetected', m));
  }
  return out;
}
