// Hostile folder drops: only regular files are read, and a file that keeps failing ends in error with its reason.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FolderWatcher } from '../../src/inbound/folder-watcher.js';
import { northwind850 } from '../support/x12-samples.js';
import { eventually, startGateway } from '../support/gateway-kit.js';

test('symlinks, directories and FIFOs go to error unread with a reason file; regular files beside them are processed', async (t) => {
  const gw = await startGateway(t, { EDI_POLL_INTERVAL_MS: '50', ODX_EDI_OUTBOUND: 'false' });
  const inbound = join(gw.root, 'northwind', 'inbound');
  // A link to a local file: before, its content was stored as a partner document.
  const secret = join(gw.root, 'local-secret.edi');
  writeFileSync(secret, northwind850('000000501', 'FROM-A-LINK'));
  symlinkSync(secret, join(inbound, 'link.edi'));
  mkdirSync(join(inbound, 'a-directory'));
  const fifo = spawnSync('mkfifo', [join(inbound, 'pipe.edi')]).status === 0;
  gw.drop('northwind', 'real.edi', northwind850('000000502', 'REAL-1'));
  const expected = fifo ? 3 : 2;
  await eventually(
    () => (gw.files('northwind', 'error').filter((f) => f.endsWith('.reason.txt')).length >= expected ? true : undefined),
    20_000,
    'the special files refused',
  );
  await eventually(() => (gw.files('northwind', 'archive').length === 1 ? true : undefined), 20_000, 'the regular file archived');
  const reasons = gw
    .files('northwind', 'error')
    .filter((f) => f.endsWith('.reason.txt'))
    .map((f) => [f.replace(/^\d+-/, ''), gw.read('northwind', 'error', f).trim()])
    .sort();
  assert.deepEqual(
    reasons,
    [
      ['a-directory.reason.txt', 'not a regular file (a directory); only regular files are read'],
      ['link.edi.reason.txt', 'not a regular file (a symbolic link); only regular files are read'],
      ...(fifo ? [['pipe.edi.reason.txt', 'not a regular file (a FIFO); only regular files are read']] : []),
    ].sort(),
  );
  assert.equal(await gw.messageCount(gw.topics.orders), 1, "only the regular file's order; nothing from the link");
  assert.equal(readFileSync(secret, 'utf8').startsWith('ISA'), true, 'the linked file is untouched');
  assert.deepEqual(gw.files('northwind', 'inbound'), []);
});

test('a file whose processing keeps failing goes to error after the configured failures, with the last error beside it', async (t) => {
  const gw = await startGateway(t, { EDI_FOLDER_TRANSPORT: 'false', ODX_EDI_OUTBOUND: 'false' });
  let attempts = 0;
  const watcher = new FolderWatcher({
    root: gw.root,
    partners: gw.gateway.partners,
    processor: {
      process: async () => {
        attempts++;
        throw new Error('order facts store unavailable');
      },
    },
    logger: gw.rt.logger,
    intervalMs: 20,
    instanceId: 'poison',
    maxBytes: gw.config.maxBytes,
    staleClaimMs: 30,
    maxFailures: 3,
  });
  t.after(() => watcher.stop());
  gw.drop('northwind', 'poison.edi', northwind850('000000601', 'POISON-1'));
  watcher.start();
  await eventually(() => (gw.files('northwind', 'error').length === 2 ? true : undefined), 20_000, 'poison moved to error');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(attempts, 3, 'tried exactly maxFailures times, then left alone');
  const [file, reason] = gw.files('northwind', 'error');
  assert.match(file!, /^\d+-poison\.edi$/);
  assert.equal(reason, `${file}.reason.txt`);
  assert.equal(gw.read('northwind', 'error', reason!).trim(), 'processing failed 3 times; last error: order facts store unavailable');
  assert.deepEqual(readdirSync(join(gw.root, 'northwind', 'work')), [], 'nothing left in work, nor its failure count');
});
