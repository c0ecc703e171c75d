import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mintToken, verifyToken } from '@odx/runtime';
import { loadOrchestratorConfig } from '../../src/config.js';

const SECRET = 'a-test-secret-of-at-least-32-characters';
const env = (over: Record<string, string> = {}): NodeJS.ProcessEnv => ({ ODX_ORCHESTRATOR_JWT_SECRET: SECRET, ...over });

describe('orchestrator settings', () => {
  it('accept tokens for the orchestrator and for replay-dlq by default (one odx token for both ops APIs), minting its own', async () => {
    const { auth } = loadOrchestratorConfig(env());
    assert.deepEqual(auth.audience, ['odx-orchestrator', 'odx-replay-dlq']);
    for (const audience of ['odx-orchestrator', 'odx-replay-dlq']) {
      const token = await mintToken({ secret: SECRET, issuer: 'odx', audience }, 'jane', ['operator']);
      assert.deepEqual(await verifyToken(auth, token), { subject: 'jane', role: 'operator' });
    }
    const other = await mintToken({ secret: SECRET, issuer: 'odx', audience: 'odx-something-else' }, 'jane', ['operator']);
    await assert.rejects(verifyToken(auth, other), { name: 'TokenRejected' });
    // Minted for the first audience: a token of the orchestrator is not one of replay-dlq.
    const own = await mintToken(auth, 'jane', ['viewer']);
    await assert.rejects(verifyToken({ ...auth, audience: 'odx-replay-dlq' }, own), { name: 'TokenRejected' });
  });

  it('ODX_ORCHESTRATOR_JWT_AUDIENCE takes one audience or a comma-separated list', () => {
    assert.deepEqual(loadOrchestratorConfig(env({ ODX_ORCHESTRATOR_JWT_AUDIENCE: 'ops' })).auth.audience, ['ops']);
    assert.deepEqual(loadOrchestratorConfig(env({ ODX_ORCHESTRATOR_JWT_AUDIENCE: ' ops , odx-replay-dlq ,' })).auth.audience, [
      'ops',
      'odx-replay-dlq',
    ]);
    assert.throws(() => loadOrchestratorConfig(env({ ODX_ORCHESTRATOR_JWT_AUDIENCE: ' , ' })), /ODX_ORCHESTRATOR_JWT_AUDIENCE/);
    assert.throws(() => loadOrchestratorConfig(env({ ODX_ORCHESTRATOR_JWT_AUDIENCE: 'two words' })), /ODX_ORCHESTRATOR_JWT_AUDIENCE/);
  });
});
