export { loadReplayDlqConfig, DEFAULT_REPLAY_DLQ_PORT, type ReplayDlqConfig } from './config.js';
export { startReplayDlq, type ReplayDlq } from './replay-dlq-service.js';
// The bearer-token auth moved to the runtime (the orchestrator's case API uses it too); re-exported for existing importers.
export {
  authenticate,
  requireRole,
  mintToken,
  verifyToken,
  TokenRejected,
  ROLES,
  grants,
  isRole,
  strongestRole,
  type Principal,
  type Role,
  type TokenSettings,
} from '@odx/runtime';
export { ENDPOINTS } from './http/routes.js';
export {
  AlreadyRedriven,
  Conflict,
  GroupHasMembers,
  InvalidRequest,
  JobNotRunning,
  NotFound,
  RedriveIncomplete,
  Unprocessable,
} from './errors.js';
export { problemFor } from './http/problems.js';
export { REDRIVE_HEADERS, readFailure, redriveHeaders } from './dlq/dlq-message.js';
export { matchesFilter, dlqFilterSchema, type DlqFilter } from './dlq/dlq-filter.js';
export { reviveJsonPayload } from './dlq/revive-payload.js';
export { planRanges, replayRequestSchema, type ReplayRequest } from './replay/replay-plan.js';
export { planReset, resetStrategySchema, type ResetStrategy } from './groups/reset-plan.js';
export { RateLimiter } from './replay/rate-limiter.js';
export { REPLAY_HEADERS, passesJobFilter } from './replay/replay-worker.js';
export type { ReplayJob } from './replay/replay-jobs.js';
export { MAX_REQUEST_BYTES, chunkBySize, messageBytes } from './kafka/produce-chunks.js';
