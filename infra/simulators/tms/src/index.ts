export { startTmsSimulator, type TmsSimulator } from './server.js';
export { compileTmsOptions, DEFAULT_WEBHOOK_SECRET, TEST_TIMINGS, type CompiledTmsOptions, type TmsSimulatorOptions, type TrackingDelays } from './options.js';
export { CARRIERS, type Carrier, type CarrierService, type ServiceLevel } from './carriers.js';
export type { BookingRequest, Money, RateQuote, RateRequest, Shipment, ShipmentStatus, TrackingEvent, TrackingStatus } from './shipment.js';
export type { RateResponse } from './shipments.js';
