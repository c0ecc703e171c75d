export { loadPollerConfig } from './config.js';
export type { PollerConfig } from './config.js';
export { startPoller } from './poller-service.js';
export { OdooClient } from './odoo/odoo-client.js';
export { mapSaleOrder } from './mapping/map-sale-order.js';
export { ModelPoller } from './poll/model-poller.js';
export { CursorStore } from './poll/cursor-store.js';
export { FieldCatalog } from './odoo/field-catalog.js';
export { pollerSubscriptions } from './subscriptions.js';
