export { loadBridgeConfig, type TmsBridgeConfig } from './config.js';
export { startTmsBridge, type TmsBridge } from './bridge-service.js';
export { TmsClient, answerMayBeLost } from './tms/tms-client.js';
export {
  chooseRate,
  meetsPromise,
  toTmsServiceLevel,
  RATE_POLICIES,
  type RateChoice,
  type RateConstraints,
  type RatePolicy,
} from './booking/choose-rate.js';
export { bookShipment, voidBookings, HANDLED_EVENT_TYPES } from './booking/booking-handler.js';
export { trackingRank } from './webhooks/milestone-store.js';
export { mapShipmentBooked, toParcels, toTmsAddress } from './mapping/map-booking.js';
export { mapTrackingWebhook, severityOf, type TrackingEventOut } from './mapping/map-tracking.js';
export { LateWatchdog, lateException } from './watchdog/late-watchdog.js';
export { verifyStandardWebhook } from '@odx/runtime';
export { WEBHOOK_PATH } from './webhooks/webhook-route.js';
export { tmsBridgeSubscriptions } from './subscriptions.js';
