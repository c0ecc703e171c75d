// Helpers for tests against the real stack, shared by every workspace's test
// kit (`@odx/runtime/testing`; not part of the runtime's main export).
import { AssertionError } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { MongoClient } from 'mongodb';
import type { CompiledRuntimeConfig } from '../config/index.js';
import { createClusterAdmin } from '../kafka/cluster-admin.js';
import type { Logger } from '../logging/index.js';
import type { EventPayloads, EventType } from '@odx/schemas';

/** A name no other test uses: `<prefix>-<8 hex>` (topics, groups, databases). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/**
 * Polls `probe` every 100 ms until it returns something other than undefined
 * (a thrown error counts as "not yet"); fails after `timeoutMs` naming `what`
 * and the last error.
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

const handedOut = new Set<number>();

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it), never one this process was given before:
 * the OS may hand a just-released port out again, and a test that asked for several got the same one twice (seen
 * in CI: "ports of kafka and kafkaController are both 46241").
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await osFreePort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

function osFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A message a test read back from Kafka and decoded with the serde. */
export interface DecodedMessage {
  eventType: string;
  payload: unknown;
}

/**
 * The payload of a message read back from Kafka, typed by `eventType`; fails
 * the test when the message is of another event type.
 */
export function payloadOf<T extends EventType>(message: DecodedMessage, eventType: T): EventPayloads[T] {
  if (message.eventType !== eventType) {
    throw new AssertionError({
      message: `expected a ${eventType}, got a ${message.eventType}`,
      actual: message.eventType,
      expected: eventType,
      operator: 'payloadOf',
    });
  }
  // The one cast: the serde decoded the payload with the writer schema of `eventType`, checked above.
  return message.payload as EventPayloads[T];
}

/** The payloads of the messages of one event type, in their order (other types are left out). */
export function payloadsOf<T extends EventType>(messages: readonly DecodedMessage[], eventType: T): Array<EventPayloads[T]> {
  return messages.filter((m) => m.eventType === eventType).map((m) => payloadOf(m, eventType));
}

/** The HS256 secret test kits give services as ODX_AUTH_JWT_SECRET (tests only). */
export const TEST_JWT_SECRET = 'odx-test-jwt-secret-for-the-test-suite-only';

/**
 * `Authorization: Bearer <JWT>` for `role`, signed with TEST_JWT_SECRET for
 * audience `odx`, which every service accepts by default (ODX_AUTH_JWT_AUDIENCE).
 * @param subject who the token names @default 'test'
 */
export async function testAuthHeader(
  role: 'viewer' | 'operator' | 'admin',
  subject = 'test',
  settings: { secret: string; issuer: string; audience: string } = { secret: TEST_JWT_SECRET, issuer: 'odx', audience: 'odx' },
): Promise<{ authorization: string }> {
  const { mintToken } = await import('../auth/tokens.js');
  return { authorization: `Bearer ${await mintToken(settings, subject, [role])}` };
}

/** `http://127.0.0.1:<port>` of a server listening on a TCP port (a service runtime's `listen()`). */
export function serverUrl(server: { address(): AddressInfo | string | null }): string {
  const addr = server.address();
  return typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}` : String(addr);
}

/** An answer of a JSON API: the status and the parsed body (the raw text when it is not JSON). */
export interface JsonAnswer {
  status: number;
  /** The Content-Type answered ('' when none). */
  type: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON shapes
  body: any;
}

/**
 * A caller of a service's HTTP API for tests: `call(method, path, role, body)` sends `Authorization: Bearer
 * <token(role)>` (nothing when `role` is null) and a JSON body (a string is sent as it is).
 */
export function jsonCaller<R>(
  baseUrl: string,
  token: (role: R) => Promise<string>,
): (method: string, path: string, role: R | null, body?: unknown) => Promise<JsonAnswer> {
  return async (method, path, role, body) => {
    const headers: Record<string, string> = {};
    if (role !== null) headers['authorization'] = `Bearer ${await token(role)}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    try {
      return { status: res.status, type, body: JSON.parse(text) as unknown };
    } catch {
      return { status: res.status, type, body: text };
    }
  };
}

/** What a test started on the stack and leaves behind for `removeFromStack`. */
export interface StackLeftovers {
  kafka: CompiledRuntimeConfig['kafka'];
  mongoUrl: string;
  logger: Logger;
  topics?: readonly string[];
  /** Also delete every topic whose name starts with one of these. */
  topicPrefixes?: readonly string[];
  groups?: readonly string[];
  database?: string;
}

/** Deletes a test's topics and consumer groups and drops its database; each step's failure is ignored (best effort). */
export async function removeFromStack(left: StackLeftovers): Promise<void> {
  const cluster = createClusterAdmin(left.kafka, left.logger);
  try {
    const prefixes = left.topicPrefixes ?? [];
    const byPrefix =
      prefixes.length > 0 ? (await cluster.listTopics().catch(() => [])).filter((n) => prefixes.some((p) => n.startsWith(p))) : [];
    const topics = [...new Set([...(left.topics ?? []), ...byPrefix])];
    if (topics.length > 0) await cluster.deleteTopics(topics).catch(() => undefined);
    if (left.groups?.length) await cluster.deleteGroups([...left.groups]).catch(() => undefined);
  } finally {
    await cluster.close().catch(() => undefined);
  }
  if (left.database === undefined) return;
  const mongo = new MongoClient(left.mongoUrl);
  await mongo
    .db(left.database)
    .dropDatabase()
    .catch(() => undefined);
  await mongo.close();
}
