export { DEFAULT_API_GATEWAY_PORT, loadApiGatewayConfig, type ApiGatewayConfig } from './config.js';
export { startApiGateway, type ApiGateway } from './api-gateway-service.js';
export { ENDPOINTS } from './http/routes.js';
export { openApiDocument } from './http/openapi.js';
export { SCOPES, apiKeyId, hashApiKey, matchesHash, newApiKey, type Partner, type Scope } from './keys/api-key.js';
export { ApiKeyStore, type ApiKeyView, type KeyPrincipal } from './keys/key-store.js';
export { apiOrderId, intakeEventId, mapOrderReceived } from './intake/map-order.js';
export { orderRequestSchema, idempotencyKeySchema, type OrderRequest } from './intake/order-request.js';
export { CallerAuthenticator, type Caller } from './keys/callers.js';
