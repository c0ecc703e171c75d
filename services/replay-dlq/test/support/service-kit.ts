import { randomBytes, randomUUID } from 'node:crypto';
import {
  createClusterAdmin,
  createServiceRuntime,
  mintToken,
  outgoingEvent,
  readRanges,
  type OutgoingEvent,
  type Role,
  type ServiceRuntime,
} from '@odx/runtime';
import { jsonCaller, serverUrl } from '@odx/runtime/testing';
import type { EventType } from '@odx/schemas';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import { MongoClient } from 'mongodb';
import { loadReplayDlqConfig, type ReplayDlqConfig } from '../../src/config.js';
import { startReplayDlq, type ReplayDlq } from '../../src/replay-dlq-service.js';

/** What node:test's TestContext offers for cleanup. */
export interface Cleanup {
  after(fn: () => Promise<void> | void): void;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export const TEST_SECRET = randomBytes(32).toString('hex');

export interface RunningService {
  rt: ServiceRuntime;
  svc: ReplayDlq;
  config: ReplayDlqConfig;
  url: string;
  env: NodeJS.ProcessEnv;
  token(role: Role, subject?: string): Promise<string>;
  /** An authenticated call as `role` (or anonymous with `null`). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON shapes
  call(method: string, path: string, role: Role | null, body?: unknown): Promise<{ status: number; body: any }>;
  /** Shuts the service down (topics and database stay until the test ends). Idempotent. */
  stop(): Promise<void>;
  /** Creates topics deleted when the test ends. */
  topics(names: string[], partitions?: number): Promise<void>;
  /** A topic created by code under test, deleted when the test ends. */
  track(name: string): void;
  /** Every message of `topic` now, decoded, in partition/offset order. */
  read(topic: string): Promise<ReadMessage[]>;
  /** Runs before the service shuts down at the end of the test (close consumers here). */
  defer(fn: () => Promise<void> | void): void;
}

export interface ReadMessage {
  partition: number;
  offset: string;
  timestamp: number;
  key: string | null;
  headers: Record<string, string>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests look into whichever event shape they produced
  payload: any;
}

export interface ServiceOptions {
  /** Reuse a database (restart tests); default: a fresh one dropped after the test. */
  database?: string;
  env?: Record<string, string>;
}

/** A replay-dlq on the real stack, listening on an ephemeral port. */
export async function startService(t: Cleanup, o: ServiceOptions = {}): Promise<RunningService> {
  const database = o.database ?? `replay_dlq_test_${randomUUID().slice(0, 8)}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ODX_SERVICE_NAME: 'replay-dlq',
    ODX_INSTANCE_ID: uniqueName('replay-dlq'),
    ODX_HTTP_PORT: '0',
    ODX_MONGO_DB: database,
    ODX_LOG_LEVEL: (process.env['ODX_TEST_LOG_LEVEL'] as string | undefined) ?? 'error',
    ODX_REPLAY_JWT_SECRET: TEST_SECRET,
    ODX_REPLAY_JOB_POLL_MS: '200',
    ODX_REPLAY_JOB_PROGRESS_MS: '300',
    ...o.env,
  };
  const config = loadReplayDlqConfig(env);
  const rt = await createServiceRuntime({ name: 'replay-dlq', env, tokens: config.auth });
  rt.logger.silent = process.env['ODX_TEST_LOG_LEVEL'] === undefined;
  const svc = startReplayDlq(rt, config);
  const url = serverUrl(await rt.listen());
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= rt.shutdown('test done'));
  const deferred: Array<() => Promise<void> | void> = [];
  const created = new Set<string>();
  t.after(async () => {
    for (const fn of deferred.reverse()) await fn();
    await stop();
    // The runtime's cluster admin is closed now; a fresh one does the cleanup (and is closed too).
    if (created.size > 0) {
      const cluster = createClusterAdmin(rt.config.kafka, rt.logger);
      await cluster.deleteTopics([...created]).catch(() => undefined);
      await cluster.close();
    }
    if (!o.database) {
      const m = new MongoClient(rt.config.mongo.url);
      await m
        .db(database)
        .dropDatabase()
        .catch(() => undefined);
      await m.close();
    }
  });
  const token = (role: Role, subject = `${role}-user`): Promise<string> => mintToken(config.auth, subject, [role]);
  return {
    rt,
    svc,
    config,
    url,
    env,
    token,
    stop,
    topics: async (names, partitions = 3) => {
      for (const n of names) created.add(n);
      await rt.cluster.ensureTopics(names.map((name) => ({ name, partitions, replicationFactor: 1, config: {} })));
    },
    track: (name) => void created.add(name),
    defer: (fn) => void deferred.push(fn),
    read: async (topic) => {
      const wm = await rt.cluster.watermarks(topic);
      const out: ReadMessage[] = [];
      await readRanges(rt.cluster, {
        ranges: [...wm].map(([partition, { low, high }]) => ({ topic, partition, from: low, to: high })),
        onBatch: async (b) => {
          for (const m of b.messages) {
            const payload = await rt.serde.decode(m.value).then(
              (d) => d.payload,
              () => null,
            );
            out.push({
              partition: b.partition,
              offset: m.offset,
              timestamp: m.timestamp,
              key: m.key?.toString('utf8') ?? null,
              headers: m.headers,
              payload,
            });
          }
        },
      });
      return out.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
    },
    call: jsonCaller(url, token),
  };
}

/** A canonical event with a fresh event id for `topic`, keyed `key`. */
export function event(topic: string, key: string, eventType: EventType = 'OrderConfirmed'): OutgoingEvent {
  const payload = { ...sampleEvent(eventType), meta: sampleMeta({ eventId: randomUUID(), correlationId: key, occurredAt: new Date() }) };
  return outgoingEvent(eventType, key, payload, { topic });
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
