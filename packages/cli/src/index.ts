export { buildProgram, run } from './program.js';
export { ApiClient, ApiError } from './api-client.js';
export { CommandContext, DEFAULT_URL, table, type CliIO } from './context.js';
export { EXIT, ExitWith, UsageError, exitCodeForStatus, type ExitCode } from './exit-codes.js';
export { ROLES, mintDevToken, parseDuration, type Role } from './dev-token.js';
export { executeFlag, parseCursor, parseDatetime, parsePartitions, parseRanges, parseSelection } from './args.js';
export { formatTimeline, type OrderTimeline, type TimelineHop } from './format-timeline.js';
