import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadReplayDlqConfig } from '../../src/config.js';

test('config: the JWT secret is required and must be long; defaults apply', () => {
  assert.throws(() => loadReplayDlqConfig({}), /ODX_REPLAY_JWT_SECRET: is required/);
  assert.throws(() => loadReplayDlqConfig({ ODX_REPLAY_JWT_SECRET: 'short' }), /ODX_REPLAY_JWT_SECRET: must be at least 32/);
  const c = loadReplayDlqConfig({ ODX_REPLAY_JWT_SECRET: 'k'.repeat(32) });
  assert.deepEqual(c.auth, { secret: 'k'.repeat(32), issuer: 'odx', audience: 'odx-replay-dlq' });
  assert.equal(c.jobs.progressMs, 1_000);
  assert.throws(
    () => loadReplayDlqConfig({ ODX_REPLAY_JWT_SECRET: 'k'.repeat(32), ODX_REPLAY_JOB_POLL_MS: '0' }),
    /ODX_REPLAY_JOB_POLL_MS/,
  );
});
