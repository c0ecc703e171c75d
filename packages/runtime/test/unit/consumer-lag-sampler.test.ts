// The consumer lag gauge from committed offsets, for the partitions this member
// holds: over a stand-in admin (the two calls the sampler makes) and a real
// prom-client gauge.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Gauge, Registry } from 'prom-client';
import type { ClusterAdmin, GroupTopicOffsets, Watermarks } from '../../src/kafka/index.js';
import { LagSampler, partitionLag } from '../../src/kafka/consumer/lag-sampler.js';
import { createLogger } from '../../src/logging/index.js';

const logger = createLogger({ service: 'test' });
logger.silent = true;

function world() {
  const registry = new Registry();
  const gauge = new Gauge({ name: 'odx_consumer_lag', help: 'lag', labelNames: ['topic', 'partition', 'group'], registers: [registry] });
  const state = {
    committed: new Map<string, bigint | null>([
      ['t/0', 5n],
      ['t/1', null],
    ]),
    marks: new Map<number, Watermarks>([
      [0, { low: 0n, high: 12n }],
      [1, { low: 3n, high: 10n }],
    ]),
    closed: 0,
    failNext: false,
  };
  const admin = {
    committedOffsets: async (_group: string, topics: string[] = []): Promise<GroupTopicOffsets[]> => {
      if (state.failNext) {
        state.failNext = false;
        throw new Error('coordinator not available');
      }
      return topics.map((topic) => ({
        topic,
        partitions: [0, 1].map((partition) => ({ partition, offset: state.committed.get(`${topic}/${partition}`) ?? null })),
      }));
    },
    watermarks: async () => state.marks,
    close: async () => void state.closed++,
  } as unknown as ClusterAdmin; // only the calls the sampler makes
  const sampler = new LagSampler({ groupId: 'g', gauge, admin: () => admin, logger, everyMs: 60_000 });
  const values = async (): Promise<Record<string, number>> =>
    Object.fromEntries((await gauge.get()).values.map((v) => [`${v.labels['topic']}/${v.labels['partition']}`, v.value]));
  return { sampler, state, values };
}

test('lag is the high watermark minus the committed offset; with no commit (or one below the log start) it counts from the start', () => {
  assert.equal(partitionLag({ low: 0n, high: 12n }, 5n), 7);
  assert.equal(partitionLag({ low: 3n, high: 10n }, null), 7);
  assert.equal(partitionLag({ low: 3n, high: 10n }, 1n), 7, 'records below the low watermark are gone');
  assert.equal(partitionLag({ low: 0n, high: 10n }, 10n), 0);
  assert.equal(partitionLag({ low: 0n, high: 10n }, 12n), 0, 'never negative');
});

test('only the partitions this member holds are reported, and one that moved away is removed, not left stale', async () => {
  const { sampler, state, values } = world();
  await sampler.sample();
  assert.deepEqual(await values(), {}, 'nothing before the first join');
  sampler.assign({ t: [0, 1], other: [] });
  await sampler.sample();
  assert.deepEqual(await values(), { 't/0': 7, 't/1': 7 });

  state.committed.set('t/0', 12n);
  sampler.assign({ t: [0] });
  await sampler.sample();
  assert.deepEqual(await values(), { 't/0': 0 }, 'partition 1 went to another member');

  // A failed sample keeps the last values (and is only logged).
  state.failNext = true;
  state.committed.set('t/0', 2n);
  await sampler.sample();
  assert.deepEqual(await values(), { 't/0': 0 });
  await sampler.sample();
  assert.deepEqual(await values(), { 't/0': 10 });

  await sampler.stop();
  assert.deepEqual(await values(), {}, 'a member that left reports nothing');
  assert.equal(state.closed, 1, 'its admin is closed');
});
