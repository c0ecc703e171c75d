// tms-bridge: packed shipments -> TMS rate + booking -> ShipmentBooked; TMS tracking webhooks -> shipment events.
import { createServiceRuntime } from '@odx/runtime';
import { loadBridgeConfig } from './config.js';
import { startTmsBridge } from './bridge-service.js';

const config = loadBridgeConfig();
const rt = await createServiceRuntime({ name: 'tms-bridge' });
rt.lifecycle.installSignalHandlers();
try {
  await startTmsBridge(rt, config);
} catch (err) {
  rt.logger.error('cannot start the TMS bridge', { err });
  await rt.shutdown('start failed');
  process.exit(1);
}
await rt.listen();
