// The launcher's Kafka cluster size: one node by default, three with `up --brokers 3` (ODX_STACK_KAFKA_NODES),
// kept with the data so later commands need no flag; "kafka" selects the whole cluster.
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadStackConfig, partsOf, selectParts } from '../../scripts/stack/config.js';
import { StackError } from '../../scripts/stack/errors.js';

function home(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'odx-stack-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('one node by default: the parts and the ports are those of a single broker', (t) => {
  const config = loadStackConfig({ ODX_HOME: home(t) });
  assert.equal(config.kafkaNodes, 1);
  assert.deepEqual(partsOf(config), ['kafka', 'registry', 'mongo']);
  assert.deepEqual(config.ports.kafkaNodes, [{ client: 9092, controller: 9093 }]);
  assert.deepEqual(selectParts(config, ['kafka']), ['kafka']);
  assert.deepEqual(selectParts(config, ['kafka-2', 'mongo']), ['mongo'], 'a node the cluster does not have is not selected');
});

test('three nodes: kafka-2 and kafka-3 join, two ports further each, and "kafka" selects the whole cluster', (t) => {
  const config = loadStackConfig({ ODX_HOME: home(t), ODX_STACK_KAFKA_NODES: '3' });
  assert.equal(config.kafkaNodes, 3);
  assert.deepEqual(partsOf(config), ['kafka', 'kafka-2', 'kafka-3', 'registry', 'mongo']);
  assert.deepEqual(config.ports.kafkaNodes, [
    { client: 9092, controller: 9093 },
    { client: 9094, controller: 9095 },
    { client: 9096, controller: 9097 },
  ]);
  assert.deepEqual(selectParts(config, ['kafka']), ['kafka', 'kafka-2', 'kafka-3']);
  assert.deepEqual(selectParts(config, ['kafka-3']), ['kafka-3']);
  assert.deepEqual(selectParts(config, undefined), partsOf(config));
});

test("each node's ports can be set; two parts on one port are refused", (t) => {
  const config = loadStackConfig({
    ODX_HOME: home(t),
    ODX_STACK_KAFKA_NODES: '3',
    ODX_STACK_KAFKA_PORT: '19092',
    ODX_STACK_KAFKA_CONTROLLER_PORT: '19093',
    ODX_STACK_KAFKA_3_PORT: '29096',
  });
  assert.deepEqual(config.ports.kafkaNodes, [
    { client: 19092, controller: 19093 },
    { client: 19094, controller: 19095 },
    { client: 29096, controller: 19097 },
  ]);
  assert.throws(
    () => loadStackConfig({ ODX_HOME: home(t), ODX_STACK_KAFKA_NODES: '3', ODX_STACK_KAFKA_2_PORT: '8081' }),
    (err: unknown) => err instanceof StackError && /ports of registry and kafka node 2 are both 8081/.test(err.message),
  );
});

test('a size other than 1 or 3 is refused with the allowed values', (t) => {
  for (const bad of ['2', '0', 'three', '-1'])
    assert.throws(
      () => loadStackConfig({ ODX_HOME: home(t), ODX_STACK_KAFKA_NODES: bad }),
      (err: unknown) => err instanceof StackError && err.message.includes(`must be one of 1, 3, got "${bad}"`),
      bad,
    );
});

test('the size the data was formatted with is kept: later commands read it without the flag', (t) => {
  const dir = home(t);
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'data', 'kafka-cluster.json'), JSON.stringify({ nodes: 3, clusterId: 'AAAAAAAAAAAAAAAAAAAAAA' }));
  assert.equal(loadStackConfig({ ODX_HOME: dir }).kafkaNodes, 3);
  assert.equal(
    loadStackConfig({ ODX_HOME: dir, ODX_STACK_KAFKA_NODES: '1' }).kafkaNodes,
    1,
    'the flag wins (prepare then refuses the mismatch)',
  );
  writeFileSync(join(dir, 'data', 'kafka-cluster.json'), '{"nodes":"x"}');
  assert.throws(() => loadStackConfig({ ODX_HOME: dir }), /kafka-cluster.json is damaged/);
});

test('with Kafka elsewhere (ODX_KAFKA_BROKERS) the launcher runs no node of its own: one part, probed', (t) => {
  const config = loadStackConfig({ ODX_HOME: home(t), ODX_STACK_KAFKA_NODES: '3', ODX_KAFKA_BROKERS: 'k1:9092,k2:9092' });
  assert.equal(config.kafkaNodes, 1);
  assert.deepEqual(partsOf(config), ['kafka', 'registry', 'mongo']);
});
