import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { test } from 'node:test';
import { EXIT } from '../../src/exit-codes.js';
import { run } from '../../src/program.js';

function io(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: { write: (s: string) => out.push(s), isTTY: false }, stderr: { write: (s: string) => err.push(s), isTTY: false }, env },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

/** A stand-in for the orchestrator's two read endpoints (the CLI's formatting and exit codes only; the real API is tested in the service). */
async function orchestrator(routes: Record<string, [number, unknown]>): Promise<{ url: string; seen: string[]; server: Server }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    const path = (req.url ?? '').split('?')[0]!;
    const [status, body] = routes[path] ?? [404, { title: 'Not Found', status: 404, detail: `no route for GET ${path}` }];
    res.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return { url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`, seen, server };
}

const openCase = {
  caseId: '0b5c1f1e-1111-8222-9333-444455556666',
  orderId: '4711',
  orderName: 'S00042',
  step: 'credit',
  severity: 'high',
  status: 'open',
  owner: { kind: 'team', id: 'credit-control', name: null },
  errorClass: 'credit.hold',
  lastError: 'above the credit limit',
  evidence: [],
  evidenceCount: 0,
  proposedAction: 'approve-credit',
  escalationLevel: 0,
  openedAt: '2026-12-07T08:00:00.000Z',
  updatedAt: '2026-12-07T08:00:00.000Z',
  dueAt: '2026-12-07T09:00:00.000Z',
  resolvedAt: null,
  resolution: null,
  version: 1,
};

test('odx order shows the process (stage, steps, next due time) and the open cases of the order it names', async (t) => {
  const s = await orchestrator({
    '/v1/orders/S00042/process': [
      200,
      {
        process: {
          orderId: '4711',
          stage: 'credit-hold',
          stageStatus: 'blocked',
          open: true,
          orderName: 'S00042',
          steps: {
            credit: {
              status: 'blocked',
              attempts: 0,
              startedAt: 1_796_630_400_000,
              doneAt: null,
              lastError: null,
              caseOpen: true,
              detail: 'exposure above limit',
            },
            allocation: { status: 'pending', attempts: 0, startedAt: null, doneAt: null, lastError: null, caseOpen: false, detail: null },
          },
          due: null,
          somethingNew: { kept: true },
        },
      },
    ],
    '/v1/cases': [200, { cases: [openCase], count: 1 }],
  });
  t.after(() => s.server.close());
  const o = io({ ODX_ORCHESTRATOR_URL: s.url, ODX_ORCHESTRATOR_TOKEN: 'a.b.c' });
  assert.equal(await run(['order', 'S00042'], o.io), EXIT.ok, o.err());
  assert.match(o.out(), /order {2}S00042 \(4711\)/);
  assert.match(o.out(), /stage {2}credit-hold \(blocked\)/);
  assert.match(o.out(), /credit\s+blocked\s+0\s+2026-\S+\s+-\s+yes\s+exposure above limit/);
  assert.match(o.out(), /0b5c1f1e-1111-8222-9333-444455556666\s+S00042 \(4711\)\s+credit\s+high\s+open/);
  assert.deepEqual(
    s.seen.map((r) => r.replace(/ Bearer .*$/, ' <token>')),
    ['GET /v1/orders/S00042/process <token>', 'GET /v1/cases?order=4711&status=unresolved&limit=100 <token>'],
  );

  const j = io({ ODX_ORCHESTRATOR_URL: s.url });
  assert.equal(await run(['--json', 'order', 'S00042'], j.io), EXIT.ok);
  const printed = JSON.parse(j.out());
  assert.equal(printed.process.somethingNew.kept, true, '--json keeps what the CLI does not print');
  assert.equal(printed.cases[0].caseId, openCase.caseId);
});

test('odx order and odx cases map answers to exit codes: unknown order 2, refused 3, unreachable 1; bad arguments 2 before any request', async (t) => {
  const s = await orchestrator({ '/v1/cases': [401, { title: 'Unauthorized', status: 401, detail: 'missing bearer token' }] });
  t.after(() => s.server.close());
  const env = { ODX_ORCHESTRATOR_URL: s.url };
  const unknown = io(env);
  assert.equal(await run(['order', 'S99999'], unknown.io), EXIT.usage);
  assert.match(unknown.err(), /404/);
  const refused = io(env);
  assert.equal(await run(['cases', 'list'], refused.io), EXIT.refused);
  assert.match(refused.err(), /401 .*missing bearer token/);
  assert.equal(await run(['cases', 'list'], io({ ODX_ORCHESTRATOR_URL: 'http://127.0.0.1:1' }).io), EXIT.failure);
  const before = s.seen.length;
  for (const args of [
    ['cases', 'show', 'x'],
    ['cases', 'list', '--status', 'gone'],
    ['cases', 'list', '--limit', '0'],
    ['cases', 'assign', openCase.caseId, '--to', 'a', '--team', 'b'],
    ['cases', 'resolve', openCase.caseId, '--resolution', 'approved', '--approve', '--resolution', 'dismissed'],
    ['cases', 'resolve', openCase.caseId, '--resolution', 'process-moved-on'],
    ['cases', 'retry', openCase.caseId, '--note', ''],
    ['order', ''],
  ]) {
    assert.equal(await run(args, io(env).io), EXIT.usage, args.join(' '));
  }
  assert.equal(s.seen.length, before, 'nothing was sent');
});
