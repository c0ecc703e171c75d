import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  RawConsumer,
  createServiceRuntime,
  dlqTopicName,
  retryTopicName,
  type ClusterAdmin,
  type OutgoingEvent,
  type ServiceRuntime,
} from '@odx/runtime';
import { TEST_JWT_SECRET } from '@odx/runtime/testing';
import { loadGatewayConfig, type EdiGatewayConfig } from '../../src/config.js';
import { startEdiGateway, type EdiGateway } from '../../src/gateway-service.js';
import { PARTNERS_DIR } from './x12-samples.js';
export { eventually } from '@odx/runtime/testing';

export interface Cleanup {
  after(fn: () => Promise<void> | void): void;
}

export const TOKENS = { northwind: `nw-${randomUUID()}`, globex: `gx-${randomUUID()}` };

export interface Collected {
  key: string | null;
  eventType: string;
  payload: Record<string, unknown>;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

export interface RunningGateway {
  rt: ServiceRuntime;
  gateway: EdiGateway;
  config: EdiGatewayConfig;
  url: string;
  root: string;
  topics: { orders: string; shipments: string; invoices: string; purchasing: string; documents: string };
  /** Drops a file into a partner's inbound folder the way partners should: write a temp name, rename. */
  drop(partnerId: string, name: string, content: string | Buffer): void;
  files(partnerId: string, folder: 'inbound' | 'work' | 'archive' | 'error' | 'outbound'): string[];
  read(partnerId: string, folder: 'outbound' | 'archive' | 'error', name: string): string;
  publish(events: OutgoingEvent[]): Promise<void>;
  /** Every event on `topic` so far (reads from the beginning with a fresh group). */
  collect(topic: string, atLeast: number, timeoutMs?: number): Promise<Collected[]>;
  messageCount(topic: string): Promise<number>;
}

/** A gateway on the real stack with its own topics, group, database and folder tree; removed after the test. */
export async function startGateway(
  t: Cleanup,
  env: Record<string, string> = {},
  options: { topics?: Partial<RunningGateway['topics']>; createTopics?: boolean; startAtEnd?: boolean } = {},
): Promise<RunningGateway> {
  const id = randomUUID().slice(0, 8);
  const topics = {
    orders: `test.edi.orders-${id}`,
    shipments: `test.edi.shipments-${id}`,
    invoices: `test.edi.invoices-${id}`,
    purchasing: `test.edi.purchasing-${id}`,
    documents: `test.edi.documents-${id}`,
    ...options.topics,
  };
  const group = `edi-${id}`;
  const root = mkdtempSync(join(tmpdir(), 'edi-gw-'));
  const fullEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ODX_SERVICE_NAME: 'edi-gateway',
    ODX_INSTANCE_ID: `edi-test-${id}`,
    ODX_HTTP_PORT: '0',
    ODX_MONGO_DB: `edi_test_${id}`,
    ODX_LOG_LEVEL: (process.env['ODX_TEST_LOG_LEVEL'] as string | undefined) ?? 'error',
    ODX_AUTH_JWT_SECRET: TEST_JWT_SECRET,
    EDI_PARTNERS_DIR: PARTNERS_DIR,
    EDI_FOLDER_ROOT: root,
    EDI_POLL_INTERVAL_MS: '100',
    EDI_ACK_WATCH_INTERVAL_MS: '3600000',
    EDI_TOKEN_NORTHWIND: TOKENS.northwind,
    EDI_TOKEN_GLOBEX: TOKENS.globex,
    EDI_MAX_BYTES: '200000',
    ODX_EDI_GROUP: group,
    ODX_EDI_ORDERS_TOPIC: topics.orders,
    ODX_EDI_SHIPMENTS_TOPIC: topics.shipments,
    ODX_EDI_INVOICES_TOPIC: topics.invoices,
    ODX_EDI_PURCHASING_TOPIC: topics.purchasing,
    ODX_EDI_DOCUMENTS_TOPIC: topics.documents,
    ODX_EDI_RETRY_DELAYS_MS: '500',
    ODX_EDI_PROVISION_TOPICS: 'false',
    ...env,
  };
  const rt = await createServiceRuntime({ name: 'edi-gateway', env: fullEnv });
  rt.logger.silent = process.env['ODX_TEST_LOG_LEVEL'] === undefined;
  const own = Object.values(topics).filter((name) => name.startsWith('test.'));
  if (options.createTopics !== false)
    await rt.cluster.ensureTopics(own.map((name) => ({ name, partitions: 3, replicationFactor: 1, config: {} })));
  const config = loadGatewayConfig(fullEnv);
  const consumed = [...new Set([topics.orders, topics.shipments, topics.invoices, topics.purchasing])];
  const created = [
    ...own,
    ...consumed.flatMap((topic) => [
      ...config.outbound.retryDelaysMs.map((_, i) => retryTopicName(topic, group, i + 1)),
      dlqTopicName(topic, group),
    ]),
  ];
  if (options.startAtEnd) {
    // Shared topics (the round trip uses the real odx.orders.v1): they exist (a fresh stack has none yet), and their history is skipped.
    await rt.cluster.provisionCatalogTopics();
    await skipHistory(
      rt.cluster,
      group,
      consumed.filter((topic) => !topic.startsWith('test.')),
    );
  }
  const consumers: RawConsumer[] = [];
  let gateway: EdiGateway | undefined;
  t.after(async () => {
    for (const c of consumers) await c.close().catch(() => undefined);
    await gateway?.watcher?.stop();
    await gateway?.consumer?.close();
    await rt.cluster.deleteTopics(created).catch(() => undefined);
    // The group too: on the real topics a leftover group would show up as lagging forever.
    await rt.cluster.deleteGroups([group]).catch(() => undefined);
    await rt.db.dropDatabase().catch(() => undefined);
    await rt.shutdown('test done');
    rmSync(root, { recursive: true, force: true });
  });
  gateway = await startEdiGateway(rt, config);
  const server = await rt.listen();
  const addr = server.address();
  const url = typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}` : String(addr);
  const dir = (partnerId: string, folder: string): string => join(root, partnerId, folder);
  return {
    rt,
    gateway,
    config,
    url,
    root,
    topics,
    drop: (partnerId, name, content) => {
      const tmp = join(dir(partnerId, 'inbound'), `.${name}.tmp`);
      writeFileSync(tmp, content);
      renameSync(tmp, join(dir(partnerId, 'inbound'), name));
    },
    files: (partnerId, folder) =>
      readdirSync(dir(partnerId, folder))
        .filter((f) => !f.startsWith('.'))
        .sort(),
    read: (partnerId, folder, name) => readFileSync(join(dir(partnerId, folder), name), 'utf8'),
    publish: async (events) => void (await rt.producer.publish(events)),
    collect: async (topic, atLeast, timeoutMs = 20_000) => {
      const out: Collected[] = [];
      const consumer = new RawConsumer(rt.cluster, {
        groupId: `edi-reader-${randomUUID().slice(0, 8)}`,
        topics: [topic],
        maxWaitMs: 100,
        onBatch: async ({ messages }) => {
          for (const m of messages) {
            const decoded = await rt.serde.decode<Record<string, unknown>>(m.value);
            out.push({
              key: m.key?.toString() ?? null,
              eventType: decoded.eventType,
              payload: decoded.payload,
              headers: m.headers,
              partition: m.partition,
              offset: m.offset,
            });
          }
        },
      });
      consumers.push(consumer);
      await consumer.start();
      const deadline = Date.now() + timeoutMs;
      while (out.length < atLeast && Date.now() < deadline) await sleep(100);
      await consumer.close();
      return out;
    },
    messageCount: async (topic) => [...(await rt.cluster.watermarks(topic)).values()].reduce((n, o) => n + Number(o.high), 0),
  };
}

/**
 * Commits `groupId`'s offsets at the end of `topics`, so the group starts with
 * what comes next (for shared topics with history).
 */
export async function skipHistory(cluster: ClusterAdmin, groupId: string, topics: string[]): Promise<void> {
  if (topics.length === 0) return;
  const ends = await Promise.all(topics.map(async (topic) => ({ topic, offsets: await cluster.watermarks(topic) })));
  await cluster.setGroupOffsets(
    groupId,
    ends.flatMap(({ topic, offsets }) => [...offsets].map(([partition, { high }]) => ({ topic, partition, offset: high }))),
  );
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
