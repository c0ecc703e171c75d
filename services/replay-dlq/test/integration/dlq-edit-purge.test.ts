import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERROR_HEADERS, dlqTopicName } from '@odx/runtime';
import { REDRIVE_HEADERS } from '../../src/dlq/dlq-message.js';
import { event, startService, uniqueName } from '../support/service-kit.js';

const enc = encodeURIComponent;

test('redrive with an edited payload (schema-checked), to a chosen topic; purge; hostile input', async (t) => {
  const s = await startService(t);
  const topic = uniqueName('test.rdlq.src');
  const other = uniqueName('test.rdlq.other');
  const dlq = dlqTopicName(topic, 'grp');
  await s.topics([topic, other, dlq], 2);
  const failed = [event(dlq, 'K-1'), event(dlq, 'K-2'), event(dlq, 'K-3')];
  await s.rt.producer.publish(
    failed.map((e) => ({
      ...e,
      headers: {
        [ERROR_HEADERS.originalTopic]: topic,
        [ERROR_HEADERS.errorClass]: 'test.invalid-order',
        [ERROR_HEADERS.kind]: 'permanent',
        [ERROR_HEADERS.message]: 'order name missing',
        [ERROR_HEADERS.consumerGroup]: 'grp',
      },
    })),
  );

  const browse = await s.call('GET', `/dlq/${enc(dlq)}/messages?key=K-1`, 'viewer');
  assert.equal(browse.status, 200);
  const [m] = browse.body.messages;
  assert.equal(m.key, 'K-1');
  const edited = structuredClone(m.payload);
  edited.order.name = 'FIXED-NAME';

  // Edits must fit the schema and apply to exactly one message.
  const bad = structuredClone(m.payload);
  bad.order.lines = 'not a list';
  const invalid = await s.call('POST', `/dlq/${enc(dlq)}/redrive`, 'operator', {
    selection: [{ partition: m.partition, offset: m.offset }],
    payload: bad,
    execute: true,
  });
  assert.equal(invalid.status, 422);
  assert.match(invalid.body.detail, /order\.lines/);
  const two = await s.call('POST', `/dlq/${enc(dlq)}/redrive`, 'operator', {
    selection: [
      { partition: 0, offset: '0' },
      { partition: 1, offset: '0' },
    ],
    payload: edited,
  });
  assert.equal(two.status, 400);

  const ok = await s.call('POST', `/dlq/${enc(dlq)}/redrive`, 'operator', {
    selection: [{ partition: m.partition, offset: m.offset }],
    payload: edited,
    execute: true,
  });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.redriven, 1);
  const [copy, ...rest] = await s.read(topic);
  assert.equal(rest.length, 0);
  assert.equal(copy!.key, 'K-1');
  assert.equal(copy!.headers['ce_id'], m.eventId);
  assert.equal(copy!.payload.order.name, 'FIXED-NAME');
  assert.equal(copy!.payload.meta.occurredAt.getTime(), new Date(m.payload.meta.occurredAt).getTime());
  assert.equal(copy!.headers[REDRIVE_HEADERS.source], `${dlq}/${m.partition}/${m.offset}`);
  assert.equal(copy!.headers[REDRIVE_HEADERS.by], 'operator-user');
  assert.ok(!Object.keys(copy!.headers).some((h) => h.startsWith('odx.errors.')), 'failure headers were carried over');

  // The same message twice in one selection is one redrive (and it was redriven already: forced).
  const twice = await s.call('POST', `/dlq/${enc(dlq)}/redrive`, 'operator', {
    selection: [
      { partition: m.partition, offset: m.offset },
      { partition: m.partition, offset: Number(m.offset) },
    ],
    force: true,
  });
  assert.equal(twice.status, 200);
  assert.equal(twice.body.wouldRedrive, 1);
  const huge = await s.call('POST', `/dlq/${enc(dlq)}/redrive`, 'operator', {
    selection: Array.from({ length: 10_001 }, (_, i) => ({ partition: 0, offset: String(i) })),
  });
  assert.equal(huge.status, 400);

  // To a chosen topic (the rest), and to one that does not exist.
  const missing = await s.call('POST', `/dlq/${enc(dlq)}/redrive`, 'operator', {
    filter: {},
    targetTopic: 'test.rdlq.nope-nope',
    execute: true,
  });
  assert.equal(missing.status, 404);
  const elsewhere = await s.call('POST', `/dlq/${enc(dlq)}/redrive`, 'operator', {
    filter: { errorClass: 'test.invalid-order' },
    targetTopic: other,
    execute: true,
  });
  assert.equal(elsewhere.body.redriven, 2);
  assert.equal(elsewhere.body.skippedAlreadyRedriven, 1);
  assert.deepEqual((await s.read(other)).map((x) => x.key).sort(), ['K-2', 'K-3']);

  // Purge: a plan first, then the records go.
  const plan = await s.call('POST', `/dlq/${enc(dlq)}/purge`, 'admin', {});
  assert.equal(plan.body.dryRun, true);
  assert.equal(plan.body.wouldDelete, 3);
  assert.equal((await s.read(dlq)).length, 3, 'the dry run deleted something');
  const tooFar = await s.call('POST', `/dlq/${enc(dlq)}/purge`, 'admin', { before: { 0: '999' }, execute: true });
  assert.equal(tooFar.status, 400);
  const purged = await s.call('POST', `/dlq/${enc(dlq)}/purge`, 'admin', { execute: true });
  assert.equal(purged.body.deleted, 3);
  assert.equal((await s.read(dlq)).length, 0);
  const listed = await s.call('GET', `/dlq?originalTopic=${enc(topic)}`, 'viewer');
  assert.equal(listed.body.topics[0].depth, 0);
  const audit = await s.call('GET', '/audit?action=dlq.purge', 'viewer');
  assert.equal(audit.body.entries.length, 1);
  assert.equal(audit.body.entries[0].count, 3);
  assert.equal(audit.body.entries[0].actor, 'admin-user');

  // Hostile and malformed input: clear 4xx, never a 500.
  const cases: Array<[string, string, unknown, number]> = [
    ['GET', `/dlq/${enc('bad/name')}/messages`, undefined, 400],
    ['GET', `/dlq/${enc(topic)}/messages`, undefined, 400],
    ['GET', `/dlq/${enc('test.none.grp.dlq')}/messages`, undefined, 404],
    ['GET', `/dlq/${enc(dlq)}/messages?limit=100000000`, undefined, 400],
    ['GET', `/dlq/${enc(dlq)}/messages?limit=-1`, undefined, 400],
    ['GET', `/dlq/${enc(dlq)}/messages?cursor=abc`, undefined, 400],
    ['GET', `/dlq/${enc(dlq)}/messages?cursor=7:0`, undefined, 400],
    ['GET', `/dlq/${enc(dlq)}/messages?partitions=9`, undefined, 400],
    ['GET', `/dlq/${enc(dlq)}/messages?since=yesterday`, undefined, 400],
    ['GET', `/dlq/${enc(dlq)}/messages?bogus=1`, undefined, 400],
    ['POST', `/dlq/${enc(dlq)}/redrive`, '{"filter": {', 400],
    ['POST', `/dlq/${enc(dlq)}/redrive`, { selection: [{ partition: 0, offset: -1 }] }, 400],
    ['POST', `/dlq/${enc(dlq)}/redrive`, { selection: [{ partition: 0, offset: '99999999999999999999999' }] }, 400],
    ['POST', `/dlq/${enc(dlq)}/redrive`, { selection: [{ partition: 0, offset: '12345' }] }, 404],
    ['POST', `/dlq/${enc(dlq)}/redrive`, { selection: [{ partition: 9, offset: '0' }] }, 400],
    ['POST', `/dlq/${enc(dlq)}/redrive`, { selection: [], execute: true }, 400],
    ['POST', `/dlq/${enc(dlq)}/redrive`, { execute: 'yes' }, 400],
    ['POST', `/dlq/${enc(dlq)}/redrive`, { filter: {}, sneaky: true }, 400],
    ['POST', `/dlq/${enc(dlq)}/redrive`, { filter: {}, targetTopic: '../etc' }, 400],
    ['POST', `/dlq/${enc(dlq)}/redrive`, `{"filter":{},"pad":"${'x'.repeat(1_100_000)}"}`, 413],
    ['POST', `/dlq/${enc(dlq)}/purge`, { before: { x: '1' } }, 400],
  ];
  for (const [method, path, body, status] of cases) {
    const res = await s.call(method, path, method === 'GET' ? 'viewer' : 'admin', body);
    assert.equal(
      res.status,
      status,
      `${method} ${path.slice(0, 80)} ${typeof body === 'string' ? body.slice(0, 40) : JSON.stringify(body)} -> ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`,
    );
    assert.equal(typeof res.body.title, 'string');
  }
});
