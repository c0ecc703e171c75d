import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServiceRuntime, mintToken, outgoingEvent, type OutgoingEvent, type Role, type ServiceRuntime } from '@odx/runtime';
import { jsonCaller, removeFromStack, serverUrl } from '@odx/runtime/testing';
import type { EventType } from '@odx/schemas';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import { loadWebhookDispatcherConfig, type WebhookDispatcherConfig } from '../../src/config.js';
import { startWebhookDispatcher, type WebhookDispatcher } from '../../src/webhook-dispatcher-service.js';

export interface Cleanup {
  after(fn: () => Promise<void> | void): void;
}

export const TEST_SECRET = randomBytes(32).toString('hex');

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export interface RunningService {
  rt: ServiceRuntime;
  svc: WebhookDispatcher;
  config: WebhookDispatcherConfig;
  url: string;
  topic: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON shapes
  call(method: string, path: string, role: Role | null, body?: unknown): Promise<{ status: number; body: any }>;
  publish(events: OutgoingEvent[]): Promise<void>;
  stop(): Promise<void>;
}

export interface ServiceOptions {
  env?: Record<string, string>;
  /** Another instance on the same topic and database (restart tests). */
  topic?: string;
  database?: string;
}

/** A webhook-dispatcher on the real stack, reading its own fresh topic, with a fresh database. */
export async function startService(t: Cleanup, o: ServiceOptions = {}): Promise<RunningService> {
  const database = o.database ?? `webhooks_test_${randomUUID().slice(0, 8)}`;
  const topic = o.topic ?? `test.webhooks.${randomUUID().slice(0, 8)}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ODX_SERVICE_NAME: 'webhook-dispatcher',
    ODX_INSTANCE_ID: uniqueName('webhook-dispatcher'),
    ODX_HTTP_PORT: '0',
    ODX_MONGO_DB: database,
    ODX_LOG_LEVEL: process.env['ODX_TEST_LOG_LEVEL'] ?? 'error',
    ODX_WEBHOOKS_JWT_SECRET: TEST_SECRET,
    ODX_WEBHOOKS_TOPICS: topic,
    ODX_WEBHOOKS_GROUP: `webhooks-${database}`,
    ODX_WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true',
    ODX_WEBHOOKS_RETRY_SCHEDULE: '200,400,800',
    ODX_WEBHOOKS_TIMEOUT_MS: '2000',
    ODX_WEBHOOKS_LEASE_MS: '1500',
    ...o.env,
  };
  const config = loadWebhookDispatcherConfig(env);
  const rt = await createServiceRuntime({ name: 'webhook-dispatcher', env, tokens: config.auth });
  rt.logger.silent = process.env['ODX_TEST_LOG_LEVEL'] === undefined;
  if (!o.topic) await rt.cluster.ensureTopics([{ name: topic, partitions: 3, replicationFactor: 1, config: {} }]);
  const svc = await startWebhookDispatcher(rt, config);
  const server = await rt.listen();
  const url = serverUrl(server);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= rt.shutdown('test done'));
  t.after(async () => {
    await stop();
    if (o.topic || o.database) return; // the first instance cleans up
    await removeFromStack({
      kafka: rt.config.kafka,
      mongoUrl: rt.config.mongo.url,
      logger: rt.logger,
      topicPrefixes: [topic],
      groups: [config.consumer.groupId],
      database,
    });
  });
  const token = (role: Role): Promise<string> => mintToken(config.auth, `${role}-user`, [role]);
  return {
    rt,
    svc,
    config,
    url,
    topic,
    stop,
    publish: async (events) => void (await rt.producer.publish(events)),
    call: jsonCaller(url, token),
  };
}

/** A canonical event with a fresh event id on `topic`, keyed `key`. */
export function event(topic: string, key: string, eventType: EventType = 'OrderConfirmed', eventId: string = randomUUID()): OutgoingEvent {
  const payload = { ...sampleEvent(eventType), meta: sampleMeta({ eventId, correlationId: key, occurredAt: new Date() }) };
  return outgoingEvent(eventType, key, payload, { topic });
}

export interface Received {
  at: number;
  headers: Record<string, string>;
  body: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the CloudEvent as JSON
  json: any;
}

/** A local receiver whose answer the test decides per request. */
export interface Receiver {
  url: string;
  received: Received[];
  /** Answers each request: a status (and optional delay). Default 204. */
  respond: (r: Received, n: number) => { status: number; delayMs?: number } | Promise<{ status: number; delayMs?: number }>;
  close(): Promise<void>;
}

export async function startReceiver(t: Cleanup): Promise<Receiver> {
  const state: Receiver = { url: '', received: [], respond: () => ({ status: 204 }), close: async () => undefined };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const r: Received = { at: Date.now(), headers, body, json: JSON.parse(body) };
      const n = state.received.push(r);
      void Promise.resolve(state.respond(r, n)).then(async ({ status, delayMs }) => {
        if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
        if (!res.destroyed) res.writeHead(status).end();
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  let closed: Promise<void> | undefined;
  state.close = () => (closed ??= new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  t.after(() => state.close());
  return state;
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 60_000,
  everyMs = 100,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
