// What `npm start` runs: the simulators of the outside systems and every ODX
// service, one process each, with the settings that connect them.
import { join } from 'node:path';
import { mintDevToken } from '@odx/cli';
import { REPO_ROOT } from '../repo-root.js';
import { compiledEntry } from './service-build.js';
import type { ProcessSpec } from './supervisor.js';
import { serviceKafkaEnv } from '../stack/kafka-users.js';

/** Webhook secret shared by the simulators (signing) and the bridges (verifying). Demo only. */
export const DEMO_WEBHOOK_SECRET = 'whsec_b2R4LWRlbW8td2ViaG9vay1zZWNyZXQtbG9jYWwtb25seQ==';
/** Base of the EDI partners' inbound tokens in the demo (a partner's token also lists its own documents). Demo only. */
export const DEMO_EDI_TOKEN = 'odx-demo-edi-api-token';
/**
 * HS256 secret of every service's API in the demo (ODX_AUTH_JWT_SECRET, and replay-dlq's and the orchestrator's own
 * settings); `odx token` mints tokens with it, and the demo's own calls use it (demo-auth.ts). Demo only.
 */
export const DEMO_JWT_SECRET = 'odx-demo-jwt-secret-change-me-in-production';
/** JWT audience of the order orchestrator's API (the first of its ODX_ORCHESTRATOR_JWT_AUDIENCE list). */
export const ORCHESTRATOR_AUDIENCE = 'odx-orchestrator';
/** The orchestrator also accepts replay-dlq's tokens (same secret here), so one `odx token` serves both ops APIs. */
const ORCHESTRATOR_AUDIENCES = `${ORCHESTRATOR_AUDIENCE},odx-replay-dlq`;

/**
 * Who releases orders to the WMS. `fulfillment-requested` (the demo's default): the order orchestrator
 * checks credit, allocates and publishes FulfillmentRequested, which wms-bridge releases. `order-confirmed`:
 * wms-bridge releases every OrderConfirmed itself and the orchestrator only observes (the pre-orchestrator
 * flow, kept so a site can move one flow at a time).
 */
export type ReleaseOn = 'fulfillment-requested' | 'order-confirmed';

export const PORTS = {
  odoo: 8069,
  wms: 8070,
  tms: 8071,
  poller: 8101,
  wmsBridge: 8102,
  tmsBridge: 8103,
  ediGateway: 8104,
  analyticsSink: 8105,
  replayDlq: 8106,
  orchestrator: 8107,
  webhookDispatcher: 8109,
  apiGateway: 8110,
} as const;

/** Where each process listens; tests pass free ports of their own. */
export type Ports = { readonly [K in keyof typeof PORTS]: number };

export const url = (port: number): string => `http://127.0.0.1:${port}`;

export function simulatorSpecs(dataDir: string, ports: Ports = PORTS, options: { nodeArgs?: string[] } = {}): ProcessSpec[] {
  const sim = (name: string, port: number, extra: Record<string, string> = {}): ProcessSpec => ({
    name: `sim-${name}`,
    entry: 'scripts/demo/simulator.ts',
    ...(options.nodeArgs ? { nodeArgs: options.nodeArgs } : {}),
    args: [name],
    env: { DEMO_SIM_PORT: String(port), ...extra },
    readyUrl: url(port),
    anyStatus: true,
  });
  return [
    sim('odoo', ports.odoo, { DEMO_SIM_DATA_FILE: join(dataDir, 'odoo-sim.jsonl') }),
    sim('wms', ports.wms, {
      DEMO_SIM_WEBHOOK_URL: `${url(ports.wmsBridge)}/v1/webhooks/wms`,
      DEMO_SIM_WEBHOOK_SECRET: DEMO_WEBHOOK_SECRET,
    }),
    sim('tms', ports.tms, {
      DEMO_SIM_WEBHOOK_URL: `${url(ports.tmsBridge)}/v1/webhooks/tms`,
      DEMO_SIM_WEBHOOK_SECRET: DEMO_WEBHOOK_SECRET,
    }),
  ];
}

/**
 * The ODX services, in start order. `downstream: false` leaves out the two
 * that serve downstream systems (webhook-dispatcher, api-gateway), which no
 * order-to-cash flow needs (the system tests run without them).
 */
export function serviceSpecs(
  stackEnv: Record<string, string>,
  dataDir: string,
  ports: Ports = PORTS,
  releaseOn: ReleaseOn = 'fulfillment-requested',
  options: {
    downstream?: boolean;
    /** A build of `buildServices` (service-build.ts): run the compiled JavaScript instead of the TypeScript. */
    compiledDir?: string;
    /** Options for node in every service process. */
    nodeArgs?: string[];
  } = {},
): ProcessSpec[] {
  const service = (name: string, port: number, extra: Record<string, string>): ProcessSpec => ({
    name,
    entry: options.compiledDir ? compiledEntry(options.compiledDir, name) : `services/${name}/src/main.ts`,
    ...(options.nodeArgs ? { nodeArgs: options.nodeArgs } : {}),
    env: {
      ...stackEnv,
      ODX_SERVICE_NAME: name,
      ODX_HTTP_PORT: String(port),
      ODX_LOG_LEVEL: 'info',
      ODX_AUTH_JWT_SECRET: DEMO_JWT_SECRET,
      // As the orchestrator does: one `odx token` (audience odx-replay-dlq) serves every ops API of the demo.
      ODX_AUTH_JWT_AUDIENCE: `odx-${name},odx,odx-replay-dlq`,
      // Its own Kafka user (odx-<service>, held to the catalog's ACLs) instead of the stack's admin.
      ...serviceKafkaEnv(stackEnv, name),
      ...extra,
    },
    readyUrl: `${url(port)}/readyz`,
  });
  const downstream = [
    service('webhook-dispatcher', ports.webhookDispatcher, {
      ODX_WEBHOOKS_JWT_SECRET: DEMO_JWT_SECRET,
      // The demo's receivers run on this machine; outside a dev stack the SSRF guard refuses private targets.
      ODX_WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true',
    }),
    service('api-gateway', ports.apiGateway, {
      ODX_API_JWT_SECRET: DEMO_JWT_SECRET,
    }),
  ];
  return [
    service('odoo-outbox-poller', ports.poller, {
      ODOO_URL: url(ports.odoo),
      ODX_WRITEBACK_CONFIRM_ORDERS: 'true',
      ODX_POLL_INTERVAL_MS: '500',
    }),
    service('wms-bridge', ports.wmsBridge, {
      WMS_URL: url(ports.wms),
      WMS_WEBHOOK_SECRET: DEMO_WEBHOOK_SECRET,
      ODX_WMS_BRIDGE_RETRY_DELAYS_MS: '2000,5000,15000',
      ODX_WMS_BRIDGE_RELEASE_ON: releaseOn,
    }),
    service('tms-bridge', ports.tmsBridge, {
      TMS_URL: url(ports.tms),
      TMS_WEBHOOK_SECRET: DEMO_WEBHOOK_SECRET,
      TMS_MILESTONE_TIMEOUT_MS: '120000',
      TMS_WATCHDOG_INTERVAL_MS: '10000',
    }),
    service('edi-gateway', ports.ediGateway, {
      EDI_FOLDER_ROOT: join(dataDir, 'edi'),
      EDI_POLL_INTERVAL_MS: '500',
      EDI_TOKEN_NORTHWIND: `${DEMO_EDI_TOKEN}-northwind`,
      EDI_TOKEN_GLOBEX: `${DEMO_EDI_TOKEN}-globex`,
    }),
    service('analytics-sink', ports.analyticsSink, {
      ODX_SINK_KPI_METRICS_INTERVAL_MS: '10000',
      ODX_SINK_FAILURE_REFRESH_MS: '5000',
    }),
    service('replay-dlq', ports.replayDlq, {
      ODX_REPLAY_JWT_SECRET: DEMO_JWT_SECRET,
    }),
    // Last: it asks the bridges to catch up on overdue orders, and reads credit from Odoo.
    service('order-orchestrator', ports.orchestrator, {
      ODOO_URL: url(ports.odoo),
      // The repository's policies (a compiled service finds none next to its own files, as in the image).
      ODX_ORCHESTRATOR_POLICY_DIR: join(REPO_ROOT, 'infra', 'orchestrator'),
      ODX_ORCHESTRATOR_RELEASE_MODE: releaseOn === 'fulfillment-requested' ? 'fulfillment-requested' : 'observe',
      ODX_ORCHESTRATOR_WMS_BRIDGE_URL: url(ports.wmsBridge),
      ODX_ORCHESTRATOR_TMS_BRIDGE_URL: url(ports.tmsBridge),
      ODX_ORCHESTRATOR_JWT_SECRET: DEMO_JWT_SECRET,
      ODX_ORCHESTRATOR_JWT_AUDIENCE: ORCHESTRATOR_AUDIENCES,
      // Its catch-up calls to the bridges (role operator there). In production: a service-account key scoped
      // wms-bridge:operator and tms-bridge:operator (`odx keys create order-orchestrator ...`).
      ODX_ORCHESTRATOR_BRIDGE_TOKEN: mintDevToken({
        secret: DEMO_JWT_SECRET,
        issuer: 'odx',
        audience: 'odx',
        subject: 'svc:order-orchestrator',
        role: 'operator',
        ttlSeconds: 30 * 86_400,
      }),
    }),
    ...(options.downstream === false ? [] : downstream),
  ];
}
