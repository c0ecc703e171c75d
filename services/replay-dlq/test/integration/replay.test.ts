import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { RawOutgoingMessage } from '@odx/runtime';
import { REPLAY_HEADERS } from '../../src/replay/replay-worker.js';
import { event, startService, uniqueName, waitFor, type RunningService } from '../support/service-kit.js';

/** Produces `n` events with explicit timestamps `t0 + i * stepMs`; returns their ids in order. */
async function produceTimed(
  s: RunningService,
  topic: string,
  n: number,
  t0: number,
  stepMs: number,
  key = (i: number) => `K-${i % 7}`,
): Promise<string[]> {
  const ids: string[] = [];
  const out: RawOutgoingMessage[] = [];
  for (let i = 0; i < n; i++) {
    const e = event(topic, key(i));
    const { value } = await s.rt.serde.encode(topic, e.eventType, e.payload);
    ids.push(e.payload.meta.eventId);
    out.push({
      topic,
      key: e.key,
      value,
      headers: { ce_id: e.payload.meta.eventId, ce_type: 'com.odx.events.OrderConfirmed', ce_specversion: '1.0' },
      timestamp: String(t0 + i * stepMs),
    });
  }
  for (let i = 0; i < out.length; i += 1000) await s.rt.producer.publishRaw(out.slice(i, i + 1000));
  return ids;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the job JSON, read field by field by the tests
async function waitForJob(s: RunningService, id: string, status = 'completed', timeoutMs = 60_000): Promise<any> {
  return waitFor(
    `job ${id} ${status}`,
    async () => {
      const r = await s.call('GET', `/replays/${id}`, 'viewer');
      if (r.body.status === 'failed') throw new Error(`job failed: ${r.body.error}`);
      return r.body.status === status ? r.body : undefined;
    },
    timeoutMs,
    200,
  );
}

test('a replay by time window republishes exactly the messages inside the window, keeping key and event id', async (t) => {
  const s = await startService(t);
  const source = uniqueName('test.rpl.src');
  const target = uniqueName('test.rpl.dst');
  await s.topics([source, target]);
  const t0 = Date.now() - 3_600_000;
  const ids = await produceTimed(s, source, 30, t0, 1_000);

  const req = { sourceTopic: source, targetTopic: target, fromTime: new Date(t0 + 10_000).toISOString(), toTime: t0 + 20_000 };
  const dry = await s.call('POST', '/replays', 'operator', req);
  assert.equal(dry.status, 200);
  assert.equal(dry.body.dryRun, true);
  assert.equal(dry.body.job.total, 10);
  assert.equal((await s.call('GET', '/replays', 'viewer')).body.jobs.length, 0, 'a dry run stored a job');

  const started = await s.call('POST', '/replays', 'operator', { ...req, execute: true });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  const job = await waitForJob(s, started.body.job._id);
  assert.equal(job.published, 10);
  const copies = await s.read(target);
  assert.deepEqual(copies.map((c) => c.headers['ce_id']).sort(), ids.slice(10, 20).sort());
  for (const c of copies) {
    assert.equal(c.headers[REPLAY_HEADERS.job], job._id);
    assert.equal(c.key, c.payload.meta.correlationId);
  }

  // Filtered by key over explicit offset ranges.
  const byKey = await s.call('POST', '/replays', 'operator', {
    sourceTopic: source,
    targetTopic: target,
    keys: ['K-3'],
    eventTypes: ['OrderConfirmed'],
    ranges: [0, 1, 2].map((partition) => ({ partition, from: 0 })),
    execute: true,
  });
  const done = await waitForJob(s, byKey.body.job._id);
  const k3 = ids.filter((_, i) => i % 7 === 3);
  assert.equal(done.published, k3.length);
  assert.equal(done.skipped, 30 - k3.length);
  const none = await s.call('POST', '/replays', 'operator', {
    sourceTopic: source,
    targetTopic: target,
    eventTypes: ['ShipmentPacked'],
    execute: true,
  });
  assert.equal((await waitForJob(s, none.body.job._id)).published, 0);
  assert.equal((await s.read(target)).length, 10 + k3.length);

  const audit = await s.call('GET', '/audit?action=replay.start', 'viewer');
  assert.equal(audit.body.entries.length, 3);

  const bad: Array<[unknown, number]> = [
    [{ sourceTopic: source, targetTopic: source, execute: true }, 400],
    [{ sourceTopic: source, targetTopic: 'test.rpl.missing-topic', execute: true }, 404],
    [{ sourceTopic: 'bad topic!', targetTopic: target }, 400],
    [{ sourceTopic: source, targetTopic: target, ranges: [{ partition: 42, from: 0 }] }, 400],
    [{ sourceTopic: source, targetTopic: target, ranges: [{ partition: 0, from: 5, to: 2 }] }, 400],
    [{ sourceTopic: source, targetTopic: target, ranges: [{ partition: 0, from: 0 }], fromTime: t0 }, 400],
    [{ sourceTopic: source, targetTopic: target, fromTime: t0 + 5, toTime: t0 }, 400],
    [{ sourceTopic: source, targetTopic: target, ratePerSec: 0 }, 400],
    [{ sourceTopic: source, targetTopic: target, keys: [] }, 400],
    ['[1,2', 400],
  ];
  for (const [body, status] of bad) {
    const r = await s.call('POST', '/replays', 'operator', body);
    assert.equal(r.status, status, `${JSON.stringify(body)} -> ${r.status} ${JSON.stringify(r.body)}`);
  }
  assert.equal((await s.call('GET', '/replays/not-a-uuid', 'viewer')).status, 400);
  assert.equal((await s.call('GET', `/replays/${randomUUID()}`, 'viewer')).status, 404);
  assert.equal((await s.call('POST', `/replays/${done._id}/cancel`, 'operator')).status, 409);
});

test('a replay job survives a restart of the service and finishes; a cancelled one stops', async (t) => {
  const first = await startService(t);
  const database = first.env['ODX_MONGO_DB']!;
  const source = uniqueName('test.rpl.src');
  const target = uniqueName('test.rpl.dst');
  await first.topics([source, target]);
  const ids = await produceTimed(first, source, 600, Date.now() - 60_000, 10);

  const started = await first.call('POST', '/replays', 'operator', {
    sourceTopic: source,
    targetTopic: target,
    ratePerSec: 150,
    execute: true,
  });
  const id = started.body.job._id as string;
  await waitFor(
    'some progress',
    async () => ((await first.call('GET', `/replays/${id}`, 'viewer')).body.published >= 100 ? true : undefined),
    30_000,
    100,
  );
  await first.stop();

  const second = await startService(t, { database });
  const paused = await second.svc.jobs.get(id);
  assert.equal(paused!.status, 'running');
  assert.ok(paused!.published < 600, `the job finished before the restart (${paused!.published})`);
  const job = await waitForJob(second, id, 'completed', 60_000);
  assert.equal(job.runs, 2);
  const copies = await second.read(target);
  assert.deepEqual([...new Set(copies.map((c) => c.headers['ce_id']))].sort(), [...ids].sort());
  // A graceful stop saved the exact position: nothing was published twice.
  assert.equal(copies.length, 600);

  // Cancel: the job stops where it is.
  const slow = await second.call('POST', '/replays', 'operator', {
    sourceTopic: source,
    targetTopic: target,
    ratePerSec: 50,
    execute: true,
  });
  const slowId = slow.body.job._id as string;
  await waitFor(
    'slow job started',
    async () => ((await second.call('GET', `/replays/${slowId}`, 'viewer')).body.published > 0 ? true : undefined),
    30_000,
    100,
  );
  const cancelled = await second.call('POST', `/replays/${slowId}/cancel`, 'operator');
  assert.equal(cancelled.status, 200);
  assert.equal(cancelled.body.status, 'cancelled');
  await new Promise((r) => setTimeout(r, 1_000));
  const before = (await second.read(target)).length;
  await new Promise((r) => setTimeout(r, 1_000));
  assert.equal((await second.read(target)).length, before, 'a cancelled job kept publishing');
  assert.ok(before < copies.length + 600);
  assert.equal((await second.call('POST', `/replays/${slowId}/cancel`, 'operator')).status, 409);
  const audit = await second.call('GET', '/audit?action=replay.cancel', 'viewer');
  assert.equal(audit.body.entries.length, 1);
});
