// Where the ODX services `npm start` runs answer /healthz, /readyz and /metrics
// (the simulators are not in this map).
import { PORTS, url } from './services.js';

/** Service name -> base URL. */
export const SERVICE_URLS: Readonly<Record<string, string>> = {
  'odoo-outbox-poller': url(PORTS.poller),
  'wms-bridge': url(PORTS.wmsBridge),
  'tms-bridge': url(PORTS.tmsBridge),
  'edi-gateway': url(PORTS.ediGateway),
  'analytics-sink': url(PORTS.analyticsSink),
  'replay-dlq': url(PORTS.replayDlq),
  'order-orchestrator': url(PORTS.orchestrator),
  'webhook-dispatcher': url(PORTS.webhookDispatcher),
  'api-gateway': url(PORTS.apiGateway),
};
