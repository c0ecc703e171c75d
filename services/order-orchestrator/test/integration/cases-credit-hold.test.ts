// The demo's credit hold, as an operator works it: the order stops at credit,
// `odx order` shows it and its case, `odx cases resolve --approve` releases it,
// and the order goes on to allocation and release; the case ends approved.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { parseOrchestratorPolicy } from '../../src/policy/index.js';
import {
  confirmedOrder,
  eventually,
  level,
  shortPolicy,
  startOrchestrator,
  type RunningOrchestrator,
} from '../support/orchestrator-kit.js';

const here = fileURLToPath(new URL('.', import.meta.url));

function odx(o: RunningOrchestrator, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['--no-install', 'odx', ...args],
      {
        cwd: here,
        env: { ...process.env, ODX_ORCHESTRATOR_URL: o.url, ODX_ORCHESTRATOR_TOKEN: o.token, ODX_REPLAY_TOKEN: '' },
        timeout: 60_000,
      },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** Every order is held at credit: no customer has a limit here, and orders without one are held. */
function holdingPolicy(): ReturnType<typeof parseOrchestratorPolicy> {
  const base = shortPolicy(60_000);
  return { ...base, credit: { ...base.credit, approveBelow: '0.00', withoutLimit: 'hold' } };
}

test('a credit hold becomes a case; the operator approves it with the CLI and the order moves on', { timeout: 120_000 }, async (t) => {
  const o = await startOrchestrator(t, { ODX_ORCHESTRATOR_RETRY_DELAYS_MS: '60000' }, holdingPolicy());
  await o.publish('InventoryLevelChanged', 'SKU-A', level('SKU-A', 'WH', '100.0000'), o.topics.inventory);
  await eventually(
    () => (o.orchestrator.stock ? o.orchestrator.stock.refresh().then((n) => (n >= 1 ? n : undefined)) : undefined),
    20_000,
    'stock levels',
  );
  const order = confirmedOrder(['SKU-A']);
  const orderId = order.order.orderId;
  await o.publish('OrderConfirmed', orderId, order, o.topics.orders);

  const held = await eventually(
    async () => {
      const p = await o.process(orderId);
      return p?.stage === 'credit' && p.stageStatus === 'held' ? p : undefined;
    },
    30_000,
    'the order held at credit',
  );
  assert.equal(held.steps['credit']?.caseOpen, true);
  const listed = await eventually(
    async () => {
      const r = await odx(o, ['--json', 'cases', 'list', '--order', orderId]);
      const body =
        r.code === 0
          ? (JSON.parse(r.stdout) as { cases: Array<{ caseId: string; step: string; status: string; proposedAction: string | null }> })
          : null;
      return body && body.cases.length > 0 ? body.cases : undefined;
    },
    20_000,
    'the credit case',
  );
  assert.equal(listed.length, 1);
  const [credit] = listed;
  assert.equal(credit?.step, 'credit');
  assert.equal(credit?.proposedAction, 'approve-credit');

  const shown = await odx(o, ['order', order.order.name ?? orderId]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /stage {2}credit \(held\)/);
  assert.match(shown.stdout, new RegExp(`open cases\\n.*\\n${credit!.caseId}`));

  const approved = await odx(o, ['cases', 'resolve', credit!.caseId, '--approve', '--note', 'limit raised by finance']);
  assert.equal(approved.code, 0, approved.stderr);
  assert.match(approved.stdout, /resolved case .*: resolved/);

  const moved = await eventually(
    async () => {
      const p = await o.process(orderId);
      return p && p.steps['credit']?.status === 'done' && p.stage !== 'credit' ? p : undefined;
    },
    30_000,
    'the order past credit',
  );
  assert.notEqual(moved.stage, 'credit');
  const after = await odx(o, ['--json', 'cases', 'show', credit!.caseId]);
  const body = JSON.parse(after.stdout) as { case: { status: string; resolution: string } };
  assert.equal(body.case.status, 'resolved');
  assert.equal(body.case.resolution, 'approved');
  const open = await odx(o, ['--json', 'cases', 'list', '--order', orderId]);
  assert.equal((JSON.parse(open.stdout) as { count: number }).count, 0, 'no case left open for the order');
});
