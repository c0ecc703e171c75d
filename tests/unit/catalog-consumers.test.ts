// The catalog's consumer lists (schemas/catalog/topics.yaml) against what each service
// subscribes: every service declares its consumer groups in one function of its config
// (src/subscriptions.ts) that its own wiring uses to build its consumers. A service is a
// consumer of a topic when it reads it in any mode it supports (read ACLs must allow it),
// so each service is asked under each of its modes.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadSinkConfig, sinkSubscriptions } from '@odx/analytics-sink';
import { apiGatewaySubscriptions, loadApiGatewayConfig } from '@odx/api-gateway';
import { ediGatewaySubscriptions, loadGatewayConfig } from '@odx/edi-gateway';
import { loadPollerConfig, pollerSubscriptions } from '@odx/odoo-outbox-poller';
import { loadOrchestratorConfig, orchestratorSubscriptions } from '@odx/order-orchestrator';
import type { ConsumerSubscription } from '@odx/runtime';
import { loadCatalog } from '@odx/schemas';
import { loadBridgeConfig as loadTmsConfig, tmsBridgeSubscriptions } from '@odx/tms-bridge';
import { loadWebhookDispatcherConfig, webhookDispatcherSubscriptions } from '@odx/webhook-dispatcher';
import { loadBridgeConfig as loadWmsConfig, wmsBridgeSubscriptions } from '@odx/wms-bridge';

type Subscriptions = Record<string, ConsumerSubscription | undefined>;

/** Settings every config needs that have no default (not about subscriptions). */
const REQUIRED: NodeJS.ProcessEnv = {
  WMS_WEBHOOK_SECRET: 'test-secret-test-secret-test-secret',
  TMS_WEBHOOK_SECRET: 'test-secret-test-secret-test-secret',
  ODX_ORCHESTRATOR_JWT_SECRET: 'test-secret-test-secret-test-secret-test-secret',
  ODX_WEBHOOKS_JWT_SECRET: 'test-secret-test-secret-test-secret-test-secret',
  ODX_API_JWT_SECRET: 'test-secret-test-secret-test-secret-test-secret',
};

/** Per catalog service: its subscriptions under each mode that changes what it reads. */
const SERVICES: Record<string, Array<(env: NodeJS.ProcessEnv) => Subscriptions>> = {
  'odoo-outbox-poller': [(env) => pollerSubscriptions(loadPollerConfig(env), env)],
  'wms-bridge': (['order-confirmed', 'fulfillment-requested', 'both'] as const).map(
    (mode) => (env) => wmsBridgeSubscriptions(loadWmsConfig({ ...env, ODX_WMS_BRIDGE_RELEASE_ON: mode })),
  ),
  'tms-bridge': [(env) => tmsBridgeSubscriptions(loadTmsConfig(env))],
  'edi-gateway': [(env) => ediGatewaySubscriptions(loadGatewayConfig(env))],
  'analytics-sink': [(env) => sinkSubscriptions(loadSinkConfig(env))],
  // Reads DLQ topics only, on demand (redrive); no group on a catalog topic.
  'replay-dlq': [() => ({})],
  'order-orchestrator': [(env) => orchestratorSubscriptions(loadOrchestratorConfig(env))],
  'webhook-dispatcher': [(env) => webhookDispatcherSubscriptions(loadWebhookDispatcherConfig(env))],
  'api-gateway': [(env) => apiGatewaySubscriptions(loadApiGatewayConfig(env))],
};

/** Catalog topic -> the services that subscribe it in some mode. */
function subscribedTopics(env: NodeJS.ProcessEnv): Map<string, Set<string>> {
  const readers = new Map<string, Set<string>>();
  for (const [service, modes] of Object.entries(SERVICES)) {
    for (const mode of modes) {
      for (const sub of Object.values(mode(env))) {
        for (const topic of sub?.topics ?? []) {
          let set = readers.get(topic);
          if (!set) readers.set(topic, (set = new Set()));
          set.add(service);
        }
      }
    }
  }
  return readers;
}

test('every catalog service declares its subscriptions here, and nothing else claims to be one', () => {
  assert.deepEqual(Object.keys(SERVICES).sort(), [...loadCatalog().services].sort());
  const dirs = readdirSync(fileURLToPath(new URL('../../services', import.meta.url)));
  const undeclared = loadCatalog().services.filter((s) => !dirs.includes(s));
  assert.deepEqual(undeclared, [], 'catalog services without a services/<name> folder');
});

test("the catalog's consumers are the services that subscribe each topic", () => {
  const catalog = loadCatalog();
  const readers = subscribedTopics({ ...REQUIRED });
  const drift: string[] = [];
  for (const topic of catalog.topics) {
    const listed = [...topic.consumers].sort();
    const actual = [...(readers.get(topic.name) ?? [])].sort();
    if (listed.join() !== actual.join())
      drift.push(`${topic.name}: catalog lists [${listed.join(', ')}], the services subscribe [${actual.join(', ')}]`);
  }
  const names = new Set(catalog.topics.map((t) => t.name));
  for (const [topic, services] of readers) {
    if (!names.has(topic)) drift.push(`${topic}: subscribed by ${[...services].join(', ')} but not in the catalog`);
  }
  assert.deepEqual(drift, []);
});

test('subscriptions follow the topic prefix, so the declaration is what the wiring reads', () => {
  const readers = subscribedTopics({ ...REQUIRED, ODX_TOPIC_PREFIX: 'test.x.' });
  assert.ok(
    [...readers.keys()].every((t) => t.startsWith('test.x.odx.')),
    [...readers.keys()].join(', '),
  );
  assert.deepEqual(
    [...(readers.get('test.x.odx.orders.v1') ?? [])].sort(),
    [...loadCatalog().topics.find((t) => t.name === 'odx.orders.v1')!.consumers].sort(),
  );
});

test('a disabled consumer is not a subscription', () => {
  assert.deepEqual(pollerSubscriptions(loadPollerConfig({ ODX_WRITEBACK: 'false' }), {}), {});
  assert.deepEqual(ediGatewaySubscriptions(loadGatewayConfig({ ODX_EDI_OUTBOUND: 'false' })), {});
  assert.deepEqual(wmsBridgeSubscriptions(loadWmsConfig({ ...REQUIRED })).release.topics, [
    'odx.orders.v1',
    'odx.purchasing.v1',
    'odx.returns.v1',
  ]);
});
