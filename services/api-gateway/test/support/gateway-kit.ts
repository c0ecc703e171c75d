import { randomBytes, randomUUID } from 'node:crypto';
import { createServiceRuntime, mintToken, readRanges, type Role, type ServiceRuntime } from '@odx/runtime';
import { removeFromStack, serverUrl } from '@odx/runtime/testing';
import { startApiGateway, type ApiGateway } from '../../src/api-gateway-service.js';
import { loadApiGatewayConfig, type ApiGatewayConfig } from '../../src/config.js';
import type { Scope } from '../../src/keys/api-key.js';
import { CallerAuthenticator } from '../../src/keys/callers.js';

export interface Cleanup {
  after(fn: () => Promise<void> | void): void;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON shapes
  body: any;
}

export interface RunningGateway {
  rt: ServiceRuntime;
  gw: ApiGateway;
  config: ApiGatewayConfig;
  url: string;
  prefix: string;
  /** A key for `partnerId` with `scopes`, created through the store. */
  key(partnerId: string, scopes?: Scope[], rateLimit?: number | null): Promise<string>;
  adminToken(role?: Role): Promise<string>;
  call(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Answer>;
  /** Every decoded message of a topic now. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- payloads of whichever event the test published
  read(topic: string): Promise<Array<{ key: string | null; headers: Record<string, string>; payload: any }>>;
}

/** An api-gateway on the real stack with its own topics (a unique ODX_TOPIC_PREFIX) and database, on an ephemeral port. */
export async function startGateway(t: Cleanup, extraEnv: Record<string, string> = {}): Promise<RunningGateway> {
  const id = randomUUID().slice(0, 8);
  const prefix = `test-${id}.`;
  const database = `api_gateway_test_${id}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ODX_SERVICE_NAME: 'api-gateway',
    ODX_INSTANCE_ID: `api-gateway-${id}`,
    ODX_HTTP_PORT: '0',
    ODX_MONGO_DB: database,
    ODX_TOPIC_PREFIX: prefix,
    ODX_LOG_LEVEL: process.env['ODX_TEST_LOG_LEVEL'] ?? 'error',
    ODX_API_JWT_SECRET: randomBytes(32).toString('hex'),
    ODX_API_GROUP: `test-api-gateway-${id}`,
    ODX_API_PROVISION_TOPICS: 'false',
    ODX_API_VIEW_REFRESH_MS: '500',
    ...extraEnv,
  };
  const config = loadApiGatewayConfig(env);
  const callers = new CallerAuthenticator(config.auth);
  const rt = await createServiceRuntime({ name: 'api-gateway', env, authenticate: callers.handler });
  rt.logger.silent = process.env['ODX_TEST_LOG_LEVEL'] === undefined;
  const topics = Object.values(config.topics);
  await rt.cluster.ensureTopics(topics.map((name) => ({ name, partitions: 3, replicationFactor: 1, config: {} })));
  const gw = await startApiGateway(rt, config, callers);
  const url = serverUrl(await rt.listen());
  t.after(async () => {
    await rt.shutdown('test done');
    await removeFromStack({ kafka: rt.config.kafka, mongoUrl: rt.config.mongo.url, logger: rt.logger, topics, database });
  });
  return {
    rt,
    gw,
    config,
    url,
    prefix,
    key: async (partnerId, scopes = ['orders:write', 'orders:read', 'availability:read'], rateLimit = null) =>
      (
        await gw.keys.create(
          {
            partnerId,
            kind: 'shop',
            customer: { partyId: '7', ref: `C-${partnerId}`, name: `${partnerId} GmbH` },
            scopes,
            label: 'test',
            rateLimit,
          },
          'test',
        )
      ).key,
    adminToken: (role = 'admin') => mintToken(config.auth, `${role}-user`, [role]),
    call: async (method, path, headers, body) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: the text is the body
      }
      return { status: res.status, headers: res.headers, text, body: parsed };
    },
    read: async (topic) => {
      const wm = await rt.cluster.watermarks(topic);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see the interface
      const out: Array<{ key: string | null; headers: Record<string, string>; payload: any }> = [];
      await readRanges(rt.cluster, {
        ranges: [...wm].map(([partition, { low, high }]) => ({ topic, partition, from: low, to: high })),
        onBatch: async (b) => {
          for (const m of b.messages)
            out.push({ key: m.key?.toString('utf8') ?? null, headers: m.headers, payload: (await rt.serde.decode(m.value)).payload });
        },
      });
      return out;
    },
  };
}

/** A valid order body. */
export function orderBody(orderRef: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    orderRef,
    currency: 'EUR',
    shipTo: { name: 'Erika Mustermann', street1: 'Hauptstr. 1', city: 'Berlin', postalCode: '10115', countryCode: 'DE' },
    lines: [
      { sku: 'SKU-100', quantity: '3', unitPrice: '19.90' },
      { sku: 'SKU-200', quantity: '1.5', unitPrice: '4.333333', uom: 'KGM' },
    ],
    ...overrides,
  };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
