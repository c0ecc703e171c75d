// Pieces the benchmark (scripts/bench/odoo.ts) drives directly.
export { saleOrderSpec } from './poll/sale-order-spec.js';
export { versionAdapter } from './odoo/version-adapter.js';
export { writeShipmentBooked } from './writeback/writeback-handlers.js';
