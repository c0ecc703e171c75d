/** Exit codes scripts can rely on. */
export const EXIT = {
  ok: 0,
  /** Something failed: network, server error, a job that failed or was cancelled while waited for. */
  failure: 1,
  /** The command line (or the request it made) was wrong: bad flags, unknown topic, invalid body. */
  usage: 2,
  /** Refused: not authenticated or authorised, or the action conflicts with the current state (active group, already redriven). */
  refused: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A usage problem found by the CLI itself (exit 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Ends a command with a chosen exit code after its output was written. */
export class ExitWith extends Error {
  override readonly name = 'ExitWith';
  constructor(
    readonly code: ExitCode,
    message = '',
  ) {
    super(message);
  }
}

/** Exit code for an HTTP status of the replay-dlq API. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 401 || status === 403 || status === 409) return EXIT.refused;
  if (status >= 400 && status < 500) return EXIT.usage;
  return EXIT.failure;
}
