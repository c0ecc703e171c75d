import type { PartName } from './config.js';

/** Why a stack operation failed; scripts branch on this, not on the message. */
export type StackErrorReason =
  | 'invalid-config'
  | 'missing-tool'
  | 'port-in-use'
  | 'download-failed'
  | 'build-failed'
  | 'setup-failed'
  | 'process-died'
  | 'timeout'
  | 'unhealthy';

export interface StackErrorFacts {
  reason: StackErrorReason;
  part?: PartName | undefined;
  /** Log with the details (process output, Maven or Go output). */
  logFile?: string | undefined;
  cause?: unknown;
}

/** A failure of one part of the local stack, with machine-readable facts. */
export class StackError extends Error {
  override readonly name = 'StackError';
  readonly reason: StackErrorReason;
  readonly part: PartName | undefined;
  readonly logFile: string | undefined;

  constructor(message: string, facts: StackErrorFacts) {
    super(message, facts.cause === undefined ? undefined : { cause: facts.cause });
    this.reason = facts.reason;
    this.part = facts.part;
    this.logFile = facts.logFile;
  }

  /** Message plus the log file to read, as printed by the CLI. */
  describe(): string {
    const prefix = this.part ? `${this.part}: ` : '';
    const log = this.logFile ? `\n  log: ${this.logFile}` : '';
    return `${prefix}${this.message}${log}`;
  }
}

/** `stackUp` failed for one or more parts; each failure is kept. */
export class StackUpError extends Error {
  override readonly name = 'StackUpError';
  readonly failures: readonly StackError[];

  constructor(failures: readonly StackError[]) {
    super(`local stack failed to start:\n${failures.map((f) => `- ${f.describe()}`).join('\n')}`);
    this.failures = failures;
  }
}
