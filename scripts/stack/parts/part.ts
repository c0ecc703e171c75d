import type { PartName, StackConfig } from '../config.js';
import type { Health } from '../health.js';
import type { Progress } from '../progress.js';

export interface PartContext {
  config: StackConfig;
  progress: Progress;
}

/** How to start a part's server; stdout/stderr go to the part's log. */
export interface LaunchSpec {
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

/** A part the launcher installs and runs itself. */
export interface LocalPart {
  name: PartName;
  /** What clients connect to, as shown by `status`. */
  address: string;
  /** Ports the server binds, each with advice for when it is taken. */
  ports: { port: number; hint: string }[];
  /** Appears in the server's command line; see PidRecord.signature. */
  signature: string;
  /** Downloads or builds what is missing; fast no-op when installed. */
  install(ctx: PartContext): Promise<void>;
  /** Renders config, prepares the data dir, and says how to start the server. */
  prepare(ctx: PartContext): Promise<LaunchSpec>;
  /** Probe of a running server (used by `status`). */
  health(): Promise<Health>;
  /** Probe used while starting: `health` plus start-up markers in the log. */
  ready(logFile: string): Promise<Health>;
  /** Settings applied once the server is healthy (idempotent). */
  afterHealthy?(ctx: PartContext): Promise<void>;
  /**
   * What SIGQUIT does to the server: Go programs print every goroutine's
   * stack and exit, JVMs print a thread dump and keep running. Absent: the
   * server has no dump on signal, a restart saves its log tail instead.
   */
  sigquitDump?: 'exits' | 'keeps-running';
  /** A server this part starts behind itself in `prepare` (PostgreSQL behind FerretDB). */
  backing?: BackingServer;
}

/** A server behind a part: started by the part's `prepare`, stopped and wiped with it. */
export interface BackingServer {
  /** e.g. "postgresql". */
  name: string;
  /** Deleted by `down --wipe` along with the part's own data. */
  dataDir: string;
  /** One line for `status`: pid, address, whether it accepts connections. */
  status(): Promise<{ healthy: boolean; detail: string }>;
  /** Stops it (SIGTERM, then SIGKILL after the stop timeout). */
  stop(ctx: PartContext): Promise<void>;
}

/** A server the user pointed ODX at; the launcher only probes it. */
export interface ExternalPart {
  name: PartName;
  address: string;
  health(): Promise<Health>;
}
