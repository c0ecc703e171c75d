import type { PartName } from './config.js';

/** Progress output of the launcher. Everything goes to stderr so stdout stays parseable. */
export interface Progress {
  /** A step worth a line in normal mode (installing, starting, healthy). */
  step(part: PartName, message: string): void;
  /** A step that takes long; also shown in quiet mode, as one line. */
  milestone(part: PartName, message: string): void;
  /** A stack-wide line, shown in quiet mode too. */
  note(message: string): void;
  /** Periodic "still working" lines during a long step; returns a stop function. */
  heartbeat(part: PartName, what: string, everyMs?: number): () => void;
}

/** Creates the progress printer. @default quiet false */
export function createProgress(options: { quiet?: boolean; write?: (line: string) => void } = {}): Progress {
  const quiet = options.quiet ?? false;
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const line = (part: PartName, message: string) => write(`stack: ${part.padEnd(8)} ${message}`);
  return {
    step(part, message) {
      if (!quiet) line(part, message);
    },
    milestone(part, message) {
      line(part, message);
    },
    note(message) {
      write(`stack: ${message}`);
    },
    heartbeat(part, what, everyMs = 15_000) {
      if (quiet) return () => undefined;
      const started = Date.now();
      const timer = setInterval(() => {
        line(part, `${what} ... ${Math.round((Date.now() - started) / 1000)} s`);
      }, everyMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
