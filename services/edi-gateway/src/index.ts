export { loadGatewayConfig, type EdiGatewayConfig } from './config.js';
export { startEdiGateway, type EdiGateway } from './gateway-service.js';
export {
  PartnerDirectory,
  PartnerProfileError,
  parsePartnerProfile,
  partnerProfileSchema,
  ROLE_SETS,
  type PartnerProfile,
  type PartnerRole,
} from './partners/partner-profile.js';
export { DEFAULT_PROFILE_LIMITS, PROFILE_LIMIT_SETTINGS, type ProfileLimits } from './partners/profile-limits.js';
export { readInterchange, readIsa, type InterchangeReading } from './x12/read-interchange.js';
export { buildInterchange, buildTa1Interchange, type SetBody, type ControlNumbers } from './x12/build-interchange.js';
export { build997 } from './x12/build-997.js';
export { validate850 } from './x12/validate-850.js';
export { validate997 } from './x12/validate-997.js';
export { validate855 } from './x12/validate-855.js';
export { validate856 } from './x12/validate-856.js';
export { validate810 } from './x12/validate-810.js';
export { build850, purchaseOrderFactsOf } from './outbound/build-850.js';
export { mapPoAcknowledgment, mapShipNotice, mapSupplierInvoice } from './mapping/map-supplier-documents.js';
export type { PurchaseOrderFacts, SupplierAcknowledgment, SupplierShipNotice, SupplierInvoice } from './model/supplier-documents.js';
export type { ShipNoticeReceived, VendorBillReceived } from './model/supplier-events.js';
export { PurchaseOrderFactsStore } from './store/purchase-order-facts.js';
export { SupplierFactsStore } from './store/supplier-facts.js';
export type { PurchaseOrder, PurchaseOrderLine, PartnerOrder } from './model/purchase-order.js';
export { mapPurchaseOrder } from './mapping/map-purchase-order.js';
export { build855 } from './outbound/build-855.js';
export { build856 } from './outbound/build-856.js';
export { build810 } from './outbound/build-810.js';
export { ssccFor, isValidSscc } from './outbound/sscc.js';
export { InboundProcessor, type InboundResult, type InboundSource } from './inbound/inbound-processor.js';
export type { ParsedInterchange, ReceivedDocument } from './inbound/parsed-interchange.js';
export { ControlNumberAllocator } from './store/control-numbers.js';
export { DocumentSender } from './outbound/document-sender.js';
export { DocumentStore } from './store/document-store.js';
export { OrderFactsStore } from './store/order-facts.js';
export { SeenInterchanges } from './store/seen-interchanges.js';
export { Delivery } from './transport/delivery.js';
export { ensurePartnerFolders } from './transport/folder-layout.js';
export { ediGatewaySubscriptions } from './subscriptions.js';
