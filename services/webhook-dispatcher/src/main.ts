// webhook-dispatcher: outbound webhooks (CloudEvents JSON, Standard Webhooks signatures) per subscription, behind bearer tokens.
import { createServiceRuntime } from '@odx/runtime';
import { DEFAULT_WEBHOOKS_PORT, loadWebhookDispatcherConfig } from './config.js';
import { startWebhookDispatcher } from './webhook-dispatcher-service.js';

const config = loadWebhookDispatcherConfig();
const env = { ...process.env, ODX_HTTP_PORT: process.env['ODX_HTTP_PORT'] || String(DEFAULT_WEBHOOKS_PORT) };
const rt = await createServiceRuntime({ name: 'webhook-dispatcher', env, tokens: config.auth });
rt.lifecycle.installSignalHandlers();
await startWebhookDispatcher(rt, config);
await rt.listen();
