import { envVar, parseEnv } from '@odx/runtime';
import { z } from 'zod';

/** The port replay-dlq listens on when ODX_HTTP_PORT is unset (the `odx` CLI's default URL and `npm start` use it too). */
export const DEFAULT_REPLAY_DLQ_PORT = 8106;

const schema = z.object({
  /** HS256 secret for bearer tokens (at least 32 characters). `odx token` mints with the same variable. */
  ODX_REPLAY_JWT_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)'),
  ODX_REPLAY_JWT_ISSUER: z.string().min(1).default('odx'),
  ODX_REPLAY_JWT_AUDIENCE: z.string().min(1).default('odx-replay-dlq'),
  /** Messages read per DLQ partition when listing (depth is exact, error-class counts stop here). */
  ODX_REPLAY_DLQ_SCAN_LIMIT: envVar.positiveInt().default(5_000),
  /** Messages published per redrive request before it answers with a cursor. */
  ODX_REPLAY_REDRIVE_MAX: envVar.positiveInt().default(10_000),
  /** How often idle workers look for replay jobs to run or resume. */
  ODX_REPLAY_JOB_POLL_MS: envVar.positiveInt().default(1_000),
  /** How often a running job writes its progress (one MongoDB update each time). */
  ODX_REPLAY_JOB_PROGRESS_MS: envVar.positiveInt().default(1_000),
  /** A job whose owner stopped renewing for this long is taken over by another instance. */
  ODX_REPLAY_JOB_LEASE_MS: envVar.positiveInt().default(15_000),
  /** Messages sent per Kafka request by replays and redrives. */
  ODX_REPLAY_PRODUCE_BATCH: envVar.positiveInt().default(2_000),
});

export interface ReplayDlqConfig {
  auth: { secret: string; issuer: string; audience: string };
  dlq: { scanLimit: number; redriveMax: number };
  jobs: { pollMs: number; progressMs: number; leaseMs: number; produceBatch: number };
}

/** The service's own settings, fully defaulted (ODX_* runtime settings are read by the runtime). */
export function loadReplayDlqConfig(env: NodeJS.ProcessEnv = process.env): ReplayDlqConfig {
  const e = parseEnv(schema, env);
  return {
    auth: { secret: e.ODX_REPLAY_JWT_SECRET, issuer: e.ODX_REPLAY_JWT_ISSUER, audience: e.ODX_REPLAY_JWT_AUDIENCE },
    dlq: { scanLimit: e.ODX_REPLAY_DLQ_SCAN_LIMIT, redriveMax: e.ODX_REPLAY_REDRIVE_MAX },
    jobs: {
      pollMs: e.ODX_REPLAY_JOB_POLL_MS,
      progressMs: e.ODX_REPLAY_JOB_PROGRESS_MS,
      leaseMs: e.ODX_REPLAY_JOB_LEASE_MS,
      produceBatch: e.ODX_REPLAY_PRODUCE_BATCH,
    },
  };
}
