// api-gateway: REST for shops and marketplaces: order intake with Idempotency-Key, availability, order status; API keys; OpenAPI 3.1.
import { createServiceRuntime } from '@odx/runtime';
import { startApiGateway } from './api-gateway-service.js';
import { DEFAULT_API_GATEWAY_PORT, loadApiGatewayConfig } from './config.js';
import { CallerAuthenticator } from './keys/callers.js';

const config = loadApiGatewayConfig();
const env = { ...process.env, ODX_HTTP_PORT: process.env['ODX_HTTP_PORT'] || String(DEFAULT_API_GATEWAY_PORT) };
const callers = new CallerAuthenticator(config.auth);
const rt = await createServiceRuntime({ name: 'api-gateway', env, authenticate: callers.handler });
rt.lifecycle.installSignalHandlers();
await startApiGateway(rt, config, callers).catch(async (err: unknown) => {
  rt.logger.error('cannot start the api gateway', { err });
  await rt.shutdown('start failed');
  process.exit(1);
});
await rt.listen();
