import { Command, CommanderError } from 'commander';
import { ApiError } from './api-client.js';
import { registerAudit } from './commands/audit.js';
import { registerCases } from './commands/cases.js';
import { registerDlq } from './commands/dlq.js';
import { registerGroups } from './commands/groups.js';
import { registerOrder } from './commands/order.js';
import { registerReplay } from './commands/replay.js';
import { registerToken } from './commands/token.js';
import { registerKeys } from './commands/keys.js';
import { registerTrace } from './commands/trace.js';
import { registerWebhooks } from './commands/webhooks.js';
import { CommandContext, DEFAULT_URL, type CliIO } from './context.js';
import { EXIT, ExitWith, UsageError, type ExitCode } from './exit-codes.js';

/** Command groups, one file each under commands/; a new one (e.g. `odx trace`) is one more line here. */
const COMMANDS = [
  registerDlq,
  registerReplay,
  registerGroups,
  registerAudit,
  registerToken,
  registerTrace,
  registerCases,
  registerOrder,
  registerKeys,
  registerWebhooks,
];

export function buildProgram(ctx: CommandContext): Command {
  const program = new Command('odx')
    .description(
      'ODX operations: DLQ redrive, topic replay, consumer-group resets, audit (the replay-dlq service), order traces (the analytics-sink), order processes and exception cases (the order orchestrator)',
    )
    .option('--url <url>', `replay-dlq base URL (env ODX_REPLAY_URL, default ${DEFAULT_URL})`)
    .option('--token <jwt>', 'bearer token (env ODX_REPLAY_TOKEN; `odx token` mints one in development)')
    .option('--json', 'machine-readable output on stdout')
    .showHelpAfterError('(odx --help lists the commands)')
    .configureOutput({ writeOut: (s) => void ctx.io.stdout.write(s), writeErr: (s) => void ctx.io.stderr.write(s) })
    .exitOverride();
  for (const register of COMMANDS) register(program, ctx);
  // Subcommands inherit the exit override and output so nothing calls process.exit.
  const walk = (c: Command): void => {
    for (const sub of c.commands) {
      sub
        .exitOverride()
        .configureOutput({ writeOut: (s) => void ctx.io.stdout.write(s), writeErr: (s) => void ctx.io.stderr.write(s) })
        .showHelpAfterError();
      walk(sub);
    }
  };
  walk(program);
  return program;
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function run(
  argv: string[],
  io: CliIO = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<ExitCode> {
  const ctx = new CommandContext(io);
  const program = buildProgram(ctx);
  if (argv.length === 0) {
    io.stdout.write(program.helpInformation());
    return EXIT.usage;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // An asked-for --help or --version ends here with exit code 0; help shown for a missing subcommand does not.
      if (err.exitCode === 0) return EXIT.ok;
      return EXIT.usage;
    }
    if (err instanceof ExitWith) {
      if (err.message) io.stderr.write(`odx: ${err.message}\n`);
      return err.code;
    }
    if (err instanceof UsageError) {
      io.stderr.write(`odx: ${err.message}\n`);
      return EXIT.usage;
    }
    if (err instanceof ApiError) {
      io.stderr.write(`odx: ${err.message}\n`);
      return err.exitCode;
    }
    io.stderr.write(`odx: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.failure;
  }
}
