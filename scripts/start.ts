// `npm start`: the main job. Installs (scripts/odx.mjs), brings up the local
// stack (Kafka, schema registry, MongoDB), the simulators of Odoo, the WMS and
// the TMS, and every ODX service as its own process; then drives orders
// through order to cash, orchestrated by the order orchestrator (credit check,
// allocation, release as FulfillmentRequested), with a WMS outage, a poison
// message and a credit hold on the way (an operator approves it with the odx
// CLI), shows progress, prints the KPIs, the exception cases and one order's
// timeline, and keeps running for exploration until Ctrl-C (`--exit` stops
// after the report).
//
//   npm start [-- --orders 12] [-- --edi-orders 3] [-- --exit] [-- --no-faults] [-- --no-credit-hold]
//             [-- --release-on fulfillment-requested|order-confirmed] [-- --from-source]
//             [-- --semi-space-mb 2]
//
// The services run compiled, as their images do (service-build.ts; the first start compiles them while the
// stack comes up, later starts reuse the build until a source changes); --from-source runs the TypeScript
// through tsx instead. --semi-space-mb caps V8's young generation in the services and simulators (0: node's
// default); see docs/benchmarks.md for what each costs in memory.
//
// --release-on order-confirmed: wms-bridge releases every confirmed order itself and the
// orchestrator only observes (the flow before the orchestrator); a held order then ships anyway.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseCliArgs } from '@odx/runtime/cli';
import { registerAll } from '@odx/schemas';
import { createKafka, createLogger, loadRuntimeConfig, provisionCatalogTopics } from '@odx/runtime';
import { endpointsEnv, loadStackConfig, stackUp, startWatchdog, type WatchdogEvent } from './stack/index.js';
import { DemoScenario } from './demo/scenario.js';
import { DemoExceptionDesk } from './demo/exception-desk.js';
import {
  DEMO_EDI_TOKEN,
  DEMO_JWT_SECRET,
  ORCHESTRATOR_AUDIENCE,
  PORTS,
  serviceSpecs,
  simulatorSpecs,
  url,
  type ReleaseOn,
} from './demo/services.js';
import { waitForStockLevels } from './demo/stock-levels.js';
import { buildServices } from './demo/service-build.js';
import { ProcessSupervisor } from './demo/supervisor.js';

const { values } = parseCliArgs(
  'npm start',
  'the order-to-cash demo: the stack, the ODX services and simulators, a scenario of Odoo and EDI orders and its timeline; keeps running until Ctrl-C',
  {
    options: {
      orders: { type: 'string', default: '12' },
      'edi-orders': { type: 'string', default: '3' },
      exit: { type: 'boolean', default: false },
      'no-faults': { type: 'boolean', default: false },
      'no-credit-hold': { type: 'boolean', default: false },
      'release-on': { type: 'string', default: 'fulfillment-requested' },
      'from-source': { type: 'boolean', default: false },
      'semi-space-mb': { type: 'string', default: '2' },
    },
    strict: true,
  },
);
const count = (name: string, v: string | undefined, max: number): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > max) {
    process.stderr.write(`npm start: --${name} must be a whole number from 0 to ${max}, got "${v}"\n`);
    process.exit(2);
  }
  return n;
};
const odooOrders = count('orders', values.orders, 500);
const ediOrders = count('edi-orders', values['edi-orders'], 50);
const semiSpaceMb = count('semi-space-mb', values['semi-space-mb'], 64);
const nodeArgs = semiSpaceMb > 0 ? [`--max-semi-space-size=${semiSpaceMb}`] : [];
const RELEASE_MODES: readonly ReleaseOn[] = ['fulfillment-requested', 'order-confirmed'];
const releaseOn = RELEASE_MODES.find((m) => m === values['release-on']);
if (!releaseOn) {
  process.stderr.write(`npm start: --release-on must be ${RELEASE_MODES.join(' or ')}, got "${values['release-on']}"\n`);
  process.exit(2);
}

const say = (line = ''): void => void process.stdout.write(`${line}\n`);
const started = Date.now();
const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s`;

say('ODX — Odoo Distribution eXchange: order-to-cash demo\n');
// Compiles the services (a child process) while the stack comes up; awaited before the services start.
const build = values['from-source'] ? null : buildServices(join(loadStackConfig().paths.home, 'build', 'services'));
build?.catch(() => undefined); // reported where it is awaited
const endpoints = await stackUp();
const stackEnv = endpointsEnv(endpoints);
Object.assign(process.env, stackEnv);
// For the demo's lifetime: restart a part that stops answering (FerretDB can wedge), with a stack dump.
const describeWatchdog = (e: WatchdogEvent): string | undefined => {
  switch (e.kind) {
    case 'unhealthy':
      return e.failures === 1 ? `stack    ${e.part} unhealthy: ${e.detail}` : undefined;
    case 'recovered':
      return `stack    ${e.part} healthy again`;
    case 'restarted':
      return `stack    ${e.part} restarted (${e.reason})${e.dumpFile ? `; stack dump in ${e.dumpFile}` : ''}`;
    case 'restart-failed':
      return `stack    ${e.part} restart failed: ${e.error.message}`;
  }
};
const watchdog = startWatchdog({
  onEvent: (e) => {
    const line = describeWatchdog(e);
    if (line) say(line);
  },
});

const config = loadRuntimeConfig('odx-demo');
const kafka = createKafka(config.kafka, createLogger({ service: 'odx-demo', level: 'error' }));
const admin = kafka.admin();
await admin.connect();
const created = await provisionCatalogTopics(admin);
say(`\ntopics   ${created.length ? `created ${created.length}` : 'all catalog topics exist'}`);
const registered = await registerAll(config.schemaRegistry.url);
say(`schemas  ${registered.length} event schemas registered (BACKWARD compatibility)`);

const dataDir = join(loadStackConfig().paths.home, 'demo');
const logDir = join(dataDir, 'logs');
const supervisor = new ProcessSupervisor(logDir);
let shuttingDown = false;
const shutdown = async (code: number): Promise<never> => {
  if (!shuttingDown) {
    shuttingDown = true;
    say('\nstopping services and simulators (graceful shutdown) ...');
    await watchdog.stop();
    await supervisor.stopAll();
    await admin.disconnect().catch(() => undefined);
    say('stopped. The stack keeps running: `npm run stack -- down` stops it.');
  }
  process.exit(code);
};
process.once('SIGINT', () => void shutdown(0));
process.once('SIGTERM', () => void shutdown(0));

try {
  const compiled = build ? await build : null;
  say(
    compiled
      ? `build    services ${compiled.built ? `compiled to JavaScript in ${compiled.seconds.toFixed(1)} s` : 'already compiled from these sources'} (${compiled.dir})`
      : 'build    services run from their TypeScript sources through tsx (--from-source)',
  );
  say(`\nprocesses (logs in ${logDir})`);
  const specs = [
    ...simulatorSpecs(dataDir, PORTS, { nodeArgs }),
    ...serviceSpecs(stackEnv, dataDir, PORTS, releaseOn, { nodeArgs, ...(compiled ? { compiledDir: compiled.dir } : {}) }),
  ];
  for (const spec of specs) {
    const t0 = Date.now();
    await supervisor.start(spec);
    const base = spec.readyUrl.replace(/\/readyz$/, '');
    // Services say what runs them on /healthz (the simulators have none).
    const health = spec.readyUrl.endsWith('/readyz')
      ? ((await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5_000) })
          .then((r) => r.json())
          .catch(() => null)) as { node?: string } | null)
      : null;
    say(
      `  ✓ ${spec.name.padEnd(20)} ${base.padEnd(24)} ready in ${((Date.now() - t0) / 1000).toFixed(1)} s${health?.node ? `, Node ${health.node}` : ''}`,
    );
  }

  say(
    releaseOn === 'fulfillment-requested'
      ? '\nrelease  orchestrated: order-orchestrator checks credit, allocates and publishes FulfillmentRequested; wms-bridge releases those'
      : '\nrelease  wms-bridge releases every OrderConfirmed (--release-on order-confirmed); order-orchestrator observes',
  );
  const levels = await waitForStockLevels(config.mongo, 60_000);
  say(
    levels > 0
      ? `stock    the orchestrator's allocation knows ${levels} stock level(s) (InventoryLevelChanged from Odoo)`
      : 'stock    the orchestrator has heard no stock level after 60 s: orders wait at allocation until it does',
  );
  const desk = new DemoExceptionDesk({ url: url(PORTS.orchestrator), jwtSecret: DEMO_JWT_SECRET, audience: ORCHESTRATOR_AUDIENCE });
  const scenario = new DemoScenario({
    kafka,
    admin,
    dataDir,
    say,
    elapsed,
    runTag: randomUUID().slice(0, 6).toUpperCase(),
    odooOrders,
    ediOrders,
    faults: !values['no-faults'],
    desk,
    creditHold: !values['no-credit-hold'],
  });
  const outcome = await scenario.run();
  await scenario.report(outcome);
} catch (err) {
  say(`\nthe demo failed: ${err instanceof Error ? err.message : String(err)}`);
  say(`service logs: ${logDir}`);
  await shutdown(1);
}

say(`
ODX is running. Where to look:
  Odoo (simulator)       ${url(PORTS.odoo)}          JSON-RPC / XML-RPC, admin / admin
  WMS, TMS (simulators)  ${url(PORTS.wms)}, ${url(PORTS.tms)}
  analytics-sink         ${url(PORTS.analyticsSink)}/v1/kpis   and /v1/orders/<ref>/timeline   (JWT: see below)
  edi-gateway            ${url(PORTS.ediGateway)}/v1/edi/documents   (JWT, or a partner's token: Bearer ${DEMO_EDI_TOKEN}-northwind)
  replay-dlq             ${url(PORTS.replayDlq)}   (JWT: see the odx commands below)
  order-orchestrator     ${url(PORTS.orchestrator)}   /v1/orders/<ref>/process and /v1/cases (JWT: see below)
  api-gateway            ${url(PORTS.apiGateway)}/openapi.json   REST for shops: POST /v1/orders, availability, status (API keys)
  webhook-dispatcher     ${url(PORTS.webhookDispatcher)}   signed webhooks to downstream systems (npx odx webhooks add|list|test)
  every service          /healthz  /readyz  /metrics
  partner folders        ${join(dataDir, 'edi')}
  service logs           ${logDir}

  export ODX_REPLAY_TOKEN=$(ODX_REPLAY_JWT_SECRET=${DEMO_JWT_SECRET} npx odx token --role operator)
  npx odx dlq list                      DLQ topics, depth, error classes
  npx odx trace <order>                 one order's timeline across Odoo, WMS, TMS and EDI
  npx odx groups describe wms-bridge    committed offsets and lag

  (the same token works for the orchestrator's cases and orders, and every other service's API:
   curl -H "Authorization: Bearer $ODX_REPLAY_TOKEN" ${url(PORTS.analyticsSink)}/v1/kpis)
  npx odx cases list --status resolved  exception cases (credit holds, overdue steps, dead letters)
  npx odx order <order>                 an order's process: stage, each step, due time, open cases
  npm run stack -- status               Kafka, registry, MongoDB
`);
if (values.exit) await shutdown(0);
say('Ctrl-C stops the services and simulators (the stack keeps running).');
await new Promise(() => undefined);
