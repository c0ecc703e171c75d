// The local broker enforces the catalog's ACLs: a service's own Kafka user
// writes the topics it produces and nothing else, reads with its own groups
// only, owns the retry and DLQ topics of its groups, and Kafka's own tooling
// (kafka-acls) lists the rules. Runs on a topic prefix of its own, so it
// neither sees nor changes another test's topics or rules.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  DEFAULT_GROUPS,
  catalogAcls,
  createClusterAdmin,
  createKafka,
  createLogger,
  dlqTopicName,
  loadRuntimeConfig,
  readRanges,
  retryTopicName,
  servicePrincipal,
  type ClusterAdmin,
  type KafkaSasl,
} from '@odx/runtime';
import { loadCatalog } from '@odx/schemas';
import { loadStackConfig } from '../../scripts/stack/index.js';
import { kafkaToolCommand } from '../../scripts/stack/parts/kafka.js';
import { readKafkaUsers } from '../../scripts/stack/kafka-users.js';
import { runCapture } from '../../scripts/stack/tools.js';

const usersFile = process.env['ODX_STACK_KAFKA_USERS'];
const brokers = (process.env['ODX_KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');

const quiet = createLogger({ service: 'acl-test', level: 'error' });
quiet.silent = true; // the refusals below are the point, not news
const KAFKAJS_DEBUG = 5; // kafkajs logLevel.DEBUG (only @odx/runtime imports kafkajs)

/** A client of its own (the runtime's settings, no retries) logged in as `sasl`'s user, or without SASL. */
function client(sasl: KafkaSasl | undefined, clientId: string, onLog?: (error: unknown) => void): ReturnType<typeof createKafka> {
  return createKafka({ ...loadRuntimeConfig('acl-test').kafka, brokers, clientId, sasl }, quiet, {
    connectionTimeout: 3_000,
    retry: { retries: 0 },
    ...(onLog ? { logLevel: KAFKAJS_DEBUG, logCreator: () => (entry) => onLog(entry.log['error']) } : {}),
  });
}

/** Kafka error types (e.g. TOPIC_AUTHORIZATION_FAILED) in an error kafkajs threw, its causes and aggregated errors. */
function errorTypes(err: unknown, depth = 0): string[] {
  if (typeof err !== 'object' || err === null || depth > 4) return [];
  const e = err as { type?: unknown; cause?: unknown; errors?: unknown; originalError?: unknown };
  return [
    ...(typeof e.type === 'string' ? [e.type] : []),
    ...errorTypes(e.cause, depth + 1),
    ...errorTypes(e.originalError, depth + 1),
    ...(Array.isArray(e.errors) ? e.errors.flatMap((x) => errorTypes(x, depth + 1)) : []),
  ];
}

/** What `work` failed with: its Kafka error types, else its name and message; 'no error' when it succeeded. */
async function failure(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
  } catch (err) {
    const types = errorTypes(err);
    if (types.length > 0) return [...new Set(types)].join(',');
    const e = err as { name?: string; message?: string };
    return `${e.name ?? 'Error'}: ${e.message ?? ''}`;
  }
  return 'no error';
}

test(
  'the broker holds each service to the catalog`s ACLs, and kafka-acls lists them',
  { skip: usersFile ? false : 'the stack runs Kafka without SASL users (ODX_STACK_KAFKA_SECURITY=plaintext)' },
  async (t) => {
    const users = readKafkaUsers(usersFile ?? '');
    assert.ok(users, `no users file at ${usersFile}`);
    const id = randomUUID().slice(0, 8);
    const prefix = `test.acl-${id}.`;
    const group = (service: string): string => `acl-${id}-${DEFAULT_GROUPS[service] ?? service}`;
    const catalog = loadCatalog();
    const rules = catalogAcls(catalog, { topicPrefix: prefix, groups: Object.fromEntries(catalog.services.map((s) => [s, group(s)])) });
    const orders = `${prefix}odx.orders.v1`;
    const shipments = `${prefix}odx.shipments.v1`;
    // A topic wms-bridge has no rule on (it writes every topic it reads since it publishes ReturnSuggested on orders).
    const invoices = `${prefix}odx.invoices.v1`;

    const admin: ClusterAdmin = createClusterAdmin(
      loadRuntimeConfig('acl-test').kafka,
      createLogger({ service: 'acl-test', level: 'error' }),
    );
    t.after(async () => {
      await admin.removeAcls(rules.filter((r) => r.name !== '*')).catch(() => undefined);
      const mine = (await admin.listTopics().catch(() => [])).filter((n) => n.startsWith(prefix));
      await admin.deleteTopics(mine).catch(() => undefined);
      await admin.deleteGroups([group('wms-bridge')]).catch(() => undefined);
      await admin.close();
    });
    await admin.ensureTopics([orders, shipments, invoices].map((name) => ({ name, partitions: 1, replicationFactor: 1, config: {} })));
    const added = await admin.applyAcls(rules);
    assert.ok(added > 0, 'the plan added rules for this prefix');
    assert.equal(await admin.applyAcls(rules), 0, 'applying the same plan again adds nothing');

    const wmsUser = servicePrincipal('wms-bridge');
    const wms = client({ mechanism: 'scram-sha-512', username: wmsUser, password: users.passwords[wmsUser] ?? '' }, 'acl-test-wms');
    const producer = wms.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    t.after(() => producer.disconnect());

    await t.test('a service writes the topic it produces and not one it does not', async () => {
      await producer.send({ topic: shipments, messages: [{ key: 'k', value: 'its own' }] });
      assert.equal(
        await failure(() => producer.send({ topic: invoices, messages: [{ key: 'k', value: 'not its own' }] })),
        'TOPIC_AUTHORIZATION_FAILED',
      );
    });

    await t.test('it creates the retry and DLQ topics of its own groups, not of another service`s', async () => {
      const wmsAdmin = wms.admin();
      await wmsAdmin.connect();
      try {
        const own = retryTopicName(orders, group('wms-bridge'), 1);
        // Without waiting for leaders: that wait reads the new topic's metadata, which a busy broker may not have yet
        // (kafkajs then throws UNKNOWN_TOPIC_OR_PARTITION; two CI runs failed so). The topic is polled for instead.
        await wmsAdmin.createTopics({ topics: [{ topic: own, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: false });
        const deadline = Date.now() + 30_000;
        while (!(await admin.listTopics()).includes(own) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
        assert.ok((await admin.listTopics()).includes(own), `${own} was created`);
        const theirs = dlqTopicName(orders, group('tms-bridge'));
        assert.equal(
          await failure(() => wmsAdmin.createTopics({ topics: [{ topic: theirs, numPartitions: 1, replicationFactor: 1 }] })),
          'TOPIC_AUTHORIZATION_FAILED',
        );
      } finally {
        await wmsAdmin.disconnect();
      }
    });

    await t.test('it reads with its own consumer group, and not with another service`s', async () => {
      // kafkajs turns a refused FindCoordinator into "Failed to find group coordinator" and logs the broker's error
      // at debug level only: a client of its own keeps those logs.
      const seen: string[] = [];
      const logged = client(
        { mechanism: 'scram-sha-512', username: wmsUser, password: users.passwords[wmsUser] ?? '' },
        'acl-test-wms-groups',
        (error) => void seen.push(...errorTypes(error)),
      );
      const other = logged.consumer({ groupId: group('tms-bridge') });
      await other.connect();
      const denied = await failure(async () => {
        await other.subscribe({ topics: [orders], fromBeginning: true });
        await new Promise<void>((resolve, reject) => {
          other.on(other.events.CRASH, (e) => reject((e.payload as { error: Error }).error));
          void other.run({ eachMessage: async () => undefined }).catch(reject);
          setTimeout(resolve, 15_000);
        });
      });
      await other.disconnect().catch(() => undefined);
      assert.notEqual(denied, 'no error', 'another service`s group is refused');
      assert.ok(seen.includes('GROUP_AUTHORIZATION_FAILED'), `the broker answered ${[...new Set(seen)].join(', ') || 'no error'}`);

      const adminProducer = client(loadRuntimeConfig('acl-test').kafka.sasl, 'acl-test-admin').producer();
      await adminProducer.connect();
      await adminProducer.send({ topic: orders, messages: [{ key: 'o1', value: 'an order' }] });
      await adminProducer.disconnect();
      const own = wms.consumer({ groupId: group('wms-bridge') });
      await own.connect();
      await own.subscribe({ topics: [orders], fromBeginning: true });
      const value = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no message within 30 s')), 30_000);
        void own.run({
          eachMessage: async ({ message }) => {
            clearTimeout(timer);
            resolve(message.value?.toString() ?? '');
          },
        });
      });
      await own.disconnect();
      assert.equal(value, 'an order');
    });

    await t.test('a range read under another group id is refused with an error the caller gets (the process lives on)', async () => {
      // The orchestrator's DLQ intake crashed its process this way: a refused group rejected a promise nobody awaited.
      const wmsCluster = createClusterAdmin(
        {
          ...loadRuntimeConfig('acl-test').kafka,
          sasl: { mechanism: 'scram-sha-512', username: wmsUser, password: users.passwords[wmsUser] ?? '' },
        },
        quiet,
      );
      try {
        const ranges = [{ topic: orders, partition: 0, from: 0n, to: 1n }];
        const seen: number[] = [];
        const onBatch = async (b: { messages: unknown[] }): Promise<void> => void seen.push(b.messages.length);
        const refused = await failure(() => readRanges(wmsCluster, { ranges, groupPrefix: 'odx-range-reader', onBatch }));
        assert.notEqual(refused, 'no error');
        await readRanges(wmsCluster, { ranges, groupPrefix: `${group('wms-bridge')}-reader`, onBatch });
        assert.deepEqual(seen, [1], 'under its own group id it reads the range');
      } finally {
        await wmsCluster.close();
      }
    });

    await t.test('a wrong password and a client without SASL are both turned away', async () => {
      const wrong = client({ mechanism: 'scram-sha-512', username: wmsUser, password: 'not-the-password' }, 'acl-test-wrong').producer();
      assert.match(await failure(() => wrong.connect()), /SASL|authentication/i);
      const plain = client(undefined, 'acl-test-plain').admin();
      assert.notEqual(await failure(() => plain.listTopics()), 'no error', 'a PLAINTEXT client lists nothing');
      await plain.disconnect().catch(() => undefined);
    });

    await t.test('kafka-acls (Kafka`s own tool) lists the rules of the service`s user', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'odx-acl-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const config = join(dir, 'admin.properties');
      const sasl = loadRuntimeConfig('acl-test').kafka.sasl;
      assert.ok(sasl);
      writeFileSync(
        config,
        [
          'security.protocol=SASL_PLAINTEXT',
          'sasl.mechanism=SCRAM-SHA-512',
          `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${sasl.username}" password="${sasl.password}";`,
        ].join('\n'),
        { mode: 0o600 },
      );
      const tool = kafkaToolCommand(loadStackConfig({ ...process.env, ODX_KAFKA_BROKERS: '' }));
      const out = await runCapture(tool.java, [
        ...tool.classpath,
        'org.apache.kafka.tools.AclCommand',
        '--bootstrap-server',
        brokers[0] ?? '127.0.0.1:9092',
        '--command-config',
        config,
        '--list',
        '--principal',
        `User:${wmsUser}`,
      ]);
      // kafka-acls prints one block per resource: "Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=..., patternType=...)`:".
      const blocks = new Map(
        out.split(/\n(?=Current ACLs)/).map((b) => [/name=([^,]+), patternType=(\w+)/.exec(b)?.slice(1).join(' ') ?? '', b] as const),
      );
      const write = new RegExp(`principal=User:${wmsUser}, host=\\*, operation=WRITE, permissionType=ALLOW`);
      assert.match(blocks.get(`${shipments} LITERAL`) ?? '', write, `kafka-acls shows no write on ${shipments}:\n${out.slice(0, 3000)}`);
      assert.doesNotMatch(blocks.get(`${invoices} LITERAL`) ?? '', write, 'and none on the invoices topic');
      assert.ok(blocks.has(`${orders} LITERAL`), 'it reads the orders topic (a read rule is listed)');
    });
  },
);
