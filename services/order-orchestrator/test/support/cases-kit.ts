// The exception desk on the real stack (Kafka, registry, FerretDB): a runtime
// with the bearer-token check, a fresh database and a topic prefix of its own,
// the desk wired as the orchestrator wires it, and the commands it sends kept
// for the test to read (the process is another helper's).
import { randomBytes, randomUUID } from 'node:crypto';
import { createServiceRuntime, mintToken, readRanges, type Role, type ServiceRuntime, type TokenSettings } from '@odx/runtime';
import { jsonCaller, removeFromStack, serverUrl } from '@odx/runtime/testing';
import type { ProcessCommandRequest } from '../../src/cases/case-desk.js';
import { loadExceptionDeskSettings, type ExceptionDeskSettings } from '../../src/cases/desk-settings.js';
import { startExceptionDesk, type ExceptionDesk } from '../../src/cases/start-exception-desk.js';

export interface Cleanup {
  after(fn: () => Promise<void> | void): void;
}

export interface DecodedRecord {
  partition: number;
  offset: string;
  key: string | null;
  eventType: string | null;
  payload: unknown;
}

export interface CasesKit {
  rt: ServiceRuntime;
  desk: ExceptionDesk;
  settings: ExceptionDeskSettings;
  url: string;
  /** ODX_TOPIC_PREFIX of this test: its topics are `<prefix><catalog name>`. */
  prefix: string;
  commands: ProcessCommandRequest[];
  /** A bearer token the desk accepts, for `role`. */
  token(role: Role): Promise<string>;
  /** An authenticated call as `role` (anonymous with null); a string body is sent as it is. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON shapes
  call(method: string, path: string, role: Role | null, body?: unknown): Promise<{ status: number; type: string; body: any }>;
  /** Creates topics deleted when the test ends. */
  topics(names: string[], partitions?: number): Promise<void>;
  /** Every record of `topic` now, decoded where possible, in partition/offset order. */
  read(topic: string): Promise<DecodedRecord[]>;
}

const secret = randomBytes(32).toString('hex');

/** Settings for tests: no loops (tests call scan and dlq.scan), escalation after `afterMs`. */
export function testSettings(env: NodeJS.ProcessEnv, afterMs = 60_000): ExceptionDeskSettings {
  const base = loadExceptionDeskSettings(env);
  return {
    ...base,
    escalation: { afterMs: { critical: afterMs, high: afterMs * 2, medium: afterMs * 4, low: afterMs * 8 }, maxLevel: 2, escalateTo: null },
    scanMs: 3_600_000,
    dlqScanMs: 3_600_000,
  };
}

export async function startCasesKit(t: Cleanup, o: { afterMs?: number; failCommands?: boolean } = {}): Promise<CasesKit> {
  const database = `orchestrator_cases_test_${randomUUID().slice(0, 8)}`;
  const prefix = `t${randomUUID().slice(0, 8)}.`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ODX_SERVICE_NAME: 'order-orchestrator',
    ODX_INSTANCE_ID: `cases-test-${randomUUID().slice(0, 8)}`,
    ODX_HTTP_PORT: '0',
    ODX_MONGO_DB: database,
    ODX_TOPIC_PREFIX: prefix,
    ODX_LOG_LEVEL: process.env['ODX_TEST_LOG_LEVEL'] ?? 'error',
  };
  const auth: TokenSettings = { secret, issuer: 'odx', audience: 'odx-order-orchestrator' };
  const rt = await createServiceRuntime({ name: 'order-orchestrator', env, tokens: auth });
  rt.logger.silent = process.env['ODX_TEST_LOG_LEVEL'] === undefined;
  const created = new Set<string>();
  const topics = async (names: string[], partitions = 3): Promise<void> => {
    for (const n of names) created.add(n);
    await rt.cluster.ensureTopics(names.map((name) => ({ name, partitions, replicationFactor: 1, config: {} })));
  };
  const settings = testSettings(env, o.afterMs);
  await topics([settings.topics.cases]);
  const commands: ProcessCommandRequest[] = [];
  const desk = await startExceptionDesk(rt, settings, {
    commands: {
      send: async (c) => {
        if (o.failCommands) throw new Error('inbox unavailable');
        commands.push(c);
      },
    },
  });
  const url = serverUrl(await rt.listen());
  t.after(async () => {
    await rt.shutdown('test done');
    await removeFromStack({ kafka: rt.config.kafka, mongoUrl: rt.config.mongo.url, logger: rt.logger, topics: [...created], database });
  });
  return {
    rt,
    desk,
    settings,
    url,
    prefix,
    commands,
    topics,
    token: (role) => mintToken(auth, `${role}-user`, [role]),
    call: jsonCaller(url, (role) => mintToken(auth, `${role}-user`, [role])),
    read: async (topic) => {
      const wm = await rt.cluster.watermarks(topic);
      const out: DecodedRecord[] = [];
      await readRanges(rt.cluster, {
        ranges: [...wm].map(([partition, { low, high }]) => ({ topic, partition, from: low, to: high })),
        onBatch: async (b) => {
          for (const m of b.messages) {
            const d = await rt.serde.decode(m.value).catch(() => null);
            out.push({
              partition: b.partition,
              offset: m.offset,
              key: m.key?.toString('utf8') ?? null,
              eventType: d?.eventType ?? null,
              payload: d?.payload ?? null,
            });
          }
        },
      });
      return out.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
    },
  };
}
