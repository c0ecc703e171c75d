// The downstream team's path, run for real: pack @odx/schemas, install the example in
// examples/orders-consumer (not a workspace) from the tarball in a temporary folder, publish
// an OrderConfirmed on the local stack, and check what the example prints.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createServiceRuntime, ensureTopics, outgoingEvent } from '@odx/runtime';
import { topicByName } from '@odx/schemas';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs `node consumer.mjs` in `dir` until it exits (or `timeoutMs`), with its output. */
function runExample(
  dir: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['consumer.mjs'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('examples/orders-consumer installs the packed @odx/schemas and prints a published order', { timeout: 120_000 }, async (t) => {
  const id = randomUUID().slice(0, 8);
  const work = mkdtempSync(join(tmpdir(), `odx-consumer-example-${id}-`));
  t.after(() => rmSync(work, { recursive: true, force: true }));

  // 1. The package as a downstream team gets it: built and packed (outside the repo's schemas/dist).
  const pkg = join(work, 'pkg');
  await run(process.execPath, ['--import', 'tsx', join(ROOT, 'schemas/tools/build-package.ts'), '--out', pkg], { cwd: ROOT });
  await run(npm, ['pack', pkg, '--pack-destination', work, '--silent'], { cwd: work });
  const tarball = readdirSync(work).find((f) => /^odx-schemas-.*\.tgz$/.test(f));
  assert.ok(tarball, `npm pack wrote no tarball into ${work}`);

  // 2. The example, copied out of the repo and installed from the tarball.
  const app = join(work, 'app');
  cpSync(join(ROOT, 'examples/orders-consumer'), app, { recursive: true, filter: (src) => !src.includes('node_modules') });
  await run(npm, ['install', join(work, tarball), 'kafkajs', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: app,
    timeout: 90_000,
  });
  const installed = join(app, 'node_modules/@odx/schemas');
  assert.ok(existsSync(join(installed, 'lib/index.d.ts')), 'the installed package has its type declarations');
  assert.ok(!existsSync(join(installed, 'src')) && !existsSync(join(installed, 'test')), 'no TypeScript sources or fixtures are installed');

  // 3. One OrderConfirmed on a topic of its own, published by the runtime as ODX services do.
  const topic = `test.consumer-${id}.odx.orders.v1`;
  const rt = await createServiceRuntime({
    name: 'consumer-example-test',
    env: { ...process.env, ODX_SERVICE_NAME: 'consumer-example-test', ODX_HTTP_PORT: '0', ODX_LOG_LEVEL: 'error' },
  });
  rt.logger.silent = true;
  t.after(async () => {
    await rt.cluster.deleteTopics([topic]).catch(() => undefined);
    await rt.shutdown('test done');
  });
  await ensureTopics(rt.cluster, [{ name: topic, partitions: topicByName('odx.orders.v1').partitions, replicationFactor: 1, config: {} }]);
  const orderId = `EX-${id}`;
  const event = sampleEvent('OrderConfirmed', { meta: sampleMeta({ eventId: randomUUID(), correlationId: orderId }) });
  event.order = { ...event.order, orderId, odooId: orderId, name: `S-${id}` };
  await rt.producer.publish([outgoingEvent('OrderConfirmed', orderId, event, { topic })]);

  // 4. The example reads it with kafkajs and decodes it with the package's helper.
  const result = await runExample(
    app,
    {
      PATH: process.env['PATH'],
      ODX_KAFKA_BROKERS: rt.config.kafka.brokers.join(','),
      ...(rt.config.kafka.sasl
        ? {
            ODX_KAFKA_SASL_MECHANISM: rt.config.kafka.sasl.mechanism,
            ODX_KAFKA_SASL_USERNAME: rt.config.kafka.sasl.username,
            ODX_KAFKA_SASL_PASSWORD: rt.config.kafka.sasl.password,
          }
        : {}),
      ODX_SCHEMA_REGISTRY_URL: rt.config.schemaRegistry.url,
      ODX_TOPIC: topic,
      ODX_GROUP_ID: `test-consumer-example-${id}`,
      ODX_MAX_MESSAGES: '1',
    },
    45_000,
  );
  assert.equal(result.code, 0, `the example exited with ${result.code}:\n${result.stderr}\n${result.stdout}`);
  const line = result.stdout.split('\n').find((l) => l.startsWith('OrderConfirmed '));
  assert.ok(line, `no OrderConfirmed line in:\n${result.stdout}\n${result.stderr}`);
  const printed = JSON.parse(line.slice('OrderConfirmed '.length)) as Record<string, unknown>;
  assert.deepEqual(printed, {
    key: orderId,
    eventId: event.meta.eventId,
    orderId,
    name: `S-${id}`,
    customer: event.order.customer.name,
    currency: event.order.currency,
    amountTotal: event.order.amountTotal,
    lines: event.order.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: l.unitPrice })),
  });
});
