// The catch-up runner's mechanics over a change feed (a list of records kept
// in the test, standing in for a remote API; the bridges' tests run it against
// the WMS and TMS simulators), with its cursor in the real MongoDB.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { MongoClient } from 'mongodb';
import { Registry } from 'prom-client';
import {
  CatchUpBusyError,
  CatchUpRunner,
  ChangeCursorStore,
  compileCatchUpOptions,
  type ChangeFeed,
  type ChangePage,
} from '../../src/catchup/index.js';
import { loadRuntimeConfig } from '../../src/config/index.js';
import { uniqueName } from '../../src/testing/index.js';
import { testLogger } from '../support/test-kit.js';

interface Rec {
  id: string;
  updatedAt: string;
}

/** A feed over `records` with the simulators' semantics: updatedSince, (updatedAt, id) order, keyset page tokens. */
class ListFeed implements ChangeFeed<Rec> {
  readonly handled: string[] = [];
  readonly queries: Array<{ updatedSince: string; pageToken: string | null }> = [];
  failOn: string | null = null;

  constructor(readonly records: Rec[]) {}

  async list(q: { updatedSince: Date; limit: number; pageToken: string | null }): Promise<ChangePage<Rec>> {
    this.queries.push({ updatedSince: q.updatedSince.toISOString(), pageToken: q.pageToken });
    const key = (r: Rec): string => `${r.updatedAt}|${r.id}`;
    const matching = this.records
      .filter((r) => Date.parse(r.updatedAt) >= q.updatedSince.getTime() && (q.pageToken === null || key(r) > q.pageToken))
      .sort((a, b) => (key(a) < key(b) ? -1 : 1));
    const items = matching.slice(0, q.limit);
    return { items, nextPageToken: matching.length > items.length ? key(items[items.length - 1]!) : null };
  }

  positionOf(r: Rec): { updatedAt: string; id: string } {
    return { updatedAt: r.updatedAt, id: r.id };
  }

  async catchUp(r: Rec): Promise<number> {
    if (r.id === this.failOn) throw new Error(`cannot publish ${r.id}`);
    this.handled.push(r.id);
    return 1;
  }
}

async function setup(t: TestContext, records: Rec[], options: Parameters<typeof compileCatchUpOptions>[0] = {}) {
  const mongo = new MongoClient(loadRuntimeConfig('odx-test').mongo.url, { serverSelectionTimeoutMS: 5_000 });
  await mongo.connect();
  const db = mongo.db(uniqueName('odx_catchup').replace(/-/g, '_'));
  t.after(async () => {
    await db.dropDatabase().catch(() => undefined);
    await mongo.close();
  });
  const registry = new Registry();
  const feed = new ListFeed(records);
  const cursors = new ChangeCursorStore(db);
  const make = () =>
    new CatchUpRunner({
      feed: 'test-feed',
      cursorId: 'test:feed',
      source: feed,
      cursors,
      logger: testLogger(),
      registry,
      options: compileCatchUpOptions({ pageSize: 2, overlapMs: 1_000, initialLookbackMs: 3_600_000, ...options }),
    });
  return { feed, cursors, registry, make };
}

const at = (secondsAgo: number): string => new Date(Date.now() - secondsAgo * 1000).toISOString();

test('a run pages through the feed, moves the cursor page by page, and the next run starts at the cursor minus the overlap', async (t) => {
  const records = [
    { id: 'a', updatedAt: at(50) },
    { id: 'b', updatedAt: at(40) },
    { id: 'c', updatedAt: at(30) },
    { id: 'd', updatedAt: at(20) },
    { id: 'e', updatedAt: at(10) },
  ];
  const { feed, cursors, registry, make } = await setup(t, records);
  const runner = make();
  const report = await runner.run('request');
  assert.deepEqual([report.pages, report.records, report.eventsPublished, report.complete], [3, 5, 5, true]);
  assert.deepEqual(feed.handled, ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(await cursors.load('test:feed'), { updatedAt: records[4]!.updatedAt, id: 'e' });
  assert.ok(Math.abs(Date.parse(report.updatedSince) - (Date.now() - 3_600_000)) < 60_000, 'the first run reads the initial lookback');

  // A new process: the cursor comes from MongoDB; the overlap re-reads the last second.
  feed.handled.length = 0;
  records.push({ id: 'f', updatedAt: at(0) });
  const again = await make().run('schedule');
  assert.equal(again.updatedSince, new Date(Date.parse(records[4]!.updatedAt) - 1_000).toISOString());
  assert.deepEqual(feed.handled, ['e', 'f'], 'the overlap and the new record');

  const text = await registry.metrics();
  assert.match(text, /odx_catchup_events_published_total\{feed="test-feed"\} 7/);
  assert.match(text, /odx_catchup_runs_total\{feed="test-feed",trigger="request",outcome="ok"\} 1/);
  assert.match(text, /odx_catchup_lag_seconds\{feed="test-feed"\} \d/);
});

test('a failure in a page keeps the cursor at the last acknowledged page; the failed run is counted', async (t) => {
  const records = ['a', 'b', 'c', 'd'].map((id, i) => ({ id, updatedAt: at(40 - i * 10) }));
  const { feed, cursors, registry, make } = await setup(t, records);
  feed.failOn = 'c';
  const runner = make();
  await assert.rejects(runner.run('request'), /cannot publish c/);
  assert.deepEqual(await cursors.load('test:feed'), { updatedAt: records[1]!.updatedAt, id: 'b' }, 'the first page only');
  assert.match(await registry.metrics(), /odx_catchup_runs_total\{feed="test-feed",trigger="request",outcome="failed"\} 1/);
  feed.failOn = null;
  const retry = await runner.run('request');
  assert.equal(retry.cursor?.id, 'd');
});

test('one run at a time; the schedule runs at start and again after the interval; stop() ends it', async (t) => {
  const { feed, make } = await setup(t, [{ id: 'a', updatedAt: at(5) }], { intervalMs: 100 });
  const runner = make();
  const first = runner.run('request');
  await assert.rejects(runner.run('request'), CatchUpBusyError);
  await first;
  runner.start();
  await new Promise((r) => setTimeout(r, 450));
  await runner.stop();
  const runs = feed.queries.filter((q) => q.pageToken === null).length;
  assert.ok(runs >= 3, `runs: ${runs} (one on request, one at start, more on schedule)`);
  const after = feed.queries.length;
  await new Promise((r) => setTimeout(r, 250));
  assert.equal(feed.queries.length, after, 'no run after stop()');
  await runner.stop();
});

test('catchUpRecords publishes for the given records and leaves the cursor alone', async (t) => {
  const { feed, cursors, make } = await setup(t, []);
  const runner = make();
  const out = await runner.catchUpRecords([{ id: 'x', updatedAt: at(1) }]);
  assert.deepEqual(out, { records: 1, eventsPublished: 1 });
  assert.deepEqual(feed.handled, ['x']);
  assert.equal(await cursors.load('test:feed'), undefined);
});
