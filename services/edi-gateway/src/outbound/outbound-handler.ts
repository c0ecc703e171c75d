import { PermanentError, type ConsumedEvent, type Logger } from '@odx/runtime';
import type { Party } from '@odx/schemas';
import type { PublishedEvent } from '@odx/runtime';
import type { EdifactBody } from '../edifact/build-interchange.js';
import type { PartnerOrder } from '../model/purchase-order.js';
import type { PartnerDirectory, PartnerProfile } from '../partners/partner-profile.js';
import type { BookingFactsStore } from '../store/booking-facts.js';
import type { OrderFactsStore } from '../store/order-facts.js';
import type { PurchaseOrderFactsStore } from '../store/purchase-order-facts.js';
import type { SetBody } from '../x12/build-interchange.js';
import { build810 } from './build-810.js';
import { build850, purchaseOrderFactsOf } from './build-850.js';
import { build855 } from './build-855.js';
import { AsnDataError, build856 } from './build-856.js';
import { buildDesadv } from './build-desadv.js';
import { buildInvoic } from './build-invoic.js';
import type { DocumentSender } from './document-sender.js';

export interface OutboundDeps {
  partners: PartnerDirectory;
  orderFacts: OrderFactsStore;
  purchaseOrders: PurchaseOrderFactsStore;
  bookings: BookingFactsStore;
  sender: DocumentSender;
  logger: Logger;
}

type Target = { profile: PartnerProfile; order: PartnerOrder };

/**
 * Canonical events -> documents for the partners whose orders they are:
 * OrderConfirmed -> 855, ShipmentBooked kept for the ASN, ShipmentDispatched ->
 * 856, InvoicePosted -> 810. An order is a partner's when the gateway received
 * its 850, or when the customer is the partner's (ediPartnerId or customer ref).
 * PurchaseOrderConfirmed -> 850 to the supplier partner of the PO's vendor.
 */
export function outboundHandler(deps: OutboundDeps): (e: ConsumedEvent) => Promise<void> {
  const byCustomer = (customer: Party | null): PartnerProfile | undefined => {
    if (!customer) return undefined;
    return (
      (customer.ediPartnerId ? deps.partners.get(customer.ediPartnerId) : undefined) ??
      deps.partners.all().find((p) => p.customer?.ref != null && p.customer.ref === customer.ref)
    );
  };
  // Only orders that can be a partner's are looked up (lookups scan on FerretDB): ids the
  // gateway gave its 850s, and orders of a partner's customer.
  const targetFor = async (
    orderId: string | null,
    customer: Party | null,
    fallbackPo: string | null,
    fallbackDate: Date,
    set: '855' | '856' | '810',
  ): Promise<Target | null> => {
    const viaCustomer = byCustomer(customer);
    const facts = orderId && (orderId.startsWith('odx:edi:') || viaCustomer) ? await deps.orderFacts.find(orderId) : null;
    const profile = facts ? deps.partners.get(facts.partnerId) : viaCustomer;
    if (!profile || !profile.transactionSets.outbound.includes(set)) return null;
    if (facts) return { profile, order: facts };
    if (!fallbackPo)
      throw new PermanentError(
        `order ${orderId ?? '?'} of partner ${profile.id} has no PO number (client order reference) to quote in an ${set}`,
        { errorClass: 'edi.no-po-number' },
      );
    return { profile, order: { poNumber: fallbackPo, poDate: fallbackDate, lines: [] } };
  };

  const send = async (
    e: ConsumedEvent,
    target: Pick<Target, 'profile'>,
    body: SetBody | EdifactBody,
    business: { type: string; id: string; ref: string },
  ): Promise<void> => {
    const source: PublishedEvent = {
      topic: e.receivedFrom.topic,
      partition: e.receivedFrom.partition,
      offset: e.receivedFrom.offset,
      eventType: e.eventType,
      eventId: e.eventId,
    };
    const meta = e.payload.meta;
    const kind = 'code' in body ? body.code : body.type;
    const req = {
      // One document per business object (the order's 855, the shipment's 856, the invoice's 810): Odoo
      // re-announces an order on every change, and a repeated event must not send the partner a second 855.
      profile: target.profile,
      documentId: `out:${target.profile.id}:${kind}:${business.type}:${business.id}`,
      businessObjectType: business.type,
      businessObjectId: business.id,
      // EDIFACT documents are not tracked for CONTRL yet, so no acknowledgment window.
      businessRef: business.ref,
      inResponseTo: null,
      source,
      correlationId: meta.correlationId,
      causationId: e.eventId,
      expectAck: 'code' in body,
    };
    const rec = 'code' in body ? await deps.sender.sendSets(req, [body]) : await deps.sender.sendEdifact(req, body);
    deps.logger.info('EDI document sent', {
      partner: target.profile.id,
      set: kind,
      document_id: rec._id,
      control: rec.interchangeControlNumber,
    });
  };
  return async (e) => {
    switch (e.eventType) {
      case 'OrderConfirmed': {
        const p = e.payload;
        const t = await targetFor(p.order.orderId, p.order.customer, p.order.clientOrderRef, p.order.orderDate, '855');
        if (t?.profile.outbound.standard === 'EDIFACT') return; // no ORDRSP yet
        if (t) await send(e, t, build855(p, t.order, t.profile), { type: 'order', id: p.order.orderId, ref: t.order.poNumber });
        return;
      }
      case 'ShipmentBooked': {
        const p = e.payload;
        await deps.bookings.remember(p.shipmentId, {
          carrierCode: p.carrierCode,
          trackingNumber: p.trackingNumber,
          bookingRef: p.bookingRef,
          packageTrackingNumbers: p.packageTrackingNumbers,
        });
        return;
      }
      case 'ShipmentDispatched': {
        const p = e.payload;
        const s = p.shipment;
        const t = await targetFor(s.orderId, s.customer, s.clientOrderRef, p.dispatchedAt, '856');
        if (!t) return;
        const booking = await deps.bookings.find(s.shipmentId);
        let body: SetBody | EdifactBody;
        try {
          body =
            t.profile.outbound.standard === 'EDIFACT'
              ? buildDesadv(
                  {
                    ...s,
                    carrierCode: s.carrierCode ?? booking?.carrierCode ?? null,
                    bookingRef: s.bookingRef ?? booking?.bookingRef ?? null,
                  },
                  p.dispatchedAt,
                  t.order,
                  t.profile,
                )
              : build856(s, p.dispatchedAt, t.order, t.profile, booking);
        } catch (err) {
          if (err instanceof AsnDataError) throw new PermanentError(err.message, { errorClass: 'edi.asn-data', cause: err });
          throw err;
        }
        await send(e, t, body, { type: 'shipment', id: s.shipmentId, ref: s.bookingRef ?? s.shipmentId });
        return;
      }
      case 'InvoicePosted': {
        const p = e.payload;
        const inv = p.invoice;
        const t = await targetFor(inv.orderId, inv.customer, inv.clientOrderRef, inv.invoiceDate, '810');
        if (t)
          await send(e, t, t.profile.outbound.standard === 'EDIFACT' ? buildInvoic(inv, t.order) : build810(inv, t.order, t.profile), {
            type: 'invoice',
            id: inv.invoiceId,
            ref: inv.name,
          });
        return;
      }
      case 'PurchaseOrderConfirmed': {
        const po = e.payload.purchaseOrder;
        const profile = deps.partners.supplierFor(po.vendor);
        if (!profile || !profile.transactionSets.outbound.includes('850')) return;
        if (po.lines.length === 0)
          throw new PermanentError(`purchase order ${po.name} (${po.purchaseOrderId}) has no lines to send ${profile.id}`, {
            errorClass: 'edi.empty-purchase-order',
          });
        const business = { type: 'purchase_order', id: po.purchaseOrderId, ref: po.name };
        // Kept before the 850 leaves: the supplier's 855 may come back within seconds, and is read against these.
        await deps.purchaseOrders.remember(
          profile.id,
          purchaseOrderFactsOf(po, profile),
          `out:${profile.id}:850:purchase_order:${po.purchaseOrderId}`,
        );
        await send(e, { profile }, build850(po, profile), business);
        return;
      }
      default:
        return; // ShipmentPacked and the rest: the ASN waits for the dispatch snapshot
    }
  };
}
