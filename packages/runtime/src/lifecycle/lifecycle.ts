import type { Logger } from '../logging/logger.js';

export interface Closeable {
  name: string;
  close: () => Promise<void> | void;
}

/**
 * Ordered shutdown: resources close in reverse order of registration (consumers
 * drain and commit before the producer and database they use go away). `shutdown`
 * is idempotent and bounded by a timeout.
 */
export class Lifecycle {
  private readonly resources: Closeable[] = [];
  private closing: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private exitOnFailure = false;

  constructor(
    private readonly logger: Logger,
    private readonly timeoutMs: number,
  ) {}

  /** Aborted when shutdown starts: hand it to long-running loops. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  register(name: string, close: Closeable['close']): void {
    this.resources.push({ name, close });
  }

  shutdown(reason = 'shutdown requested'): Promise<void> {
    this.closing ??= (async () => {
      this.logger.info('shutting down', { reason });
      this.abort.abort();
      const timer = setTimeout(() => {
        this.logger.error('shutdown timed out; exiting', { timeout_ms: this.timeoutMs });
        process.exit(1);
      }, this.timeoutMs);
      timer.unref();
      for (const r of [...this.resources].reverse()) {
        try {
          await r.close();
        } catch (err) {
          this.logger.error('error while closing', { resource: r.name, err });
        }
      }
      clearTimeout(timer);
      this.logger.info('shutdown complete');
    })();
    return this.closing;
  }

  /**
   * Something the service cannot run without failed for good (a consumer that
   * left its group and will not come back). In a process with signal handlers
   * installed (a service's main) it shuts down and exits with code 1, so the
   * supervisor (compose, Kubernetes, `npm start`) starts it again; elsewhere
   * (tests embedding a service) it only logs.
   */
  fail(reason: string, err?: unknown): void {
    this.logger.error('fatal failure', { reason, err });
    if (!this.exitOnFailure) return;
    void this.shutdown(reason).finally(() => process.exit(1));
  }

  /** SIGTERM/SIGINT start a graceful shutdown; the process exits when it is done. */
  installSignalHandlers(): void {
    this.exitOnFailure = true;
    const onSignal = (signal: NodeJS.Signals): void => {
      void this.shutdown(signal).then(() => process.exit(0));
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
}
