// `odx cases` as an operator runs it (npx odx from inside the repo) against the
// exception desk on the real stack.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { startCasesKit, type CasesKit } from '../support/cases-kit.js';

const here = fileURLToPath(new URL('.', import.meta.url));

function odx(kit: CasesKit, args: string[], token: string | null): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['--no-install', 'odx', ...args],
      {
        cwd: here,
        env: { ...process.env, ODX_ORCHESTRATOR_URL: kit.url, ODX_ORCHESTRATOR_TOKEN: token ?? '', ODX_REPLAY_TOKEN: '' },
        timeout: 60_000,
      },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

test('odx cases list/show/assign/retry/resolve against the desk, with --json and the exit codes of the other commands', async (t) => {
  const kit = await startCasesKit(t);
  const orderId = `O-${randomUUID().slice(0, 8)}`;
  const hold = await kit.desk.desk.open({
    orderId,
    orderName: 'S00777',
    step: 'credit',
    reasonClass: 'credit.hold',
    lastError: 'above the credit limit',
    severity: 'high',
    proposedAction: 'approve-credit',
    evidence: [{ kind: 'record', topic: 'odx.orders.v1', partition: 0, offset: '5', eventId: null, note: 'OrderConfirmed' }],
    dedupeKey: `credit|${orderId}`,
  });
  const overdue = await kit.desk.desk.open({
    orderId,
    step: 'pick-pack',
    reasonClass: 'step.overdue',
    lastError: 'no pick confirmation after 2 catch-ups',
    severity: 'medium',
    evidence: [],
    dedupeKey: `overdue|${orderId}|pick-pack`,
  });
  const viewer = await kit.token('viewer');
  const operator = await kit.token('operator');

  const list = await odx(kit, ['cases', 'list', '--order', orderId], viewer);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /CASE\s+ORDER\s+STEP/);
  assert.match(list.stdout, new RegExp(`${hold.caseId}\\s+S00777 \\(${orderId}\\)\\s+credit\\s+high\\s+open\\s+team credit-control`));
  const json = await odx(kit, ['--json', 'cases', 'list', '--order', orderId], viewer);
  assert.equal(JSON.parse(json.stdout).count, 2);

  const show = await odx(kit, ['cases', 'show', hold.caseId], viewer);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /reason\s+credit\.hold: above the credit limit/);
  assert.match(show.stdout, /record odx\.orders\.v1\/0\/5\s+OrderConfirmed/);
  assert.match(show.stdout, /order-orchestrator\s+opened -> open/);

  assert.equal((await odx(kit, ['cases', 'assign', hold.caseId, '--to', 'alice'], viewer)).code, 3, 'a viewer is refused');
  assert.equal((await odx(kit, ['cases', 'list'], null)).code, 3, 'no token is refused');
  assert.equal((await odx(kit, ['cases', 'show', 'nope'], viewer)).code, 2, 'a malformed id is a usage error');
  assert.equal((await odx(kit, ['cases', 'show', '00000000-0000-8000-8000-000000000000'], viewer)).code, 2, 'an unknown case is 404');
  assert.equal((await odx(kit, ['cases', 'assign', hold.caseId], operator)).code, 2, 'assign needs --to or --team');
  assert.equal((await odx(kit, ['cases', 'resolve', hold.caseId], operator)).code, 2, 'resolve needs a resolution');

  const assign = await odx(kit, ['cases', 'assign', hold.caseId, '--to', 'alice', '--note', 'credit desk'], operator);
  assert.equal(assign.code, 0, assign.stderr);
  assert.match(assign.stdout, /assigned case .*: open, owner alice/);

  const retry = await odx(kit, ['--json', 'cases', 'retry', overdue.caseId, '--note', 'WMS back'], operator);
  assert.equal(retry.code, 0, retry.stderr);
  assert.equal(JSON.parse(retry.stdout).case.status, 'acknowledged');

  const approve = await odx(kit, ['cases', 'resolve', hold.caseId, '--approve', '--note', 'limit raised'], operator);
  assert.equal(approve.code, 0, approve.stderr);
  assert.match(approve.stdout, /resolved case .*: resolved/);
  assert.deepEqual(
    kit.commands.map((c) => `${c.command}:${c.caseId}:${c.actor}`),
    [`retry-step:${overdue.caseId}:operator-user`, `approve-credit:${hold.caseId}:operator-user`],
  );
  const again = await odx(kit, ['cases', 'ack', hold.caseId], operator);
  assert.equal(again.code, 3, 'acting on a resolved case is refused (409)');
  assert.match(again.stderr, /409 Conflict: case .* is resolved/);
});
