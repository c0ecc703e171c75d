import { PermanentError } from '@odx/runtime';
import type { Party, PurchaseOrderConfirmed, ReturnAuthorized } from '@odx/schemas';
import type { CreateInboundOrderRequest, InboundKind } from '../wms/wms-types.js';
import { wholeUnits } from './map-order-to-wms.js';
import { toWmsWarehouse, type WarehouseMapping } from './warehouse-codes.js';

/** One line the bridge released to the WMS, with the canonical facts the WMS does not keep. */
export interface ReleasedLine {
  /** The WMS line's `lineRef`: the PO line id or the return line id. */
  lineRef: string;
  sku: string;
  /** Expected whole units. */
  qty: number;
  uom: string;
  /** The PO line number (EDI LIN01); null for returns. */
  lineNumber: number | null;
  productId: string | null;
  gtin: string | null;
  description: string | null;
}

/**
 * What the bridge remembers of one inbound release (`_id` the external
 * reference), written before the WMS hears of it: a `receipt.completed` for a
 * reference the bridge never released is refused, and the received quantities
 * are checked against these lines.
 */
export interface InboundRelease {
  externalRef: string;
  kind: InboundKind;
  /** purchaseOrderId or returnId: the key of the event a receipt becomes. */
  aggregateId: string;
  /** The PO name or the RMA number. */
  documentName: string | null;
  /** The sales order a return comes back from. */
  orderId: string | null;
  correlationId: string;
  /** ODX warehouse code. */
  warehouseCode: string;
  partner: Party | null;
  scheduledAt: Date | null;
  /** The Odoo picking the receipt completes, when the event named one (a return's returnPickingId). */
  pickingId: string | null;
  lines: ReleasedLine[];
}

export interface InboundPlan {
  request: CreateInboundOrderRequest;
  release: InboundRelease;
}

/** External references of inbound orders: their own namespace, so a PO and a return with the same Odoo id never meet. */
export const purchaseRef = (purchaseOrderId: string): string => `po:${purchaseOrderId}`;
export const returnRef = (returnId: string): string => `rma:${returnId}`;

const CONDITION = /^[A-Z][A-Z0-9_]{1,29}$/;
const UNITS = /^(\d+)(?:\.(\d{1,4}))?$/;

/** A canonical decimal as ten-thousandths (exact). */
function tenThousandths(quantity: string): bigint {
  const m = UNITS.exec(quantity);
  return m ? BigInt(m[1]!) * 10_000n + BigInt((m[2] ?? '').padEnd(4, '0')) : 0n;
}

function decimal4(units: bigint): string {
  return `${units / 10_000n}.${String(units % 10_000n).padStart(4, '0')}`;
}

function sender(p: Party): { name: string; code?: string } {
  return { name: p.name, ...(p.ref ? { code: p.ref } : {}) };
}

/**
 * PurchaseOrderConfirmed -> the expected receipt of what is still to come
 * (ordered minus already received, per line), externalRef `po:<id>`. Null for
 * a dropship PO (no receiving warehouse) or one received in full already.
 * Pure; PermanentError (`wms-bridge.mapping`) for quantities the WMS cannot take.
 */
export function mapPurchaseOrderToInbound(event: PurchaseOrderConfirmed, warehouses: WarehouseMapping): InboundPlan | null {
  const po = event.purchaseOrder;
  if (po.warehouseCode === null) return null;
  const where = `purchase order ${po.purchaseOrderId}`;
  const lines: ReleasedLine[] = [];
  for (const l of [...po.lines].sort((a, b) => a.lineNumber - b.lineNumber)) {
    const open = tenThousandths(l.quantity) - tenThousandths(l.quantityReceived);
    if (open <= 0n) continue;
    lines.push({
      lineRef: l.lineId,
      sku: l.sku,
      qty: wholeUnits(decimal4(open), `${where} line ${l.lineNumber}`),
      uom: l.uom,
      lineNumber: l.lineNumber,
      productId: l.productId,
      gtin: l.gtin,
      description: l.description,
    });
  }
  if (lines.length === 0) return null;
  const externalRef = purchaseRef(po.purchaseOrderId);
  return {
    request: {
      externalRef,
      type: 'purchase',
      warehouse: toWmsWarehouse(warehouses, po.warehouseCode),
      reference: po.name,
      sender: sender(po.vendor),
      ...(po.plannedDate ? { expectedDate: po.plannedDate.toISOString().slice(0, 10) } : {}),
      lines: lines.map((l) => ({ lineRef: l.lineRef, sku: l.sku, qty: l.qty, uom: l.uom })),
    },
    release: {
      externalRef,
      kind: 'purchase',
      aggregateId: po.purchaseOrderId,
      documentName: po.name,
      orderId: null,
      correlationId: event.meta.correlationId,
      warehouseCode: po.warehouseCode,
      partner: po.vendor,
      scheduledAt: po.plannedDate ?? null,
      pickingId: null,
      lines,
    },
  };
}

/**
 * ReturnAuthorized -> the return receipt the warehouse should expect,
 * externalRef `rma:<returnId>`, each line with its lot and expected
 * disposition as the expected condition. Pure; PermanentError as above.
 */
export function mapReturnToInbound(event: ReturnAuthorized, warehouses: WarehouseMapping): InboundPlan {
  const r = event.return;
  const where = `return ${r.returnId}`;
  if (r.lines.length === 0) throw new PermanentError(`${where}: no lines to receive`, { errorClass: 'wms-bridge.mapping' });
  const lines: ReleasedLine[] = r.lines.map((l, i) => ({
    lineRef: l.lineId,
    sku: l.sku,
    qty: wholeUnits(l.quantity, `${where} line ${i + 1}`),
    uom: l.uom,
    lineNumber: null,
    productId: l.productId,
    gtin: null,
    description: null,
  }));
  const externalRef = returnRef(r.returnId);
  return {
    request: {
      externalRef,
      type: 'return',
      warehouse: toWmsWarehouse(warehouses, r.warehouseCode),
      reference: r.rmaNumber,
      sender: sender(r.customer),
      lines: r.lines.map((l, i) => {
        const condition = l.expectedDisposition?.toUpperCase();
        return {
          lineRef: l.lineId,
          sku: l.sku,
          qty: lines[i]!.qty,
          uom: l.uom,
          ...(l.lotNumber ? { lotNumber: l.lotNumber } : {}),
          ...(condition && CONDITION.test(condition) ? { expectedCondition: condition } : {}),
        };
      }),
    },
    release: {
      externalRef,
      kind: 'return',
      aggregateId: r.returnId,
      documentName: r.rmaNumber,
      orderId: r.orderId,
      correlationId: event.meta.correlationId,
      warehouseCode: r.warehouseCode,
      partner: r.customer,
      scheduledAt: null,
      pickingId: r.returnPickingId,
      lines,
    },
  };
}
