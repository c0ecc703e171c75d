import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConsumerRunner, RawOutgoingMessage } from '@odx/runtime';
import { event, startService, uniqueName, waitFor } from '../support/service-kit.js';

const enc = encodeURIComponent;

test('group reset: described, planned, refused while active, applied to a datetime, and the consumer re-reads from there', async (t) => {
  const s = await startService(t);
  const topic = uniqueName('test.grp.src');
  const group = uniqueName('grp');
  await s.topics([topic]);
  const t0 = Date.now() - 600_000;
  const ids: string[] = [];
  const out: RawOutgoingMessage[] = [];
  for (let i = 0; i < 30; i++) {
    const e = event(topic, `K-${i}`);
    ids.push(e.payload.meta.eventId);
    out.push({
      topic,
      key: e.key,
      value: (await s.rt.serde.encode(topic, e.eventType, e.payload)).value,
      headers: { ce_id: e.payload.meta.eventId },
      timestamp: String(t0 + i * 1_000),
    });
  }
  await s.rt.producer.publishRaw(out);

  const runners: ConsumerRunner[] = [];
  s.defer(async () => {
    for (const r of runners) await r.close();
  });
  const seen: string[] = [];
  const consume = async (): Promise<ConsumerRunner> => {
    const r = s.rt.consumer({
      groupId: group,
      topics: [topic],
      idempotency: false,
      provisionTopics: false,
      retryDelaysMs: [],
      handler: async (e) => void seen.push(e.eventId),
    });
    runners.push(r);
    await r.start();
    return r;
  };
  let runner = await consume();
  await waitFor('first pass', async () => seen.length === 30, 60_000);

  const active = await s.call('GET', `/groups/${enc(group)}`, 'viewer');
  assert.equal(active.status, 200);
  assert.equal(active.body.members.length, 1);
  assert.deepEqual(active.body.members[0].assignment[topic].sort(), [0, 1, 2]);

  const strategy = { toDatetime: new Date(t0 + 20_000).toISOString() };
  const refusedPlan = await s.call('POST', `/groups/${enc(group)}/reset`, 'operator', { topic, strategy });
  assert.equal(refusedPlan.status, 200);
  assert.match(refusedPlan.body.refused, /active member/);
  const refused = await s.call('POST', `/groups/${enc(group)}/reset`, 'operator', { topic, strategy, execute: true });
  assert.equal(refused.status, 409);
  await runner.close();

  const described = await waitFor(
    'group empty',
    async () => {
      const d = await s.call('GET', `/groups/${enc(group)}`, 'viewer');
      return d.body.state === 'Empty' && d.body.topics[0]?.lag === 0 ? d.body : undefined;
    },
    30_000,
  );
  const ends = await s.rt.cluster.watermarks(topic);
  for (const p of described.topics[0].partitions) {
    assert.equal(p.committed, ends.get(p.partition)!.high.toString());
    assert.equal(p.lag, 0);
  }
  const committedBefore = await s.rt.cluster.committedOffsets(group, [topic]);

  const plan = await s.call('POST', `/groups/${enc(group)}/reset`, 'operator', { topic, strategy });
  assert.equal(plan.body.dryRun, true);
  const expected = await s.rt.cluster.offsetsAtTime(topic, t0 + 20_000);
  assert.deepEqual(
    plan.body.plan.map((p: { partition: number; target: string }) => [p.partition, p.target]),
    [...expected].map(([partition, offset]) => [partition, offset.toString()]),
  );
  assert.deepEqual(await s.rt.cluster.committedOffsets(group, [topic]), committedBefore, 'the dry run changed offsets');
  const shift = await s.call('POST', `/groups/${enc(group)}/reset`, 'operator', { topic, partitions: [0], strategy: { shiftBy: -2 } });
  assert.equal(shift.body.plan.length, 1);
  assert.equal(shift.body.plan[0].target, String(committedBefore[0]!.partitions.find((p) => p.partition === 0)!.offset! - 2n));

  const applied = await s.call('POST', `/groups/${enc(group)}/reset`, 'operator', { topic, strategy, execute: true });
  assert.equal(applied.status, 200, JSON.stringify(applied.body));
  const committed = (await s.rt.cluster.committedOffsets(group, [topic]))[0]!.partitions;
  for (const [partition, offset] of expected) assert.equal(committed.find((c) => c.partition === partition)!.offset, offset);

  seen.length = 0;
  runner = await consume();
  await waitFor('re-read', async () => seen.length === 10, 60_000);
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual([...seen].sort(), ids.slice(20).sort());

  const audit = await s.call('GET', `/audit?action=groups.reset&target=${enc(group)}`, 'viewer');
  assert.equal(audit.body.entries.length, 1);

  // Offsets left behind for a deleted topic are shown as such (and do not hang the call).
  await runner.close();
  const gone = uniqueName('test.grp.gone');
  await s.rt.cluster.ensureTopics([{ name: gone, partitions: 1, replicationFactor: 1, config: {} }]);
  await s.rt.cluster.setGroupOffsets(group, [{ topic: gone, partition: 0, offset: 0n }]);
  await s.rt.cluster.deleteTopics([gone]);
  const withGone = await s.call('GET', `/groups/${enc(group)}`, 'viewer');
  assert.equal(withGone.status, 200);
  // Kafka drops a deleted topic's committed offsets asynchronously: while they last they are shown as deleted.
  const goneEntry = withGone.body.topics.find((x: { topic: string }) => x.topic === gone);
  if (goneEntry !== undefined) assert.deepEqual(goneEntry, { topic: gone, deleted: true, lag: 0, partitions: [] });

  const bad: Array<[string, string, unknown, number]> = [
    ['GET', `/groups/${enc('bad group!')}`, undefined, 400],
    ['GET', `/groups/${enc(uniqueName('nobody'))}`, undefined, 404],
    ['GET', `/groups/${enc(group)}?topic=${enc('no.such.topic.x')}`, undefined, 404],
    ['POST', `/groups/${enc(group)}/reset`, { topic, strategy: { toEarliest: true, toLatest: true } }, 400],
    ['POST', `/groups/${enc(group)}/reset`, { topic, strategy: {} }, 400],
    ['POST', `/groups/${enc(group)}/reset`, { topic, strategy: { toOffset: -5 } }, 400],
    ['POST', `/groups/${enc(group)}/reset`, { topic, strategy: { toDatetime: 'last tuesday' } }, 400],
    ['POST', `/groups/${enc(group)}/reset`, { topic, partitions: [7], strategy: { toEarliest: true } }, 400],
    ['POST', `/groups/${enc(group)}/reset`, { topic: 'no.such.topic.x', strategy: { toEarliest: true } }, 404],
  ];
  for (const [method, path, body, status] of bad) {
    const r = await s.call(method, path, 'operator', body);
    assert.equal(r.status, status, `${method} ${path} ${JSON.stringify(body)} -> ${r.status} ${JSON.stringify(r.body)}`);
  }
});
