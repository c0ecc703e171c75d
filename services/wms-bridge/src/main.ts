// wms-bridge: confirmed orders -> WMS outbound orders; WMS webhooks -> shipment and inventory events.
import { createServiceRuntime } from '@odx/runtime';
import { loadBridgeConfig } from './config.js';
import { startWmsBridge } from './bridge-service.js';

const config = loadBridgeConfig();
const rt = await createServiceRuntime({ name: 'wms-bridge' });
rt.lifecycle.installSignalHandlers();
try {
  await startWmsBridge(rt, config);
} catch (err) {
  rt.logger.error('cannot start the WMS bridge', { err });
  await rt.shutdown('start failed');
  process.exit(1);
}
await rt.listen();
