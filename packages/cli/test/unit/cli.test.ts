import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseCursor, parseDatetime, parsePartitions, parseRanges, parseSelection } from '../../src/args.js';
import { mintDevToken, parseDuration } from '../../src/dev-token.js';
import { EXIT } from '../../src/exit-codes.js';
import { run } from '../../src/program.js';

function io(env: NodeJS.ProcessEnv = {}, tty = false) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: { write: (s: string) => out.push(s), isTTY: tty }, stderr: { write: (s: string) => err.push(s), isTTY: tty }, env },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

/** A stand-in HTTP endpoint answering with a fixed status and recording what the CLI sent (not the service: exit-code mapping only). */
async function answering(
  status: number,
  body: unknown,
): Promise<{ url: string; requests: Array<{ method: string; url: string; auth?: string; body: string }>; server: Server }> {
  const requests: Array<{ method: string; url: string; auth?: string; body: string }> = [];
  const server = createServer((req: IncomingMessage, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
        body: data,
      });
      res.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return { url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`, requests, server };
}

test('usage errors exit 2 and say what is wrong; help exits 0', async () => {
  const cases: string[][] = [
    ['nope'],
    ['dlq'],
    ['dlq', 'show'],
    ['dlq', 'redrive', 'x.g.dlq'],
    ['dlq', 'redrive', 'x.g.dlq', '--offset', '0:1', '--all'],
    ['dlq', 'redrive', 'x.g.dlq', '--offset', 'zero'],
    ['dlq', 'redrive', 'x.g.dlq', '--all', '--dry-run', '--execute'],
    ['dlq', 'redrive', 'x.g.dlq', '--all', '--payload-file', 'p.json'],
    ['dlq', 'show', 'x.g.dlq', '--since', 'yesterday'],
    ['dlq', 'purge', 'x.g.dlq', '--before', '0'],
    ['groups', 'reset', 'g', '--topic', 't'],
    ['groups', 'reset', 'g', '--topic', 't', '--to-earliest', '--to-latest'],
    ['groups', 'reset', 'g', '--to-earliest'],
    ['groups', 'reset', 'g', '--topic', 't', '--shift-by', 'two'],
    ['groups', 'reset', 'g', '--topic', 't', '--to-offset', '-3'],
    ['groups', 'reset', 'g', '--topic', 't', '--to-datetime', '26/11/2026'],
    ['replay', 'start', '--from-topic', 'a'],
    ['replay', 'start', '--from-topic', 'a', '--to-topic', 'b', '--from-offset', '5'],
    ['replay', 'start', '--from-topic', 'a', '--to-topic', 'b', '--ranges', '0:5-1,x'],
    ['replay', 'start', '--from-topic', 'a', '--to-topic', 'b', '--ranges', '0:1-', '--from-datetime', '2026-01-01T00:00:00Z'],
    ['replay', 'start', '--from-topic', 'a', '--to-topic', 'b', '--rate', 'fast'],
    ['token', '--role', 'root'],
    ['token', '--role', 'admin'],
  ];
  for (const argv of cases) {
    const c = io({ ODX_REPLAY_URL: 'http://127.0.0.1:9' });
    assert.equal(await run(argv, c.io), EXIT.usage, `${argv.join(' ')} -> stderr: ${c.err()}`);
    assert.ok(c.err().length > 0, `${argv.join(' ')} said nothing`);
  }
  const help = io();
  assert.equal(await run(['dlq', 'redrive', '--help'], help.io), EXIT.ok);
  assert.match(help.out(), /--execute/);
  assert.equal(await run([], io().io), EXIT.usage);
});

test('API answers map to exit codes: 401/403/409 refused (3), 400/404 usage (2), 5xx and unreachable failure (1)', async (t) => {
  for (const [status, code] of [
    [401, EXIT.refused],
    [403, EXIT.refused],
    [409, EXIT.refused],
    [400, EXIT.usage],
    [404, EXIT.usage],
    [422, EXIT.usage],
    [500, EXIT.failure],
    [502, EXIT.failure],
  ] as const) {
    const api = await answering(status, { title: 'x', status, detail: `detail-${status}` });
    t.after(() => void api.server.close());
    const c = io({ ODX_REPLAY_URL: api.url, ODX_REPLAY_TOKEN: 'a.b.c' });
    assert.equal(await run(['groups', 'describe', 'g1'], c.io), code, `status ${status}`);
    assert.match(c.err(), new RegExp(`detail-${status}`));
  }
  const down = io();
  assert.equal(await run(['--url', 'http://127.0.0.1:9', 'audit'], down.io), EXIT.failure);
  assert.match(down.err(), /cannot reach/);
});

test('requests carry the token, the right body and dry-run by default; --json prints the answer', async (t) => {
  const api = await answering(200, {
    group: 'g',
    topic: 't',
    state: 'Empty',
    dryRun: true,
    plan: [{ partition: 0, current: '5', target: '2', clamped: false }],
  });
  t.after(() => void api.server.close());
  const c = io({ ODX_REPLAY_URL: `${api.url}/`, ODX_REPLAY_TOKEN: 'x.y.z' });
  assert.equal(await run(['--json', 'groups', 'reset', 'g', '--topic', 't', '--partitions', '0', '--shift-by', '-3'], c.io), EXIT.ok);
  const [req] = api.requests;
  assert.equal(req!.method, 'POST');
  assert.equal(req!.url, '/groups/g/reset');
  assert.equal(req!.auth, 'Bearer x.y.z');
  assert.deepEqual(JSON.parse(req!.body), { topic: 't', partitions: [0], strategy: { shiftBy: '-3' }, execute: false });
  assert.equal(JSON.parse(c.out()).plan[0].target, '2');

  const c2 = io({ ODX_REPLAY_URL: api.url });
  await run(
    ['--token', 'cli.flag.token', 'groups', 'reset', 'g', '--topic', 't', '--to-datetime', '2026-11-26T10:00Z', '--execute'],
    c2.io,
  );
  assert.equal(api.requests[1]!.auth, 'Bearer cli.flag.token');
  assert.deepEqual(JSON.parse(api.requests[1]!.body).strategy, { toDatetime: '2026-11-26T10:00:00Z' });
  assert.equal(JSON.parse(api.requests[1]!.body).execute, true);
});

test('a refused dry run (active group) exits 3', async (t) => {
  const api = await answering(200, {
    group: 'g',
    topic: 't',
    state: 'Stable',
    dryRun: true,
    refused: 'group g has 1 active member(s)',
    plan: [],
  });
  t.after(() => void api.server.close());
  const c = io({ ODX_REPLAY_URL: api.url });
  assert.equal(await run(['groups', 'reset', 'g', '--topic', 't', '--to-latest'], c.io), EXIT.refused);
  assert.match(c.out(), /refused/);
});

test('odx token mints an HS256 JWT the service can verify (signature checked here with the same secret)', async () => {
  const secret = 'z'.repeat(40);
  const c = io({ ODX_REPLAY_JWT_SECRET: secret });
  assert.equal(await run(['--json', 'token', '--role', 'operator', '--subject', 'dev', '--ttl', '15m'], c.io), EXIT.ok);
  const { token } = JSON.parse(c.out());
  const [h, p, s] = token.split('.');
  assert.equal(createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url'), s);
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  assert.deepEqual(
    [claims.sub, claims.roles, claims.iss, claims.aud, claims.exp - claims.iat],
    ['dev', ['operator'], 'odx', 'odx-replay-dlq', 900],
  );
  assert.equal(JSON.parse(Buffer.from(h, 'base64url').toString()).alg, 'HS256');
  assert.notEqual(
    mintDevToken({ secret, issuer: 'odx', audience: 'a', subject: 's', role: 'viewer', ttlSeconds: 1, now: 0 }),
    mintDevToken({ secret, issuer: 'odx', audience: 'a', subject: 's', role: 'admin', ttlSeconds: 1, now: 0 }),
  );
});

test('argument parsers: partitions, cursors, selections, ranges, datetimes, durations', () => {
  assert.deepEqual(parsePartitions('0,2,2'), [0, 2]);
  assert.throws(() => parsePartitions('0,-1'));
  assert.deepEqual(parseCursor('0:12,3:4'), { 0: '12', 3: '4' });
  assert.deepEqual(parseSelection(['0:1,0:2', '0:1', '2:9']), [
    { partition: 0, offset: '1' },
    { partition: 0, offset: '2' },
    { partition: 2, offset: '9' },
  ]);
  assert.deepEqual(parseRanges('0:10-20,1:5-'), [
    { partition: 0, from: '10', to: '20' },
    { partition: 1, from: '5' },
  ]);
  assert.equal(parseDatetime('1700000000000', '--x'), 1_700_000_000_000);
  assert.equal(parseDatetime('2026-11-26T10:00+01:00', '--x'), '2026-11-26T10:00:00+01:00');
  assert.equal(parseDatetime('2026-11-26T10:00:05.5Z', '--x'), '2026-11-26T10:00:05.5Z');
  assert.throws(() => parseDatetime('2026-11-26 10:00', '--x'), /zone/);
  assert.equal(parseDuration('8h'), 28_800);
  assert.equal(parseDuration('90'), 90);
  assert.throws(() => parseDuration('0'));
  assert.throws(() => parseDuration('1w'));
  // Parsers never throw anything but their own errors, whatever they are given.
  fc.assert(
    fc.property(fc.string(), (s) => {
      for (const f of [
        parsePartitions,
        (x: string) => parseCursor(x),
        (x: string) => parseRanges(x),
        (x: string) => parseDatetime(x, '--x'),
        (x: string) => parseSelection([x]),
      ]) {
        try {
          f(s);
        } catch (err) {
          assert.equal((err as Error).name, 'UsageError');
        }
      }
    }),
  );
});

test("odx trace prints an order's hops from the analytics-sink, flags DLQ entries, and maps its errors to exit codes", async (t) => {
  const timeline = {
    ref: 'PO 7/1',
    orderId: '42',
    lifecycle: { stage: 'delivered', sourceSystems: ['odoo', 'wms', 'tms'] },
    traceIds: ['4bf92f3577b34da6a3ce929d0e0e4736'],
    hops: [
      {
        time: '2026-11-26T10:00:00.000Z',
        type: 'OrderConfirmed',
        entry: 'event',
        eventId: 'e1',
        topic: 'odx.orders.v1',
        partition: 2,
        offset: 10,
        traceId: 't',
        source: 'odoo',
        service: 'odoo-outbox-poller',
        sincePreviousMs: null,
        sinceFirstMs: 0,
      },
      {
        time: '2026-11-26T10:00:00.250Z',
        type: 'OrderConfirmed',
        entry: 'retry',
        eventId: 'e1',
        topic: 'odx.orders.v1.wms-bridge.retry.1',
        partition: 0,
        offset: 3,
        traceId: 't',
        source: 'odoo',
        service: 'wms-bridge',
        sincePreviousMs: 250,
        sinceFirstMs: 250,
        error: { group: 'wms-bridge', errorClass: 'wms.http.503', message: 'down' },
      },
      {
        time: '2026-11-26T10:03:00.250Z',
        type: 'ShipmentDelivered',
        entry: 'event',
        eventId: 'e9',
        topic: 'odx.shipments.v1',
        partition: 1,
        offset: 99,
        traceId: 't',
        source: 'tms',
        service: 'tms-bridge',
        sincePreviousMs: 180_000,
        sinceFirstMs: 180_250,
      },
    ],
  };
  const ok = await answering(200, timeline);
  t.after(() => ok.server.close());
  const text = io({ ODX_SINK_URL: ok.url });
  assert.equal(await run(['trace', 'PO 7/1'], text.io), EXIT.ok, text.err());
  assert.equal(ok.requests[0]?.url, '/v1/orders/PO%207%2F1/timeline', 'the reference is URL-encoded');
  const lines = text.out().trimEnd().split('\n');
  assert.match(lines[0]!, /order PO 7\/1 \(id 42\)\s+stage: delivered\s+systems: odoo, wms, tms/);
  assert.equal(lines.length, 2 + 1 + 3, 'header lines, column titles and one line per hop');
  assert.match(lines[4]!, /\+250 ms\s+OrderConfirmed.*← RETRY wms\.http\.503 \(group wms-bridge\)/);
  assert.match(lines[5]!, /\+3\.0 min\s+ShipmentDelivered\s+tms\s+tms-bridge\s+odx\.shipments\.v1\[1\]@99$/);

  const json = io({ ODX_SINK_URL: ok.url });
  assert.equal(await run(['--json', 'trace', '42'], json.io), EXIT.ok);
  assert.deepEqual(JSON.parse(json.out()), timeline);

  const missing = await answering(404, { title: 'Not Found', detail: 'no events for an order "nope"' });
  t.after(() => missing.server.close());
  const nf = io();
  assert.equal(await run(['trace', 'nope', '--sink-url', missing.url], nf.io), EXIT.usage);
  assert.match(nf.err(), /no events for an order/);

  const down = io({ ODX_SINK_URL: 'http://127.0.0.1:9' });
  assert.equal(await run(['trace', '42'], down.io), EXIT.failure, 'an unreachable sink is a failure, not a usage error');
  for (const argv of [['trace'], ['trace', ' '], ['trace', 'x'.repeat(201)]]) {
    assert.equal(await run(argv, io().io), EXIT.usage, argv.join(' ').slice(0, 20));
  }
});
