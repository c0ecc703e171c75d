// Runs the stack launcher CLI the way users do, against a second stack on
// free ports in a temporary ODX_HOME. ODX_DIST_DIR points at the real dist
// dir, so nothing is downloaded again and the main stack is not touched.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { freePort } from '@odx/runtime/testing';
import { isAlive } from '../../scripts/stack/process-control.js';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(repoRoot, 'scripts', 'stack', 'cli.ts');

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolvePromise({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

function listen(port: number): Promise<Server> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port }, () => resolvePromise(server));
  });
}

function portIsFree(port: number): Promise<boolean> {
  return listen(port).then(
    (server) => new Promise<boolean>((r) => server.close(() => r(true))),
    () => false,
  );
}

interface PartStatusJson {
  part: string;
  state: string;
  pid?: number;
  healthy: boolean;
  detail: string;
}

test('stack launcher: up, up again, status, down, port in use', { timeout: 240_000 }, async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'odx-stack-test-'));
  const ports = {
    kafka: await freePort(),
    controller: await freePort(),
    registry: await freePort(),
    management: await freePort(),
    mongo: await freePort(),
  };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ODX_HOME: home,
    ODX_DIST_DIR: process.env.ODX_DIST_DIR ?? join(process.env.ODX_HOME ?? join(homedir(), '.cache', 'odx'), 'dist'),
    ODX_STACK_KAFKA_PORT: String(ports.kafka),
    ODX_STACK_KAFKA_CONTROLLER_PORT: String(ports.controller),
    ODX_STACK_REGISTRY_PORT: String(ports.registry),
    ODX_STACK_REGISTRY_MANAGEMENT_PORT: String(ports.management),
    ODX_STACK_MONGO_PORT: String(ports.mongo),
    // The launcher's mechanics are tested on the backend that starts fastest; the suite's own stack runs the default.
    ODX_STACK_MONGO_BACKEND: 'sqlite',
    ODX_STACK_POSTGRES_PORT: String(await freePort()),
  };
  delete env.ODX_KAFKA_BROKERS;
  delete env.ODX_SCHEMA_REGISTRY_URL;
  delete env.ODX_MONGO_URL;
  const parts = ['--parts', 'kafka,mongo'];
  t.after(async () => {
    await runCli(['down', '--wipe'], env);
    rmSync(home, { recursive: true, force: true });
  });

  let pids: number[] = [];

  await t.test('up starts kafka and mongo and returns their endpoints', async () => {
    const up = await runCli(['up', ...parts, '--json'], env);
    assert.equal(up.code, 0, `up failed:\n${up.stderr}`);
    const endpoints = JSON.parse(up.stdout) as { kafkaBrokers: string[]; mongoUrl: string; startedParts: string[] };
    assert.deepEqual(endpoints.kafkaBrokers, [`127.0.0.1:${ports.kafka}`]);
    assert.equal(endpoints.mongoUrl, `mongodb://127.0.0.1:${ports.mongo}/`);
    assert.deepEqual([...endpoints.startedParts].sort(), ['kafka', 'mongo']);
  });

  await t.test('a second up is fast and starts nothing', async () => {
    const up = await runCli(['up', ...parts, '--json'], env);
    assert.equal(up.code, 0, up.stderr);
    assert.deepEqual((JSON.parse(up.stdout) as { startedParts: string[] }).startedParts, []);
    assert.ok(up.ms < 10_000, `second up took ${up.ms} ms`);
  });

  await t.test('status reports both parts running and healthy with pids', async () => {
    const status = await runCli(['status', ...parts, '--json'], env);
    assert.equal(status.code, 0, status.stdout + status.stderr);
    const rows = JSON.parse(status.stdout) as PartStatusJson[];
    assert.deepEqual(
      rows.map((r) => [r.part, r.state, r.healthy]),
      [
        ['kafka', 'running', true],
        ['mongo', 'running', true],
      ],
    );
    pids = rows.map((r) => r.pid ?? 0);
    for (const pid of pids) {
      assert.ok(isAlive(pid), `pid ${pid} is not alive`);
      assert.ok(readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(home), `pid ${pid} is not from this test's ODX_HOME`);
    }
  });

  await t.test('parts by name work as --parts does; a misspelt part is an error and stops nothing', async () => {
    const byName = await runCli(['status', 'mongo', '--json'], env);
    assert.equal(byName.code, 0, byName.stderr);
    assert.deepEqual(
      (JSON.parse(byName.stdout) as PartStatusJson[]).map((r) => r.part),
      ['mongo'],
    );
    const typo = await runCli(['down', 'kafak'], env);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /unknown part "kafak"; parts are kafka, kafka-2, kafka-3, registry, mongo/);
    const both = await runCli(['down', 'kafka', '--parts', 'mongo'], env);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /either as arguments or with --parts/);
    for (const pid of pids) assert.ok(isAlive(pid), `pid ${pid} was stopped by a refused command`);
  });

  await t.test('down stops them: pids gone, ports free, status unhealthy', async () => {
    const down = await runCli(['down', ...parts], env);
    assert.equal(down.code, 0, down.stderr);
    for (const pid of pids) assert.equal(isAlive(pid), false, `pid ${pid} still alive`);
    assert.equal(await portIsFree(ports.kafka), true);
    assert.equal(await portIsFree(ports.controller), true);
    assert.equal(await portIsFree(ports.mongo), true);
    const status = await runCli(['status', ...parts, '--json'], env);
    assert.equal(status.code, 1);
    assert.deepEqual(
      (JSON.parse(status.stdout) as PartStatusJson[]).map((r) => r.state),
      ['stopped', 'stopped'],
    );
  });

  await t.test('up fails clearly when a port is taken by another process', async (st) => {
    const squatter = await listen(ports.kafka);
    st.after(() => new Promise<void>((r) => squatter.close(() => r())));
    const up = await runCli(['up', '--parts', 'kafka'], env);
    assert.equal(up.code, 1);
    assert.match(up.stderr, new RegExp(`port ${ports.kafka} is already in use by another process`));
    assert.match(up.stderr, /log: .*kafka\.log/);
    assert.equal(existsSync(join(home, 'run', 'kafka.pid')), false, 'nothing should have been started');
  });
});
