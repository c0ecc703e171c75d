import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FolderWatcher } from '../../src/inbound/folder-watcher.js';
import { northwind850 } from '../support/x12-samples.js';
import { eventually, startGateway } from '../support/gateway-kit.js';

test('two instances polling the same folders read every file exactly once; a stale claim is taken over', async (t) => {
  const gw = await startGateway(t, { EDI_FOLDER_TRANSPORT: 'false', ODX_EDI_OUTBOUND: 'false' });
  const watchers = ['one', 'two'].map(
    (instanceId) =>
      new FolderWatcher({
        root: gw.root,
        partners: gw.gateway.partners,
        processor: gw.gateway.processor,
        logger: gw.rt.logger,
        intervalMs: 20,
        concurrency: 4,
        instanceId,
        maxBytes: gw.config.maxBytes,
        staleClaimMs: 5_000,
      }),
  );
  t.after(async () => {
    for (const w of watchers) await w.stop();
  });
  const N = 30;
  // A claim left by an instance that died a minute ago.
  writeFileSync(join(gw.root, 'northwind', 'work', `stale.edi.dead.${Date.now() - 60_000}`), northwind850('000000999', 'STALE-1'));
  for (const w of watchers) w.start();
  for (let i = 1; i <= N; i++) gw.drop('northwind', `po-${i}.edi`, northwind850(String(1000 + i).padStart(9, '0'), `TWICE-${i}`));
  // A file still being written (temporary name) is left alone.
  writeFileSync(join(gw.root, 'northwind', 'inbound', '.partial.edi.tmp'), 'ISA*00*');
  await eventually(
    () => (gw.files('northwind', 'archive').length + gw.files('northwind', 'error').length >= N + 1 ? true : undefined),
    60_000,
    'every file processed',
  );
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(gw.files('northwind', 'error'), [], 'no file was read twice (a second read would be a duplicate ISA13)');
  assert.equal(gw.files('northwind', 'archive').length, N + 1);
  assert.deepEqual(gw.files('northwind', 'work'), []);
  assert.equal(await gw.messageCount(gw.topics.orders), N + 1, 'one OrderReceived per file');
  assert.ok(
    gw.files('northwind', 'archive').some((f) => f.endsWith('-stale.edi')),
    'the stale claim was taken over',
  );
});
