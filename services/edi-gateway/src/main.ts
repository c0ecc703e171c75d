// edi-gateway: X12 partners in (850, 997) and out (997/TA1, 855, 856, 810) by folder and HTTP.
import { createServiceRuntime } from '@odx/runtime';
import { loadGatewayConfig } from './config.js';
import { startEdiGateway } from './gateway-service.js';

const config = loadGatewayConfig();
const rt = await createServiceRuntime({ name: 'edi-gateway' });
rt.lifecycle.installSignalHandlers();
try {
  await startEdiGateway(rt, config);
} catch (err) {
  rt.logger.error('cannot start the EDI gateway', { err });
  await rt.shutdown('start failed');
  process.exit(1);
}
await rt.listen();
