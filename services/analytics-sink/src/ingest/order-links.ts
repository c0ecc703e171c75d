import type { CanonicalEvent } from '@odx/runtime';
import type { EdiDocument } from '@odx/schemas';

/**
 * Link tokens tie an event to the business objects it is about, as
 * `<kind>:<id>`: `order:<orderId>`, `name:<Odoo order name>`, `po:<customer PO>`,
 * `shipment:<shipmentId>`, `invoice:<invoiceId>`, `edidoc:<documentId>`,
 * `return:<returnId>`. The index stores them in one array so "everything about
 * X" is one `$in` query, and order resolution (which shipments, invoices and EDI
 * documents belong to which order) happens in TS over those tokens.
 */
export type LinkKind = 'order' | 'name' | 'po' | 'shipment' | 'invoice' | 'edidoc' | 'return';

export function link(kind: LinkKind, id: string | null | undefined): string | undefined {
  return id === null || id === undefined || id === '' ? undefined : `${kind}:${id}`;
}

/** Splits a token back into kind and id; undefined for anything else. */
export function parseLink(token: string): { kind: LinkKind; id: string } | undefined {
  const i = token.indexOf(':');
  if (i <= 0) return undefined;
  const kind = token.slice(0, i);
  if (!LINK_KINDS.has(kind)) return undefined;
  return { kind: kind as LinkKind, id: token.slice(i + 1) };
}

const LINK_KINDS = new Set<string>(['order', 'name', 'po', 'shipment', 'invoice', 'edidoc', 'return']);

/** EDI transaction sets that acknowledge other documents (997, 999, TA1). */
export const ACK_SETS: ReadonlySet<string> = new Set(['997', '999', 'TA1']);

/** EDI business object types and the link kind of their businessObjectId. */
const EDI_OBJECT_KINDS: Record<string, LinkKind> = { order: 'order', shipment: 'shipment', invoice: 'invoice' };

function ediLinks(doc: EdiDocument): Array<string | undefined> {
  const type = doc.businessObjectType;
  const kind = type && Object.hasOwn(EDI_OBJECT_KINDS, type) ? EDI_OBJECT_KINDS[type] : undefined;
  return [
    link('edidoc', doc.documentId),
    kind ? link(kind, doc.businessObjectId) : undefined,
    // For order documents (850, 855) the human reference is the customer's PO number.
    doc.businessObjectType === 'order' ? link('po', doc.businessRef) : undefined,
    // An acknowledgment (997/999/TA1) names the document it acknowledges as its business object.
    ACK_SETS.has(doc.transactionSet) ? link('edidoc', doc.businessObjectId) : undefined,
  ];
}

/**
 * The link tokens of one canonical event, from the fields the schemas define
 * for that purpose (orderId, shipment.orderId, invoice.shipmentIds, payment
 * allocations, EDI businessObjectType/Id, ...). Master data links to nothing.
 */
export function orderLinks(event: CanonicalEvent): string[] {
  const raw = linksOf(event);
  return [...new Set(raw.filter((t): t is string => t !== undefined))];
}

function linksOf(event: CanonicalEvent): Array<string | undefined> {
  switch (event.eventType) {
    case 'OrderReceived': {
      const e = event.payload;
      return [
        link('order', e.order.orderId),
        link('name', e.order.name),
        link('po', e.order.clientOrderRef),
        link('edidoc', e.sourceDocumentId),
      ];
    }
    case 'OrderConfirmed': {
      const e = event.payload;
      return [link('order', e.order.orderId), link('name', e.order.name), link('po', e.order.clientOrderRef)];
    }
    case 'OrderCancelled': {
      const e = event.payload;
      return [link('order', e.orderId), link('name', e.orderName), link('po', e.clientOrderRef)];
    }
    case 'ReturnSuggested': {
      const e = event.payload;
      return [
        link('order', e.orderId),
        link('name', e.orderName),
        link('po', e.clientOrderRef),
        ...e.shipments.map((s) => link('shipment', s.shipmentId)),
      ];
    }
    case 'FulfillmentRequested':
    case 'ShipmentDispatched': {
      const s = event.payload.shipment;
      return [link('shipment', s.shipmentId), link('order', s.orderId), link('name', s.orderName), link('po', s.clientOrderRef)];
    }
    case 'ShipmentPicked':
    case 'ShipmentPacked':
    case 'ShipmentBooked':
    case 'ShipmentMilestoneRecorded':
    case 'ShipmentDelivered':
    case 'ShipmentException': {
      const e = event.payload;
      return [link('shipment', e.shipmentId), link('order', e.orderId)];
    }
    case 'InvoicePosted': {
      const i = event.payload.invoice;
      return [
        link('invoice', i.invoiceId),
        link('order', i.orderId),
        link('name', i.orderName),
        link('po', i.clientOrderRef),
        ...i.shipmentIds.map((s) => link('shipment', s)),
      ];
    }
    case 'PaymentReceived':
      return event.payload.payment.allocations.map((a) => link('invoice', a.invoiceId));
    case 'ReturnAuthorized': {
      const r = event.payload.return;
      return [link('return', r.returnId), link('order', r.orderId), link('name', r.orderName)];
    }
    case 'ReturnReceived':
      return [link('return', event.payload.returnId), link('order', event.payload.orderId)];
    case 'CreditNotePosted': {
      const e = event.payload;
      const c = e.creditNote;
      return [
        link('return', e.returnId),
        link('invoice', c.invoiceId),
        link('invoice', e.reversedInvoiceId),
        link('order', c.orderId),
        link('name', c.orderName),
      ];
    }
    case 'EdiDocumentReceived': {
      const e = event.payload;
      return [...ediLinks(e.document), link('edidoc', e.ackDocumentId)];
    }
    case 'EdiDocumentSent': {
      const e = event.payload;
      return [...ediLinks(e.document), link('edidoc', e.inResponseTo)];
    }
    case 'OrderStageChanged': {
      const e = event.payload;
      return [link('order', e.orderId), link('name', e.orderName), link('po', e.clientOrderRef)];
    }
    case 'ExceptionCaseOpened':
    case 'ExceptionCaseUpdated':
    case 'ExceptionCaseResolved': {
      const c = event.payload.case;
      return [link('order', c.orderId), link('name', c.orderName)];
    }
    // The orchestrator's internal inbox repeats facts already linked from their own topics. Master data and
    // stock link to no order; nor does procure-to-pay, which is about purchase orders (no link kind for them yet).
    case 'OrchestratorSignal':
    case 'CustomerUpserted':
    case 'ProductUpserted':
    case 'PriceChanged':
    case 'InventoryLevelChanged':
    case 'InventoryAdjusted':
    case 'InventoryMismatchDetected':
    case 'PurchaseOrderConfirmed':
    case 'PurchaseOrderChanged':
    case 'PurchaseOrderCancelled':
    case 'PurchaseOrderAcknowledged':
    case 'ShipNoticeReceived':
    case 'GoodsReceived':
    case 'VendorBillReceived':
    case 'VendorBillPosted':
    case 'VendorBillMismatchDetected':
      return [];
  }
}

/** The link kind a catalog topic's message key names (its `key` field), for messages that cannot be decoded. */
export function keyLinkKind(catalogKey: string | undefined): LinkKind | undefined {
  switch (catalogKey) {
    case 'orderId':
      return 'order';
    case 'shipmentId':
      return 'shipment';
    case 'invoiceId':
      return 'invoice';
    case 'returnId':
      return 'return';
    default:
      return undefined;
  }
}
