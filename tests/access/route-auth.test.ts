// Every mounted route of every service answers 401 without credentials and 403
// with too weak a role or scope. Each service is started in-process on the
// stack the way its integration tests start it (its own topics, group and
// database), and its express router is walked, so a route added anywhere
// without `requireRole` fails here. The only routes without the runtime's
// access control are listed below, each with the credentials it checks itself.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { createServiceRuntime, mintToken, requiredRoleOf, type Role, type ServiceRuntime, type TokenSettings } from '@odx/runtime';
import { TEST_JWT_SECRET } from '@odx/runtime/testing';
import { startOdooSimulator } from '@odx/sim-odoo';
import { TEST_TIMINGS as TMS_TIMINGS, startTmsSimulator } from '@odx/sim-tms';
import { TEST_TIMINGS as WMS_TIMINGS, startWmsSimulator } from '@odx/sim-wms';
import { loadPollerConfig, startPoller } from '@odx/odoo-outbox-poller';
import { REPO_ROOT } from '../../scripts/repo-root.js';
import { createWorld, startSink } from '../../services/analytics-sink/test/support/sink-kit.js';
import { startGateway } from '../../services/edi-gateway/test/support/gateway-kit.js';
import { startOrchestrator } from '../../services/order-orchestrator/test/support/orchestrator-kit.js';
import { startService as startReplayDlq } from '../../services/replay-dlq/test/support/service-kit.js';
import { startService as startWebhookDispatcher } from '../../services/webhook-dispatcher/test/support/service-kit.js';
import { startBridge as startTmsBridge } from '../../services/tms-bridge/test/support/bridge-kit.js';
import { startBridge as startWmsBridge } from '../../services/wms-bridge/test/support/bridge-kit.js';

/** Health and metrics: open on every service (the runtime mounts them on the app itself). */
const OPEN = ['GET /healthz', 'GET /readyz', 'GET /metrics'];

/** Routes on `ownCredentials`: not the runtime's access control, but credentials the route checks itself. */
const OWN_CREDENTIALS: Record<string, Record<string, string>> = {
  'wms-bridge': { 'POST /v1/webhooks/wms': 'Standard Webhooks signature (WMS_WEBHOOK_SECRET)' },
  'tms-bridge': { 'POST /v1/webhooks/tms': 'Standard Webhooks signature (TMS_WEBHOOK_SECRET)' },
  'edi-gateway': {
    'POST /v1/edi/:partnerId': "the partner's bearer token (its profile's inboundTokenEnv)",
    'GET /v1/edi/documents': "a partner's token lists its own documents; any other caller falls through to the api route (viewer)",
  },
};

/** Services being built right now by others; each gets its entry in SERVICES when it lands (then this list shrinks). */
// api-gateway's partner keys are its own; its access-and-views.test.ts walks its routes the same way.
const NOT_YET_COVERED = new Set(['api-gateway']);

interface Started {
  rt: ServiceRuntime;
  url: string;
  /** JWT settings the service accepts. */
  tokens: TokenSettings;
}

const RUNTIME_TOKENS: TokenSettings = { secret: TEST_JWT_SECRET, issuer: 'odx', audience: 'odx' };

const SERVICES: Record<string, (t: TestContext) => Promise<Started>> = {
  'analytics-sink': async (t) => {
    const s = await startSink(await createWorld(t));
    return { rt: s.rt, url: s.url, tokens: RUNTIME_TOKENS };
  },
  'wms-bridge': async (t) => {
    const wms = await startWmsSimulator({ port: 0, ...WMS_TIMINGS });
    t.after(() => wms.close());
    const b = await startWmsBridge(t, wms.url);
    return { rt: b.rt, url: b.url, tokens: RUNTIME_TOKENS };
  },
  'tms-bridge': async (t) => {
    const tms = await startTmsSimulator({ port: 0, ...TMS_TIMINGS, autoAdvance: false });
    t.after(() => tms.close());
    const b = await startTmsBridge(t, tms.url);
    return { rt: b.rt, url: b.url, tokens: RUNTIME_TOKENS };
  },
  'edi-gateway': async (t) => {
    const g = await startGateway(t, { EDI_FOLDER_TRANSPORT: 'false', ODX_EDI_OUTBOUND: 'false' });
    return { rt: g.rt, url: g.url, tokens: RUNTIME_TOKENS };
  },
  'replay-dlq': async (t) => {
    const s = await startReplayDlq(t);
    return { rt: s.rt, url: s.url, tokens: s.config.auth };
  },
  'webhook-dispatcher': async (t) => {
    const s = await startWebhookDispatcher(t);
    return { rt: s.rt, url: s.url, tokens: s.config.auth };
  },
  'order-orchestrator': async (t) => {
    const o = await startOrchestrator(t);
    return { rt: o.rt, url: o.url, tokens: o.config.auth };
  },
  'odoo-outbox-poller': async (t) => {
    const odoo = await startOdooSimulator({ port: 0 });
    t.after(() => odoo.close());
    const id = randomUUID().slice(0, 8);
    // Its own topic prefix and database: the poller publishes what it reads, and must not touch the shared topics.
    const env = {
      ...process.env,
      ODX_HTTP_PORT: '0',
      ODX_TOPIC_PREFIX: `test-auth-${id}.`,
      ODX_MONGO_DB: `auth_test_${id}`,
      ODX_LOG_LEVEL: 'error',
      ODX_AUTH_JWT_SECRET: TEST_JWT_SECRET,
      ODOO_URL: odoo.url,
      ODX_POLL_INTERVAL_MS: '3600000',
      ODX_WRITEBACK: 'false',
    };
    const rt = await createServiceRuntime({ name: 'odoo-outbox-poller', env });
    rt.logger.silent = true;
    t.after(async () => {
      const topics = (await rt.cluster.listTopics()).filter((n) => n.startsWith(`test-auth-${id}.`));
      await rt.cluster.deleteTopics(topics).catch(() => undefined);
      await rt.db.dropDatabase().catch(() => undefined);
      await rt.shutdown('test done');
    });
    await startPoller(rt, loadPollerConfig(env));
    const server = await rt.listen();
    const addr = server.address();
    return { rt, url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`, tokens: RUNTIME_TOKENS };
  },
};

interface RouteLayer {
  route?: { path: string | string[]; methods: Record<string, boolean>; stack: Array<{ handle: unknown }> };
}
interface MountedRoute {
  method: string;
  path: string;
  role: Role | undefined;
}

/** The routes of an express router (v5: `stack` of layers, a layer with `route` is an endpoint). */
function routesOf(router: unknown): MountedRoute[] {
  const out: MountedRoute[] = [];
  for (const layer of (router as { stack: RouteLayer[] }).stack) {
    if (!layer.route) continue;
    const roles = layer.route.stack.map((l) => requiredRoleOf(l.handle)).filter((r): r is Role => r !== undefined);
    for (const path of [layer.route.path].flat())
      for (const [m, on] of Object.entries(layer.route.methods))
        if (on && m !== '_all') out.push({ method: m.toUpperCase(), path, role: roles[0] });
  }
  return out;
}

const concrete = (path: string): string => path.replace(/:(\w+)/g, (_m, name: string) => `test-${name}`);
const WEAKER: Record<Role, Role | null> = { viewer: null, operator: 'viewer', admin: 'operator' };

async function ask(url: string, r: MountedRoute, authorization?: string): Promise<number> {
  const headers: Record<string, string> = authorization ? { authorization } : {};
  const body = r.method === 'GET' || r.method === 'HEAD' ? undefined : '{}';
  if (body) headers['content-type'] = 'application/json';
  const res = await fetch(`${url}${concrete(r.path)}`, { method: r.method, headers, ...(body ? { body } : {}) });
  await res.arrayBuffer();
  return res.status;
}

test('every service is covered (a new service gets an entry in SERVICES)', () => {
  const dirs = readdirSync(join(REPO_ROOT, 'services'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  const uncovered = dirs.filter((d) => !(d in SERVICES) && !NOT_YET_COVERED.has(d));
  assert.deepEqual(uncovered, [], 'services whose routes this test does not walk');
});

for (const [name, start] of Object.entries(SERVICES)) {
  test(`${name}: every route needs credentials (401) and enough role or scope (403)`, { timeout: 180_000 }, async (t) => {
    const s = await start(t);
    const app = s.rt.http.app as unknown as { router: unknown };
    assert.deepEqual(
      routesOf(app.router)
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
      [...OPEN].sort(),
      'the only routes on the app itself are health and metrics',
    );
    for (const open of OPEN) {
      const [method, path] = open.split(' ') as [string, string];
      assert.notEqual(await ask(s.url, { method, path, role: undefined }), 401, `${open} is open`);
    }

    const own = routesOf(s.rt.http.ownCredentials);
    assert.deepEqual(
      own.map((r) => `${r.method} ${r.path}`).sort(),
      Object.keys(OWN_CREDENTIALS[name] ?? {}).sort(),
      'routes with their own credentials',
    );
    for (const r of own) assert.equal(await ask(s.url, r), 401, `${r.method} ${r.path} without credentials`);
    assert.equal(routesOf(s.rt.http.beforeBody).length, 0, 'no endpoint on beforeBody (its handlers pass on to ownCredentials or api)');

    // A key with a scope on another service only: authenticated, but no role here.
    const otherKey = await s.rt.keys.create({
      account: `elsewhere-${randomUUID().slice(0, 6)}`,
      scopes: ['some-other-service:admin'],
      createdBy: 'test',
    });
    const api = routesOf(s.rt.http.api);
    for (const r of api) {
      const what = `${name} ${r.method} ${r.path}`;
      assert.ok(r.role, `${what} has no requireRole(...)`);
      assert.equal(await ask(s.url, r), 401, `${what} without credentials`);
      assert.equal(await ask(s.url, r, 'Bearer not-a-token'), 401, `${what} with a bad token`);
      assert.equal(await ask(s.url, r, `Bearer ${otherKey.key}`), 403, `${what} with a key scoped to another service`);
      const weaker = WEAKER[r.role];
      if (weaker) {
        const jwt = await mintToken(s.tokens, 'weak-person', [weaker]);
        assert.equal(await ask(s.url, r, `Bearer ${jwt}`), 403, `${what} with a ${weaker} token`);
        const key = await s.rt.keys.create({
          account: `weak-${randomUUID().slice(0, 6)}`,
          scopes: [`${name}:${weaker}`],
          createdBy: 'test',
        });
        assert.equal(await ask(s.url, r, `Bearer ${key.key}`), 403, `${what} with a ${name}:${weaker} key`);
      }
      const enough = await mintToken(s.tokens, 'strong-person', [r.role]);
      assert.ok(![401, 403].includes(await ask(s.url, r, `Bearer ${enough}`)), `${what} accepts a ${r.role} token`);
    }
    t.diagnostic(`${name}: ${api.length} authenticated route(s), ${own.length} with own credentials`);
  });
}
