// order-orchestrator: one process per order from credit check to payment; SLA timers, catch-up, compensation, exception cases.
import { createServiceRuntime } from '@odx/runtime';
import { DEFAULT_ORCHESTRATOR_PORT, loadOrchestratorConfig } from './config.js';
import { startOrderOrchestrator } from './orchestrator-service.js';

const config = loadOrchestratorConfig();
const env = { ...process.env, ODX_HTTP_PORT: process.env['ODX_HTTP_PORT'] || String(DEFAULT_ORCHESTRATOR_PORT) };
const rt = await createServiceRuntime({ name: 'order-orchestrator', env, tokens: config.auth });
rt.lifecycle.installSignalHandlers();
try {
  await startOrderOrchestrator(rt, config);
} catch (err) {
  rt.logger.error('cannot start the order orchestrator', { err });
  await rt.shutdown('start failed');
  process.exit(1);
}
await rt.listen();
