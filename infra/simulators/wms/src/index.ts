export { startWmsSimulator, type WmsSimulator } from './server.js';
export {
  compileWmsOptions,
  DEFAULT_WEBHOOK_SECRET,
  TEST_TIMINGS,
  type CompiledWmsOptions,
  type StepDelays,
  type StockSeed,
  type WmsSimulatorOptions,
} from './options.js';
export type { Address, CreateOutboundOrder, OrderLine, OrderStatus, OutboundOrder, Package, PackageContent } from './outbound-order.js';
export type { InventoryAdjustment, StockLevel } from './inventory.js';
export { gs1CheckDigit, isValidSscc, makeSscc } from './sscc.js';
export type {
  CreateInboundOrder,
  InboundLine,
  InboundOrder,
  InboundStatus,
  InboundType,
  Receipt,
  ReceiptLine,
  ReceiptLot,
  ReceiveInput,
} from './inbound-order.js';
export type { InboundOrders } from './inbound-orders.js';
