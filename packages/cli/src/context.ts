import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { ApiClient } from './api-client.js';

/** Where the replay-dlq service answers when neither --url nor ODX_REPLAY_URL says otherwise (its default port, also under `npm start`). */
export const DEFAULT_URL = 'http://127.0.0.1:8106';

export interface CliIO {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export interface GlobalOptions {
  url?: string;
  token?: string;
  json?: boolean;
}

export interface Progress {
  update(done: number, total?: number): void;
  stop(): void;
}

/** What every command file gets: the API client, output in text or JSON, progress bars. */
export class CommandContext {
  constructor(readonly io: CliIO) {}

  globals(cmd: Command): GlobalOptions {
    return cmd.optsWithGlobals<GlobalOptions>();
  }

  client(cmd: Command): ApiClient {
    const g = this.globals(cmd);
    const url = (g.url ?? this.io.env['ODX_REPLAY_URL'] ?? DEFAULT_URL).replace(/\/+$/, '');
    return new ApiClient(url, g.token ?? this.io.env['ODX_REPLAY_TOKEN']);
  }

  /** Prints `data` as JSON with --json, else the human text. */
  print(cmd: Command, data: unknown, human: () => string): void {
    if (this.globals(cmd).json) this.io.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    else this.io.stdout.write(`${human()}\n`);
  }

  note(s: string): void {
    this.io.stderr.write(`${s}\n`);
  }

  /** A cli-progress bar on stderr when stdout is a terminal and output is not JSON; otherwise silent. */
  progress(cmd: Command, label: string, total: number): Progress {
    if (this.globals(cmd).json || !this.io.stdout.isTTY) return { update: () => undefined, stop: () => undefined };
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`,
        stream: this.io.stderr as NodeJS.WritableStream,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(Math.max(total, 1), 0);
    return {
      update: (done, t) => {
        if (t !== undefined) bar.setTotal(Math.max(t, 1));
        bar.update(done);
      },
      stop: () => bar.stop(),
    };
  }
}

/** Fixed-width text table. */
export function table(headers: string[], rows: Array<Array<string | number | null | undefined>>): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
}
