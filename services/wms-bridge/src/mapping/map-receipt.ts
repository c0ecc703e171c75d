import { deterministicEventId } from '@odx/runtime';
import type { EventMeta, GoodsReceipt, GoodsReceived, ReturnReceived } from '@odx/schemas';
import type { WmsReceipt } from '../wms/wms-types.js';
import type { InboundRelease } from './map-inbound.js';
import type { MappingContext } from './map-wms-webhook.js';
import { toOdxWarehouse } from './warehouse-codes.js';

/** The event a completed WMS receipt becomes. */
export type ReceiptEvent =
  { eventType: 'GoodsReceived'; payload: GoodsReceived } | { eventType: 'ReturnReceived'; payload: ReturnReceived };

/** Why a receipt cannot be published: machine-readable, with the offending field. */
export interface ReceiptProblem {
  code: 'type_mismatch' | 'unknown_line' | 'sku_mismatch' | 'over_receipt';
  field: string;
  message: string;
}

/** Quantities are compared in ten-thousandths, the canonical decimal(14,4)'s unit, so 0.1 + 0.2 never exceeds 0.3. */
export const toTenThousandths = (qty: number): number => Math.round(qty * 10_000);
const dec4 = (tenThousandths: number): string => (tenThousandths / 10_000).toFixed(4);

/**
 * The receipt against what the bridge released: the same kind (purchase or
 * return), lines the release has with their SKU, and at most the released
 * quantity per line over every receipt (`receivedBefore`: ten-thousandths
 * per lineRef of the receipts already published). Empty when it may be
 * published. Pure.
 */
export function checkReceipt(receipt: WmsReceipt, release: InboundRelease, receivedBefore: ReadonlyMap<string, number>): ReceiptProblem[] {
  const problems: ReceiptProblem[] = [];
  if (receipt.inboundType !== release.kind) {
    problems.push({
      code: 'type_mismatch',
      field: 'inboundType',
      message: `${receipt.externalRef} was released as a ${release.kind} receipt, the WMS reports a ${receipt.inboundType} receipt`,
    });
  }
  const byRef = new Map(release.lines.map((l) => [l.lineRef, l]));
  const counted = new Map<string, { total: number; index: number }>();
  receipt.lines.forEach((l, i) => {
    const released = l.lineRef === null ? undefined : byRef.get(l.lineRef);
    if (released === undefined) {
      problems.push({
        code: 'unknown_line',
        field: `lines[${i}].lineRef`,
        message: `no released line ${l.lineRef ?? '(none)'} on ${receipt.externalRef}`,
      });
      return;
    }
    if (released.sku !== l.sku) {
      problems.push({
        code: 'sku_mismatch',
        field: `lines[${i}].sku`,
        message: `line ${released.lineRef} was released for ${released.sku}, received as ${l.sku}`,
      });
    }
    const c = counted.get(released.lineRef) ?? { total: 0, index: i };
    c.total += toTenThousandths(l.qty);
    counted.set(released.lineRef, c);
  });
  for (const [lineRef, c] of counted) {
    const released = byRef.get(lineRef)!;
    const before = receivedBefore.get(lineRef) ?? 0;
    if (before + c.total > released.qty * 10_000) {
      problems.push({
        code: 'over_receipt',
        field: `lines[${c.index}].qty`,
        message: `line ${lineRef} (${released.sku}) expects ${dec4(released.qty * 10_000 - before)} more, the receipt counts ${dec4(c.total)}`,
      });
    }
  }
  return problems;
}

/** The event id of a WMS receipt: our reference, the WMS's inbound order and receipt ids (a WMS that starts its ids over cannot collide). */
export function receiptEventId(receipt: Pick<WmsReceipt, 'externalRef' | 'inboundOrderId' | 'receiptId'>): string {
  return deterministicEventId('wms', 'receipt.completed', receipt.externalRef, receipt.inboundOrderId, receipt.receiptId);
}

/**
 * A completed WMS receipt (already checked) -> GoodsReceived for a purchase,
 * ReturnReceived for a return, with the released lines' canonical facts
 * (PO line ids and numbers, return line ids). The id depends only on the
 * receipt, so a redelivered or replayed webhook yields the same event. Pure.
 */
export function mapReceipt(receipt: WmsReceipt, release: InboundRelease, ctx: MappingContext): ReceiptEvent {
  const receivedAt = new Date(receipt.completedAt);
  const meta: EventMeta = {
    eventId: receiptEventId(receipt),
    occurredAt: receivedAt,
    source: 'wms',
    correlationId: release.correlationId,
    causationId: null,
    company: ctx.company,
  };
  const byRef = new Map(release.lines.map((l) => [l.lineRef, l]));
  const isPurchase = release.kind === 'purchase';
  const goods: GoodsReceipt = {
    // The schema asks for the Odoo picking the receipt completes; a PO event names none, so the WMS receipt id stands in.
    receiptId: release.pickingId ?? receipt.receiptId,
    name: null,
    origin: release.documentName,
    partner: release.partner,
    warehouseCode: toOdxWarehouse(ctx.warehouses, receipt.warehouse),
    locationCode: null,
    scheduledAt: release.scheduledAt,
    receivedAt,
    asnNumber: null,
    carrierCode: null,
    trackingNumber: null,
    backorderOfId: null,
    wmsReceiptId: receipt.receiptId,
    receivedBy: receipt.receivedBy ?? null,
    lines: receipt.lines.map((l, i) => {
      const released = byRef.get(l.lineRef ?? '')!;
      return {
        lineId: l.receiptLineId ?? `${receipt.receiptId}/${i + 1}`,
        purchaseLineId: isPurchase ? released.lineRef : null,
        returnLineId: isPurchase ? null : released.lineRef,
        lineNumber: released.lineNumber,
        sku: l.sku,
        productId: released.productId,
        gtin: released.gtin,
        description: released.description,
        quantityExpected: dec4(released.qty * 10_000),
        quantity: dec4(toTenThousandths(l.qty)),
        uom: released.uom,
        lots: l.lots.map((lot) => ({
          lotNumber: lot.lotNumber,
          quantity: dec4(toTenThousandths(lot.qty)),
          expiryDate: lot.expiryDate ? new Date(`${lot.expiryDate}T00:00:00Z`) : null,
        })),
        serialNumbers: [],
        condition: l.condition ? l.condition.toUpperCase() : null,
        locationCode: l.location ?? null,
      };
    }),
    notes: null,
  };
  if (isPurchase) {
    return {
      eventType: 'GoodsReceived',
      payload: { meta, purchaseOrderId: release.aggregateId, purchaseOrderName: release.documentName, receipt: goods, receiptStatus: null },
    };
  }
  return {
    eventType: 'ReturnReceived',
    payload: { meta, returnId: release.aggregateId, rmaNumber: release.documentName, orderId: release.orderId, receipt: goods },
  };
}
