// replay-dlq: DLQ browse/redrive/purge, replay jobs, consumer-group resets and their audit trail, behind bearer tokens.
import { createServiceRuntime } from '@odx/runtime';
import { DEFAULT_REPLAY_DLQ_PORT, loadReplayDlqConfig } from './config.js';
import { startReplayDlq } from './replay-dlq-service.js';

const config = loadReplayDlqConfig();
const env = { ...process.env, ODX_HTTP_PORT: process.env['ODX_HTTP_PORT'] || String(DEFAULT_REPLAY_DLQ_PORT) };
const rt = await createServiceRuntime({ name: 'replay-dlq', env, tokens: config.auth });
rt.lifecycle.installSignalHandlers();
startReplayDlq(rt, config);
await rt.listen();
