// Self-healing of the local stack against real FerretDB processes: a second
// stack (mongo only) on free ports in a temporary ODX_HOME, sharing the
// installed dist dir, so the main stack is never touched. A SIGSTOPped
// server stands in for a wedged one (it accepts connections, answers
// nothing); the real FerretDB wedge (an update of >= 100 statements) is
// reproduced too.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@odx/runtime/testing';
import { isAlive } from '../../scripts/stack/process-control.js';
import { test, type TestContext } from 'node:test';
import { MongoClient } from 'mongodb';
import { mongoHealth } from '../../scripts/stack/mongo-probe.js';
import { loadStackConfig, stackDown, stackStatus, stackUp, startWatchdog, type WatchdogEvent } from '../../scripts/stack/index.js';
import { findPostgresBinDir } from '../../scripts/stack/config.js';

const PROBE_TIMEOUT_MS = 500;

/** A private stack home and ports; everything is stopped and deleted after the test. */
async function isolatedStack(
  t: TestContext,
  extra: NodeJS.ProcessEnv = {},
): Promise<{ env: NodeJS.ProcessEnv; port: number; home: string }> {
  const home = mkdtempSync(join(tmpdir(), 'odx-heal-test-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ODX_HOME: home,
    ODX_DIST_DIR: process.env.ODX_DIST_DIR ?? join(process.env.ODX_HOME ?? join(homedir(), '.cache', 'odx'), 'dist'),
    ODX_STACK_MONGO_PORT: String(port),
    // Other parts are never started here; their ports only need to differ.
    ODX_STACK_KAFKA_PORT: String(await freePort()),
    ODX_STACK_KAFKA_CONTROLLER_PORT: String(await freePort()),
    ODX_STACK_REGISTRY_PORT: String(await freePort()),
    ODX_STACK_REGISTRY_MANAGEMENT_PORT: String(await freePort()),
    ODX_STACK_POSTGRES_PORT: String(await freePort()),
    ODX_STACK_PROBE_TIMEOUT_MS: String(PROBE_TIMEOUT_MS),
    // Short start timeout: `up` never restarts a part younger than this.
    ODX_STACK_START_TIMEOUT_MS: '4000',
    ODX_STACK_STOP_TIMEOUT_MS: '3000',
    ODX_STACK_UNHEALTHY_GRACE_MS: '1000',
    // The heal mechanics are the same on both backends; SQLite starts fastest and wedges at 100 statements
    // (the PostgreSQL backend's pool is 200 here). The postgresql test passes its own.
    ODX_STACK_MONGO_BACKEND: 'sqlite',
    ...extra,
  };
  delete env.ODX_KAFKA_BROKERS;
  delete env.ODX_SCHEMA_REGISTRY_URL;
  delete env.ODX_MONGO_URL;
  t.after(async () => {
    await stackDown({ parts: ['mongo'], wipe: true, quiet: true, env });
    rmSync(home, { recursive: true, force: true });
  });
  return { env, port, home };
}

async function mongoPid(env: NodeJS.ProcessEnv): Promise<number> {
  const [status] = await stackStatus({ parts: ['mongo'], env });
  assert.ok(status?.pid, 'mongo should be running');
  return status.pid;
}

/** A driver client that never waits long on a stopped server. */
function client(port: number): MongoClient {
  return new MongoClient(`mongodb://127.0.0.1:${port}/?directConnection=true`, { serverSelectionTimeoutMS: 3000, socketTimeoutMS: 5000 });
}

async function writeMarker(port: number, collection: string): Promise<void> {
  const c = client(port);
  try {
    await c.db('odx_heal_test').collection<{ _id: string; v: number }>(collection).insertOne({ _id: 'before-restart', v: 42 });
  } finally {
    await c.close(true);
  }
}

async function readMarker(port: number, collection: string): Promise<number | undefined> {
  const c = client(port);
  try {
    const doc = await c.db('odx_heal_test').collection<{ _id: string; v: number }>(collection).findOne({ _id: 'before-restart' });
    return doc?.v;
  } finally {
    await c.close(true);
  }
}

test(
  'a SIGSTOPped FerretDB: the probe times out, status says unhealthy, up restarts it with a dump, data is kept',
  { timeout: 90_000 },
  async (t) => {
    const { env, port } = await isolatedStack(t);
    await stackUp({ parts: ['mongo'], quiet: true, env, write: () => undefined });
    await writeMarker(port, 'sigstop');
    const pid = await mongoPid(env);

    process.kill(pid, 'SIGSTOP');
    t.after(() => {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    });

    const began = Date.now();
    const health = await mongoHealth('127.0.0.1', port, PROBE_TIMEOUT_MS);
    const probeMs = Date.now() - began;
    assert.equal(health.ok, false);
    // Usually the ping times out; a ping already on its way when the signal lands may still be answered.
    assert.match(health.detail, /^(ping|write|read|listDatabases) timed out after 500 ms/);
    assert.ok(probeMs < PROBE_TIMEOUT_MS + 1000, `probe took ${probeMs} ms`);

    const [status] = await stackStatus({ parts: ['mongo'], env });
    assert.equal(status?.state, 'running');
    assert.equal(status?.healthy, false);
    assert.match(status?.detail ?? '', /timed out/);

    const lines: string[] = [];
    const up = await stackUp({ parts: ['mongo'], quiet: true, env, write: (line) => lines.push(line) });
    assert.deepEqual(up.startedParts, ['mongo']);
    const [healed] = up.healed;
    assert.equal(healed?.pid, pid);
    assert.match(healed?.reason ?? '', /timed out/);
    assert.equal(healed?.dumped, true, 'FerretDB prints its goroutines on SIGQUIT');
    assert.ok(healed && existsSync(healed.dumpFile), 'the dump file exists');
    assert.match(readFileSync(healed.dumpFile, 'utf8'), /^goroutine \d+ /m);
    assert.ok(
      lines.some((l) => l.includes(healed.dumpFile)),
      `progress names the dump file:\n${lines.join('\n')}`,
    );
    assert.equal(isAlive(pid), false, 'the stopped server is gone');

    const newPid = await mongoPid(env);
    assert.notEqual(newPid, pid);
    assert.equal((await stackStatus({ parts: ['mongo'], env }))[0]?.healthy, true);
    assert.equal(await readMarker(port, 'sigstop'), 42, 'data written before the restart is still there');
  },
);

test('the watchdog restarts a SIGSTOPped FerretDB after K failed probes', { timeout: 60_000 }, async (t) => {
  const { env } = await isolatedStack(t);
  await stackUp({ parts: ['mongo'], quiet: true, env, write: () => undefined });
  const pid = await mongoPid(env);
  // Older than the start timeout, so the watchdog's restart is not held back as "still starting".
  await new Promise((r) => setTimeout(r, 4000));

  const intervalMs = 300;
  const failures = 3;
  const events: WatchdogEvent[] = [];
  let restarted: (e: WatchdogEvent) => void = () => undefined;
  const restartedOnce = new Promise<WatchdogEvent>((r) => (restarted = r));
  const watchdog = startWatchdog({
    parts: ['mongo'],
    env,
    intervalMs,
    failures,
    onEvent: (e) => {
      events.push(e);
      if (e.kind === 'restarted' || e.kind === 'restart-failed') restarted(e);
    },
  });
  t.after(() => watchdog.stop());

  process.kill(pid, 'SIGSTOP');
  t.after(() => {
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  });
  const began = Date.now();
  const event = await restartedOnce;
  const tookMs = Date.now() - began;

  assert.equal(event.kind, 'restarted', JSON.stringify(event));
  assert.ok(event.kind === 'restarted' && event.dumpFile && existsSync(event.dumpFile), 'dump saved');
  assert.equal(events.filter((e) => e.kind === 'unhealthy').length, failures);
  // K rounds of (interval + a timed-out probe), plus the restart itself.
  const budget = failures * (intervalMs + PROBE_TIMEOUT_MS) + 6000;
  assert.ok(tookMs < budget, `restart took ${tookMs} ms, budget ${budget} ms`);
  assert.equal(isAlive(pid), false);
  const [status] = await stackStatus({ parts: ['mongo'], env });
  assert.equal(status?.healthy, true, status?.detail);
  assert.notEqual(status?.pid, pid);

  await watchdog.stop();
  await watchdog.stop(); // idempotent
});

test('the real FerretDB wedge (an update of 120 statements) is seen by the probe and healed by up', { timeout: 90_000 }, async (t) => {
  const { env, port } = await isolatedStack(t);
  await stackUp({ parts: ['mongo'], quiet: true, env, write: () => undefined });
  await new Promise((r) => setTimeout(r, 4000)); // past the start timeout (see above)
  const pid = await mongoPid(env);

  const wedger = client(port);
  t.after(() => wedger.close(true));
  const docs = wedger.db('odx_heal_test').collection<{ _id: number; v: number }>('wedge');
  const upserts = (v: number) =>
    Array.from({ length: 120 }, (_, i) => ({ replaceOne: { filter: { _id: i }, replacement: { _id: i, v }, upsert: true } }));
  // The first run inserts; the second updates 120 existing documents, one pooled SQLite connection each.
  await docs.bulkWrite(upserts(1), { ordered: false });
  const wedged = docs.bulkWrite(upserts(2), { ordered: false }).then(
    () => 'returned',
    () => 'failed',
  );
  const early = await Promise.race([wedged, new Promise((r) => setTimeout(() => r('pending'), 2000))]);
  assert.equal(early, 'pending', 'the 120-statement update should hang (FerretDB 1.24.2 wedge)');

  const health = await mongoHealth('127.0.0.1', port, PROBE_TIMEOUT_MS);
  assert.equal(health.ok, false, health.detail);
  assert.match(health.detail, /timed out/);

  const up = await stackUp({ parts: ['mongo'], quiet: true, env, write: () => undefined });
  assert.equal(up.healed[0]?.pid, pid);
  assert.match(readFileSync(up.healed[0]?.dumpFile ?? '', 'utf8'), /msg_update\.go/, 'the dump shows the stuck update');
  assert.equal((await stackStatus({ parts: ['mongo'], env }))[0]?.healthy, true);

  const reader = client(port);
  t.after(() => reader.close(true));
  const count = await reader.db('odx_heal_test').collection('wedge').countDocuments({});
  assert.equal(count, 120, 'documents of the first bulk write survive the restart');
});

test(
  'postgresql backend: up starts PostgreSQL and FerretDB, data survives down/up, down --wipe deletes both',
  { timeout: 120_000 },
  async (t) => {
    const { env, port, home } = await isolatedStack(t, { ODX_STACK_MONGO_BACKEND: 'postgresql', ODX_STACK_START_TIMEOUT_MS: '30000' });
    const began = Date.now();
    const up = await stackUp({ parts: ['mongo'], quiet: true, env, write: () => undefined });
    const firstUpMs = Date.now() - began;
    assert.deepEqual(up.startedParts, ['mongo']);
    t.diagnostic(`first up with initdb: ${firstUpMs} ms`);

    const [status] = await stackStatus({ parts: ['mongo'], env });
    assert.equal(status?.healthy, true, status?.detail);
    assert.match(status?.backing ?? '', /^postgresql: pid \d+, 127\.0\.0\.1:\d+ accepts connections/);
    const pgPid = Number(/pid (\d+)/.exec(status?.backing ?? '')?.[1]);
    assert.match(readFileSync(`/proc/${status?.pid}/cmdline`, 'utf8'), /-handler\0postgresql/);

    await writeMarker(port, 'pg');
    await stackDown({ parts: ['mongo'], quiet: true, env });
    assert.equal(isAlive(status?.pid ?? 0), false, 'FerretDB stopped');
    assert.equal(isAlive(pgPid), false, 'PostgreSQL stopped');

    await stackUp({ parts: ['mongo'], quiet: true, env, write: () => undefined });
    assert.equal(await readMarker(port, 'pg'), 42, 'data kept in PostgreSQL across down/up');

    await stackDown({ parts: ['mongo'], wipe: true, quiet: true, env });
    assert.equal(existsSync(join(home, 'data', 'mongo-postgresql')), false);
    assert.equal(existsSync(join(home, 'data', 'mongo')), false);
  },
);

test('ODX_STACK_MONGO_BACKEND is validated with a message naming it', () => {
  assert.throws(
    () => loadStackConfig({ ODX_STACK_MONGO_BACKEND: 'mysql' }),
    /ODX_STACK_MONGO_BACKEND must be one of sqlite, postgresql, got "mysql"/,
  );
  // PostgreSQL where it is installed (chosen by measurement), SQLite where it is not.
  assert.equal(loadStackConfig({}).mongoBackend, findPostgresBinDir({}) ? 'postgresql' : 'sqlite');
  assert.equal(loadStackConfig({ ODX_STACK_MONGO_BACKEND: 'SQLite' }).mongoBackend, 'sqlite');
});
