// The events of a supplier's 856 (ShipNoticeReceived: goods on the way, the receipt to expect) and 810
// (VendorBillReceived: a draft vendor bill for the poller to create in Odoo), as the schemas define them.
export type { ShipNoticeLine, ShipNoticeReceived, VendorBillReceived } from '@odx/schemas';
