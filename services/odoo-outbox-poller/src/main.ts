// odoo-outbox-poller: Odoo changes -> canonical events on Kafka.
import { createServiceRuntime } from '@odx/runtime';
import { loadPollerConfig } from './config.js';
import { startPoller } from './poller-service.js';

const config = loadPollerConfig();
const rt = await createServiceRuntime({ name: 'odoo-outbox-poller' });
rt.lifecycle.installSignalHandlers();
try {
  await startPoller(rt, config);
} catch (err) {
  rt.logger.error('cannot start polling Odoo', { err });
  await rt.shutdown('start failed');
  process.exit(1);
}
await rt.listen();
