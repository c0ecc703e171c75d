import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { ERROR_HEADERS, dlqTopicName } from '@odx/runtime';
import { event, startService, uniqueName, type RunningService } from '../support/service-kit.js';

// Run as users do: `npx odx ...` from a folder inside the repo that is not its root.
const here = fileURLToPath(new URL('.', import.meta.url));

function odx(
  s: RunningService,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['--no-install', 'odx', ...args],
      {
        cwd: here,
        env: { ...process.env, ODX_REPLAY_URL: s.url, ODX_REPLAY_JWT_SECRET: s.config.auth.secret, ...env },
        timeout: 120_000,
      },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

test('the odx CLI against a running service: token, dlq list/redrive/purge, replay --wait, audit, exit codes', async (t) => {
  const s = await startService(t);
  const src = uniqueName('test.cli.src');
  const dst = uniqueName('test.cli.dst');
  const dlq = dlqTopicName(src, 'cligrp');
  await s.topics([src, dst, dlq], 2);
  await s.rt.producer.publish(Array.from({ length: 20 }, (_, i) => event(src, `K-${i}`)));
  await s.rt.producer.publish(
    Array.from({ length: 5 }, (_, i) => ({
      ...event(dlq, `D-${i}`),
      headers: { [ERROR_HEADERS.originalTopic]: src, [ERROR_HEADERS.errorClass]: 'test.cli' },
    })),
  );

  const minted = await odx(s, ['--json', 'token', '--role', 'operator', '--subject', 'cli-tester']);
  assert.equal(minted.code, 0, minted.stderr);
  const operator = { ODX_REPLAY_TOKEN: JSON.parse(minted.stdout).token as string };

  const list = await odx(s, ['dlq', 'list', '--topic', src, '--json'], operator);
  assert.equal(list.code, 0, list.stderr);
  assert.equal(JSON.parse(list.stdout).topics[0].depth, 5);

  const dry = await odx(s, ['dlq', 'redrive', dlq, '--all'], operator);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /dry run: 5 match, would redrive 5/);
  assert.equal((await s.read(src)).length, 20, 'the dry run published');

  const redrive = await odx(s, ['--json', 'dlq', 'redrive', dlq, '--error-class', 'test.cli', '--execute', '--batch', '2'], operator);
  assert.equal(redrive.code, 0, redrive.stderr);
  assert.equal(JSON.parse(redrive.stdout).redriven, 5);
  assert.equal((await s.read(src)).length, 25);

  const again = await odx(s, ['dlq', 'redrive', dlq, '--offset', '0:0', '--execute'], operator);
  assert.equal(again.code, 3, again.stderr);
  assert.match(again.stderr, /already redriven/);
  const purge = await odx(s, ['dlq', 'purge', dlq, '--execute'], operator);
  assert.equal(purge.code, 3, 'an operator purged');
  const unknown = await odx(s, ['dlq', 'show', 'test.none.x.dlq'], operator);
  assert.equal(unknown.code, 2);
  const forged = await odx(s, ['dlq', 'list'], { ODX_REPLAY_TOKEN: 'a.b.c' });
  assert.equal(forged.code, 3);

  const replay = await odx(s, ['--json', 'replay', 'start', '--from-topic', src, '--to-topic', dst, '--execute', '--wait'], operator);
  assert.equal(replay.code, 0, replay.stderr);
  const job = JSON.parse(replay.stdout);
  assert.equal(job.status, 'completed');
  assert.equal(job.published, 25);
  assert.equal((await s.read(dst)).length, 25);

  const reset = await odx(s, ['groups', 'reset', uniqueName('cli-idle'), '--topic', src, '--to-earliest'], operator);
  assert.equal(reset.code, 0, reset.stderr);
  assert.match(reset.stdout, /dry run: nothing changed/);

  const audit = await odx(s, ['--json', 'audit', '--actor', 'cli-tester'], operator);
  assert.equal(audit.code, 0, audit.stderr);
  const entries = JSON.parse(audit.stdout).entries as Array<{ action: string; count: number }>;
  // --batch 2 pages through the 5 messages: three redrive requests, then the replay.
  assert.deepEqual(
    entries
      .filter((e) => e.action === 'dlq.redrive')
      .map((e) => e.count)
      .sort(),
    [1, 2, 2],
  );
  assert.equal(entries.filter((e) => e.action === 'replay.start').length, 1);
});
