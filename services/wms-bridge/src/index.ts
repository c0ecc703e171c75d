export { loadBridgeConfig, type WmsBridgeConfig } from './config.js';
export { startWmsBridge, type WmsBridge } from './bridge-service.js';
export { WmsClient } from './wms/wms-client.js';
export { mapOrderToWms } from './mapping/map-order-to-wms.js';
export { mapInventoryAdjustment, mapOrderStage, type BridgeEvent } from './mapping/map-wms-webhook.js';
export { stagesToPublish } from './mapping/order-stages.js';
export { verifyStandardWebhook } from '@odx/runtime';
export { WEBHOOK_PATH } from './webhooks/webhook-route.js';
